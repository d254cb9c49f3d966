// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <glib.h>

#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "targets/libraries.h"
#include "modules/module.h"
#include "openssl.skel.h"
#include "layouts/ssl_layout.h"
#include "probes/uprobe_module.h"

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
	GPtrArray *libs; /* struct ec_target_file *, indexed by lib_id */
	guint n_libs;
};

static void destroy(void *state);

EC_UPROBE_SKEL(openssl_skel, openssl_bpf, "OpenSSL");

static struct ec_openssl *load(struct ec_bpf_shared *shared, GError **err)
{
	struct ec_openssl *s = g_new0(struct ec_openssl, 1);

	s->libs = g_ptr_array_new_with_free_func(ec_target_file_free);
	s->skel = ec_uprobe_skel_load(&openssl_skel, shared, &s->uprobes, err);
	if (!s->skel) {
		destroy(s);
		return NULL;
	}
	return s;
}

/*
 * Measure each library's layout and hand it to the probes; the usable ones go to s->libs.
 * Returns -1 on a failure that ends the capture, else how many libraries can be traced.
 */
static int calibrate_libs(struct ec_openssl *s, GPtrArray *libs, GError **err)
{
	int layouts_fd = bpf_map__fd(s->skel->maps.ec_ssl_layouts);

	for (guint i = 0; i < libs->len; i++) {
		struct ec_target_file *lib = libs->pdata[i];
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
			if (ec_probe_failed(lib, &lerr, err))
				return -1;
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
		const struct ec_target_file *lib = s->libs->pdata[lib_id];
		int r = ec_probe_file(s->uprobes, s->skel->progs.ec_ssl_entry,
		                      s->skel->progs.ec_ssl_return, lib, hooked_functions,
		                      G_N_ELEMENTS(hooked_functions), lib_id, o->pids, err);

		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* left out with a warning */
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
