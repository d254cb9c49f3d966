// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GnuTLS: every libgnutls found (the system's, those mapped by running processes, --libgnutls),
 * probed by bpf/gnutls.bpf.c. Keys need the session layout of the library, measured by the
 * calibration helper; a library that cannot be calibrated is still traced for plaintext and
 * sockets, and the log says why it gives no keys.
 */
#include <string.h>

#include <linux/types.h>

#include "ecapture/events.h"
#include "ecapture/record.h"
#include "gnutls.skel.h"
#include "layouts/gnutls_layout.h"
#include "layouts/helper_run.h" /* EC_LAYOUT_ERROR_PENDING */
#include "modules/tls_family.h"
#include "targets/elf_info.h"
#include "targets/libraries.h"

static GPtrArray *find(const struct ec_capture_opts *o, GError **err)
{
	return ec_find_libs(ec_is_libgnutls_name, (const char *const *)o->libgnutls, err);
}

static GPtrArray *find_in_process(pid_t pid)
{
	return ec_find_libs_of_process(ec_is_libgnutls_name, pid);
}

/*
 * The functions of T's file to probe, as target ID. gnutls_record_send only passes its arguments
 * on to gnutls_record_send2 (3.6.3+), so where that exists it alone is probed: one event per
 * send. GnuTLS handshakes only in gnutls_handshake, so the record calls matter for plaintext.
 */
static int add_functions(struct ec_tls_target *t, uint32_t id, GError **err)
{
	g_autoptr(GError) eerr = NULL;
	const char *path = t->file->path;
	struct ec_elf *elf = ec_elf_open(path, &eerr);
	struct ec_elf_symbol sym;
	bool send2 = elf && ec_elf_find_symbol(elf, "gnutls_record_send2", &sym, NULL);
	const struct ec_uprobe_fn session_fns[] = {
	    {"gnutls_handshake", EC_GNUTLS_HANDSHAKE, true, true, false},
	    {"gnutls_deinit", EC_GNUTLS_DEINIT, true, false, false},
	};
	const struct ec_uprobe_fn data_fns[] = {
	    {send2 ? "gnutls_record_send2" : "gnutls_record_send", EC_GNUTLS_SEND, true, true,
	     false},
	    {"gnutls_record_recv", EC_GNUTLS_RECV, true, true, false},
	    {"gnutls_record_recv_seq", EC_GNUTLS_RECV, true, true, true},
	};

	ec_elf_close(elf);
	return ec_uprobe_points_add_fns(&t->points, path, session_fns, G_N_ELEMENTS(session_fns),
	                                id, false, err) ||
	               ec_tls_target_add_data_fns(t, data_fns, G_N_ELEMENTS(data_fns), id, err)
	           ? -1
	           : 0;
}

/*
 * The library's layout (all -1 when it gives no keys) and its functions; EC_LAYOUT_ERROR_PENDING
 * while the layout is measured in the background.
 */
static int plan(struct ec_tls_target *t, uint32_t id, GError **err)
{
	g_autoptr(GError) lerr = NULL;
	g_autofree char *described = NULL;
	struct ec_gnutls_layout layout;

	if (add_functions(t, id, err))
		return -1;
	if (ec_gnutls_layout_find_in(t->file->path, t->file->root, &layout, &t->version, &lerr)) {
		if (g_error_matches(lerr, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING)) {
			g_propagate_error(err, g_steal_pointer(&lerr)); /* in the background */
			return -1;
		}
		g_warning("%s: no keys, plaintext only: %s", t->file->path, lerr->message);
		memset(&layout, 0xff, sizeof(layout));
		t->note = " (plaintext only)";
		t->keys = g_strdup_printf("none, plaintext only: %s", lerr->message);
	} else {
		described = ec_gnutls_layout_describe(&layout);
		g_debug("%s (GnuTLS %s): %s", t->file->path, t->version, described);
		t->keys = g_strdup("from the session, layout calibrated");
	}
	t->layout = g_memdup2(&layout, sizeof(layout));
	return 1;
}

static const struct ec_tls_module_desc gnutls_desc = {
    .label = "GnuTLS",
    .unit = "library",
    .units = "libraries",
    .tracing = "GnuTLS ",
    .tls_lib = EC_TLSLIB_GNUTLS,
    .source = EC_RECORD_SRC_GNUTLS,
    .object = {.what = "GnuTLS",
               .name = "gnutls_bpf",
               .elf_bytes = gnutls_bpf__elf_bytes,
               .entry = "ec_gnutls_entry",
               .ret = "ec_gnutls_return"},
    .layout_map = "ec_gnutls_layouts",
    .find = find,
    .find_in_process = find_in_process,
    .plan = plan,
};

EC_TLS_MODULE(ec_mod_gnutls, "gnutls", gnutls_desc);
