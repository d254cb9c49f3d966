// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <glib.h>

#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "lib_discovery.h"
#include "module.h"
#include "openssl.skel.h"
#include "ssl_layout.h"
#include "uprobe_attach.h"
#include "uprobe_multi.h"

/*
 * The probed functions. After any of them returns, a finished handshake's secrets are in the SSL
 * object; the data calls also give the plaintext; SSL_new and SSL_clear tell a reused SSL
 * address (malloc hands out freed ones) from the connection it had before.
 */
static const struct ec_uprobe_fn hooked_functions[] = {
    {"SSL_do_handshake", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_connect", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_accept", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_read", EC_FN_READ, true, true, false},
    {"SSL_write", EC_FN_WRITE, true, true, false},
    {"SSL_read_ex", EC_FN_READ_EX, true, true, true}, /* OpenSSL >= 1.1.1 */
    {"SSL_write_ex", EC_FN_WRITE_EX, true, true, true},
    {"SSL_new", EC_FN_NEW, false, true, false},
    {"SSL_clear", EC_FN_CLEAR, true, false, false},
};

struct ec_openssl {
	struct openssl_bpf *skel;
	struct ec_uprobes *uprobes;
	GPtrArray *libs; /* struct ec_lib_file *, indexed by lib_id */
	guint n_libs;
};

/*
 * Probe every hooked function of one library; with a PID filter only in those processes, so the
 * others never pay for a breakpoint.
 */
static int attach_lib(struct ec_openssl *s, const struct ec_lib_file *lib, guint lib_id,
                      GArray *pids, GError **err)
{
	guint n_pids = pids->len ? pids->len : 1;

	for (guint p = 0; p < n_pids; p++) {
		pid_t pid = pids->len ? g_array_index(pids, pid_t, p) : -1;

		if (ec_uprobes_attach(s->uprobes, s->skel->progs.ec_ssl_entry,
		                      s->skel->progs.ec_ssl_return, lib->path, hooked_functions,
		                      G_N_ELEMENTS(hooked_functions), lib_id, pid, err))
			return -1;
	}
	return 0;
}

static void destroy(void *state);

/* Open and load the object, its uprobe programs loaded for uprobe_multi if MULTI. */
static int open_and_load(struct ec_openssl *s, struct ec_bpf_shared *shared, bool multi,
                         GError **err)
{
	int ret;

	s->skel = openssl_bpf__open();
	if (!s->skel) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the OpenSSL BPF object");
		return -1;
	}
	if (multi) {
		bpf_program__set_expected_attach_type(s->skel->progs.ec_ssl_entry,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(s->skel->progs.ec_ssl_return,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
	}
	if (ec_bpf_shared_prepare(shared, s->skel->obj, err))
		return -1;
	ret = openssl_bpf__load(s->skel);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot load the OpenSSL BPF programs: %s", g_strerror(-ret));
		return -1;
	}
	return 0;
}

static struct ec_openssl *load(struct ec_bpf_shared *shared, GError **err)
{
	struct ec_openssl *s = g_new0(struct ec_openssl, 1);
	g_autoptr(GError) multi_err = NULL;
	bool multi = true;

	s->libs = g_ptr_array_new_with_free_func(ec_lib_file_free);
	/*
	 * Kernels before 6.6 refuse the uprobe_multi attach type: fall back to perf uprobes.
	 * ECAPTURE_NO_UPROBE_MULTI=1 takes the fallback on any kernel (the tests use it).
	 */
	if (g_strcmp0(g_getenv("ECAPTURE_NO_UPROBE_MULTI"), "1") == 0) {
		multi = false;
		if (open_and_load(s, shared, false, err))
			goto fail;
	} else if (open_and_load(s, shared, true, &multi_err)) {
		g_debug("no uprobe_multi (%s): one perf uprobe per function", multi_err->message);
		openssl_bpf__destroy(s->skel);
		multi = false;
		if (open_and_load(s, shared, false, err))
			goto fail;
	}
	s->uprobes = ec_uprobes_new(multi);
	if (ec_bpf_shared_adopt(shared, s->skel->obj, err))
		goto fail;
	return s;
fail:
	destroy(s);
	return NULL;
}

/*
 * Measure each library's layout and hand it to the probes; the usable ones go to s->libs.
 * Returns -1 on a failure that ends the capture, else how many libraries can be traced.
 */
static int calibrate_libs(struct ec_openssl *s, GPtrArray *libs, GError **err)
{
	int layouts_fd = bpf_map__fd(s->skel->maps.ec_ssl_layouts);

	for (guint i = 0; i < libs->len; i++) {
		struct ec_lib_file *lib = libs->pdata[i];
		g_autoptr(GError) lerr = NULL;
		g_autofree char *version = NULL, *described = NULL;
		struct ec_ssl_layout layout;
		guint lib_id = s->libs->len;

		if (lib_id >= EC_MAX_LIBS) {
			g_warning("more than %d OpenSSL libraries: %s and later ones not traced",
			          EC_MAX_LIBS, lib->path);
			break;
		}
		if (ec_ssl_layout_calibrate(lib->path, &layout, &version, &lerr)) {
			if (lib->requested) {
				g_propagate_error(err, g_steal_pointer(&lerr));
				return -1;
			}
			g_warning("not tracing %s: %s", lib->path, lerr->message);
			continue;
		}
		if (bpf_map_update_elem(layouts_fd, &lib_id, &layout, BPF_ANY)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot store the layout of %s: %s", lib->path,
			            g_strerror(errno));
			return -1;
		}
		described = ec_ssl_layout_describe(&layout);
		g_debug("%s (%s): %s", lib->path, version, described);
		/* The index in s->libs is the lib_id the probes get as their cookie. */
		g_ptr_array_add(s->libs, g_ptr_array_steal_index(libs, i--));
	}
	return s->libs->len;
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & EC_TLSLIB_OPENSSL);
}

static void destroy(void *state)
{
	struct ec_openssl *s = state;

	if (!s)
		return;
	ec_uprobes_free(s->uprobes);
	g_ptr_array_unref(s->libs);
	openssl_bpf__destroy(s->skel);
	g_free(s);
}

static void *module_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                         GError **err)
{
	g_autoptr(GPtrArray) libs = ec_find_libssl((const char *const *)o->libssl, err);
	struct ec_openssl *s;
	int n;

	if (!libs)
		return NULL;
	if (libs->len == 0)
		return NULL; /* nothing to trace */
	s = load(shared, err);
	if (!s)
		return NULL;
	n = calibrate_libs(s, libs, err);
	if (n <= 0) {
		destroy(s);
		return NULL;
	}
	return s;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct ec_openssl *s = state;

	for (guint lib_id = 0; lib_id < s->libs->len; lib_id++) {
		const struct ec_lib_file *lib = s->libs->pdata[lib_id];
		g_autoptr(GError) lerr = NULL;

		if (attach_lib(s, lib, lib_id, o->pids, &lerr)) {
			if (lib->requested) {
				g_propagate_error(err, g_steal_pointer(&lerr));
				return -1;
			}
			g_warning("not tracing %s: %s", lib->path, lerr->message);
			continue;
		}
		g_message("tracing %s", lib->path);
		s->n_libs++;
	}
	if (!s->n_libs) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no OpenSSL library could be probed");
		return -1;
	}
	return 0;
}

static char *describe(void *state)
{
	struct ec_openssl *s = state;

	return g_strdup_printf("OpenSSL: %u librar%s", s->n_libs, s->n_libs == 1 ? "y" : "ies");
}

const struct ec_module_ops ec_mod_openssl = {
    .name = "openssl",
    .tls = true,
    .wanted = wanted,
    .load = module_load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
