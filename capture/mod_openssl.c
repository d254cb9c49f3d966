// SPDX-License-Identifier: GPL-2.0-or-later
#include "mod_openssl.h"

#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "lib_discovery.h"
#include "openssl.skel.h"
#include "ssl_layout.h"

/* After these return, a finished handshake's secrets are in the SSL object. */
static const struct {
	const char *name;
	bool optional; /* absent before OpenSSL 1.1.1 */
} hooked_functions[] = {
    {"SSL_do_handshake", false}, {"SSL_connect", false}, {"SSL_accept", false},
    {"SSL_read", false},         {"SSL_write", false},   {"SSL_read_ex", true},
    {"SSL_write_ex", true},
};

struct ec_openssl {
	struct openssl_bpf *skel;
	GPtrArray *links; /* struct bpf_link * */
	guint n_libs;
};

static int attach_fn(struct ec_openssl *s, const char *path, const char *fn, guint lib_id,
                     pid_t pid, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = fn, .retprobe = retprobe,
	            .bpf_cookie = lib_id);
	struct bpf_program *prog =
	    retprobe ? s->skel->progs.ec_ssl_exit : s->skel->progs.ec_ssl_enter;
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, pid, path, 0, &uo);

	if (!link)
		return -errno;
	g_ptr_array_add(s->links, link);
	return 0;
}

/*
 * Probe every hooked function of one library; with a PID filter only in those processes, so the
 * others never pay for a breakpoint.
 */
static int attach_lib(struct ec_openssl *s, const struct ec_lib_file *lib, guint lib_id,
                      GArray *pids, GError **err)
{
	guint n_pids = pids->len ? pids->len : 1;
	guint before = s->links->len;

	for (size_t i = 0; i < G_N_ELEMENTS(hooked_functions); i++) {
		for (guint p = 0; p < n_pids; p++) {
			pid_t pid = pids->len ? g_array_index(pids, pid_t, p) : -1;
			int ret =
			    attach_fn(s, lib->path, hooked_functions[i].name, lib_id, pid, false);

			if (!ret)
				ret = attach_fn(s, lib->path, hooked_functions[i].name, lib_id, pid,
				                true);
			if (ret == -ENOENT && hooked_functions[i].optional)
				break;
			if (ret) {
				char where[32] = "";

				if (pid > 0)
					snprintf(where, sizeof(where), " in process %d", pid);
				g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
				            "%s: cannot probe %s%s: %s", lib->path,
				            hooked_functions[i].name, where, g_strerror(-ret));
				/* All of this library's probes or none. */
				g_ptr_array_remove_range(s->links, before, s->links->len - before);
				return -1;
			}
		}
	}
	return 0;
}

static void link_destroy(gpointer link)
{
	bpf_link__destroy(link);
}

static struct ec_openssl *load(struct ec_bpf_shared *shared, GError **err)
{
	struct ec_openssl *s = g_new0(struct ec_openssl, 1);
	int ret;

	s->links = g_ptr_array_new_with_free_func(link_destroy);
	s->skel = openssl_bpf__open();
	if (!s->skel) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the OpenSSL BPF object");
		goto fail;
	}
	if (ec_bpf_shared_prepare(shared, s->skel->obj, err))
		goto fail;
	ret = openssl_bpf__load(s->skel);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot load the OpenSSL BPF programs: %s", g_strerror(-ret));
		goto fail;
	}
	if (ec_bpf_shared_adopt(shared, s->skel->obj, err))
		goto fail;
	return s;
fail:
	ec_openssl_destroy(s);
	return NULL;
}

struct ec_openssl *ec_openssl_start(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                                    GError **err)
{
	g_autoptr(GPtrArray) libs = ec_find_libssl((const char *const *)o->libssl, err);
	struct ec_openssl *s;
	int layouts_fd;

	if (!libs)
		return NULL;
	s = load(shared, err);
	if (!s)
		return NULL;
	layouts_fd = bpf_map__fd(s->skel->maps.ec_ssl_layouts);

	for (guint i = 0; i < libs->len; i++) {
		const struct ec_lib_file *lib = libs->pdata[i];
		g_autoptr(GError) lerr = NULL;
		g_autofree char *version = NULL;
		struct ec_ssl_layout layout;
		guint lib_id = s->n_libs;

		if (lib_id >= EC_MAX_LIBS) {
			g_warning("more than %d OpenSSL libraries: %s and later ones not traced",
			          EC_MAX_LIBS, lib->path);
			break;
		}
		if (ec_ssl_layout_calibrate(lib->path, &layout, &version, &lerr)) {
			if (lib->requested) {
				g_propagate_error(err, g_steal_pointer(&lerr));
				goto fail;
			}
			g_warning("not tracing %s: %s", lib->path, lerr->message);
			continue;
		}
		if (bpf_map_update_elem(layouts_fd, &lib_id, &layout, BPF_ANY)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot store the layout of %s: %s", lib->path,
			            g_strerror(errno));
			goto fail;
		}
		if (attach_lib(s, lib, lib_id, o->pids, &lerr)) {
			if (lib->requested) {
				g_propagate_error(err, g_steal_pointer(&lerr));
				goto fail;
			}
			g_warning("not tracing %s: %s", lib->path, lerr->message);
			continue;
		}
		g_message("tracing %s (%s)", lib->path, version ? version : "OpenSSL");
		s->n_libs++;
	}
	if (s->n_libs == 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no OpenSSL library that can be traced was found");
		goto fail;
	}
	return s;
fail:
	ec_openssl_destroy(s);
	return NULL;
}

guint ec_openssl_n_libs(const struct ec_openssl *s)
{
	return s->n_libs;
}

void ec_openssl_destroy(struct ec_openssl *s)
{
	if (!s)
		return;
	g_ptr_array_unref(s->links);
	openssl_bpf__destroy(s->skel);
	g_free(s);
}
