// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GnuTLS: every libgnutls found (the system's, those mapped by running processes, --libgnutls),
 * probed by bpf/gnutls.bpf.c. Keys need the session layout of the library, measured by the
 * calibration helper; a library that cannot be calibrated is still traced for plaintext and
 * sockets, and the log says why it gives no keys.
 */
#include <errno.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/elf_info.h"
#include "gnutls.skel.h"
#include "layouts/gnutls_layout.h"
#include "targets/libraries.h"
#include "modules/module.h"
#include "probes/uprobe_module.h"

struct gnutls_lib {
	struct ec_target_file *file;
	bool keys;
};

struct ec_gnutls {
	struct gnutls_bpf *skel;
	struct ec_uprobes *uprobes;
	GArray *libs; /* struct gnutls_lib, indexed by lib_id */
	guint n_attached, n_keys;
};

static void lib_clear(gpointer p)
{
	ec_target_file_free(((struct gnutls_lib *)p)->file);
}

static void destroy(void *state)
{
	struct ec_gnutls *s = state;

	if (!s)
		return;
	ec_uprobes_free(s->uprobes);
	gnutls_bpf__destroy(s->skel);
	if (s->libs)
		g_array_unref(s->libs);
	g_free(s);
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & EC_TLSLIB_GNUTLS);
}

EC_UPROBE_SKEL(gnutls_skel, gnutls_bpf, "GnuTLS");

/* Calibrate each library and store its layout (all -1 when it gives no keys). */
static int calibrate_libs(struct ec_gnutls *s, GPtrArray *files, GError **err)
{
	int layouts_fd = bpf_map__fd(s->skel->maps.ec_gnutls_layouts);

	while (files->len && s->libs->len < EC_MAX_LIBS) {
		struct gnutls_lib lib = {.file = g_ptr_array_steal_index(files, 0)};
		g_autoptr(GError) lerr = NULL;
		g_autofree char *version = NULL, *described = NULL;
		struct ec_gnutls_layout layout;
		guint lib_id = s->libs->len;

		if (ec_gnutls_layout_calibrate(lib.file->path, &layout, &version, &lerr)) {
			g_warning("%s: no keys, plaintext only: %s", lib.file->path, lerr->message);
			memset(&layout, 0xff, sizeof(layout));
		} else {
			lib.keys = true;
			described = ec_gnutls_layout_describe(&layout);
			g_debug("%s (GnuTLS %s): %s", lib.file->path, version, described);
		}
		if (bpf_map_update_elem(layouts_fd, &lib_id, &layout, BPF_ANY)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot store the layout of %s: %s", lib.file->path,
			            g_strerror(errno));
			ec_target_file_free(lib.file);
			return -1;
		}
		g_array_append_val(s->libs, lib);
	}
	return 0;
}

static void *module_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                         GError **err)
{
	g_autoptr(GPtrArray) files =
	    ec_find_libs(ec_is_libgnutls_name, (const char *const *)o->libgnutls, err);
	struct ec_gnutls *s;

	if (!files || files->len == 0)
		return NULL;
	s = g_new0(struct ec_gnutls, 1);
	s->libs = g_array_new(FALSE, TRUE, sizeof(struct gnutls_lib));
	g_array_set_clear_func(s->libs, lib_clear);
	s->skel = ec_uprobe_skel_load(&gnutls_skel, shared, &s->uprobes, err);
	if (!s->skel || calibrate_libs(s, files, err)) {
		destroy(s);
		return NULL;
	}
	return s;
}

/*
 * The functions of PATH to probe. gnutls_record_send only passes its arguments on to
 * gnutls_record_send2 (3.6.3+), so where that exists it alone is probed: one event per send.
 */
static GArray *functions_of(const char *path)
{
	GArray *fns = g_array_new(FALSE, FALSE, sizeof(struct ec_uprobe_fn));
	g_autoptr(GError) err = NULL;
	struct ec_elf *elf = ec_elf_open(path, &err);
	struct ec_elf_symbol sym;
	bool send2 = elf && ec_elf_find_symbol(elf, "gnutls_record_send2", &sym, NULL);
	const struct ec_uprobe_fn list[] = {
	    {"gnutls_handshake", EC_GNUTLS_HANDSHAKE, true, true, false},
	    {send2 ? "gnutls_record_send2" : "gnutls_record_send", EC_GNUTLS_SEND, true, true,
	     false},
	    {"gnutls_record_recv", EC_GNUTLS_RECV, true, true, false},
	    {"gnutls_record_recv_seq", EC_GNUTLS_RECV, true, true, true},
	    {"gnutls_deinit", EC_GNUTLS_DEINIT, true, false, false},
	};

	ec_elf_close(elf);
	g_array_append_vals(fns, list, G_N_ELEMENTS(list));
	return fns;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct ec_gnutls *s = state;

	for (guint id = 0; id < s->libs->len; id++) {
		const struct gnutls_lib *lib = &g_array_index(s->libs, struct gnutls_lib, id);
		g_autoptr(GArray) fns = functions_of(lib->file->path);
		int r = ec_probe_file(
		    s->uprobes, s->skel->progs.ec_gnutls_entry, s->skel->progs.ec_gnutls_return,
		    lib->file, (const struct ec_uprobe_fn *)fns->data, fns->len, id, o->pids, err);

		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* left out with a warning */
		g_message("tracing GnuTLS %s%s", lib->file->path,
		          lib->keys ? "" : " (plaintext only)");
		s->n_attached++;
		s->n_keys += lib->keys;
	}
	return 0;
}

static char *describe(void *state)
{
	struct ec_gnutls *s = state;

	if (!s->n_attached)
		return NULL;
	return g_strdup_printf("GnuTLS: %u librar%s", s->n_attached,
	                       s->n_attached == 1 ? "y" : "ies");
}

const struct ec_module_ops ec_mod_gnutls = {
    .name = "gnutls",
    .tls = true,
    .wanted = wanted,
    .load = module_load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
