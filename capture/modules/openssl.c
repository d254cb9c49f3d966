// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OpenSSL: every libssl found (the system's, those mapped by running processes, --libssl),
 * probed by bpf/openssl.bpf.c. The probes read the secrets out of the SSL object, so a library
 * whose layout cannot be measured (layouts/ssl_layout.h) is not traced.
 */
#include <linux/types.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "ecapture/record.h"
#include "layouts/ssl_layout.h"
#include "modules/tls_family.h"
#include "openssl.skel.h"
#include "targets/libraries.h"
#include "targets/processes.h"

/*
 * The probed functions. After a handshake call returns, its secrets are in the SSL object.
 * SSL_new and SSL_clear tell a reused SSL address (malloc hands out freed ones) from the
 * connection it had before. SSL_shutdown and SSL_free also read the keys, which catches a
 * handshake done inside a data call; SSL_set_connect/accept_state announce one, and BIO_f_ssl a
 * connection whose I/O goes through a BIO_f_ssl BIO: such a process then gets its data calls
 * probed.
 */
static const struct ec_uprobe_fn session_functions[] = {
    {"SSL_do_handshake", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_connect", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_accept", EC_FN_HANDSHAKE, true, true, false},
    {"SSL_new", EC_FN_NEW, false, true, false},
    {"SSL_clear", EC_FN_CLEAR, true, false, false},
    {"SSL_shutdown", EC_FN_AFTER_IO, true, false, false},
    {"SSL_free", EC_FN_AFTER_IO, true, false, false},
    {"SSL_set_connect_state", EC_FN_SET_STATE, true, false, false},
    {"SSL_set_accept_state", EC_FN_SET_STATE, true, false, false},
    {"BIO_f_ssl", EC_FN_BIO_SSL, true, false, true},
};

/*
 * The data calls: their plaintext, and the keys of a handshake done inside them. A BIO_f_ssl
 * BIO (BIO_new_ssl*, openssl s_server -www) does its I/O through internal functions, but
 * OpenSSL calls SSL_get_error after each one: the only exported function such a connection is
 * sure to reach after its handshake.
 */
static const struct ec_uprobe_fn data_functions[] = {
    {"SSL_read", EC_FN_READ, true, true, false},
    {"SSL_write", EC_FN_WRITE, true, true, false},
    {"SSL_read_ex", EC_FN_READ_EX, true, true, true}, /* OpenSSL >= 1.1.1 */
    {"SSL_write_ex", EC_FN_WRITE_EX, true, true, true},
    {"SSL_get_error", EC_FN_AFTER_IO, true, false, false},
};

/*
 * Programs with OpenSSL linked in (node bundles it): found, so that they are reported and
 * skipped (plan), with the reason, in the log and in --list-targets.
 */
#define STATIC_OPENSSL_WHY                                                                         \
	"OpenSSL linked statically into this program (as node bundles it): not supported yet, "    \
	"its "                                                                                     \
	"connections are not decrypted"

static bool is_static_openssl(const struct ec_target_file *f)
{
	g_autofree char *base = g_path_get_basename(f->path);

	return !f->requested && !ec_is_libssl_name(base) && ec_exe_has_static_openssl(f->path);
}

/* Move the programs of EXES (freed) with OpenSSL linked in to FILES. */
static void add_static(GPtrArray *files, GPtrArray *exes)
{
	for (guint i = 0; exes && i < exes->len;) {
		if (is_static_openssl(exes->pdata[i]))
			g_ptr_array_add(files, g_ptr_array_steal_index(exes, i));
		else
			i++; /* freed with EXES */
	}
	if (exes)
		g_ptr_array_unref(exes);
}

static GPtrArray *find(const struct ec_capture_opts *o, GError **err)
{
	GPtrArray *files = ec_find_libssl((const char *const *)o->libssl, err);

	if (files)
		add_static(files, ec_find_exes(NULL, NULL));
	return files;
}

static GPtrArray *find_in_process(pid_t pid)
{
	GPtrArray *files = ec_find_libs_of_process(ec_is_libssl_name, pid);

	add_static(files, ec_find_exe_of_process(pid));
	return files;
}

/*
 * The library's layout, measured by the calibration helper, and its functions. Until it is
 * measured (in the background), EC_LAYOUT_ERROR_PENDING.
 */
static int plan(struct ec_tls_target *t, uint32_t id, GError **err)
{
	g_autofree char *described = NULL;
	struct ec_ssl_layout layout;

	if (is_static_openssl(t->file)) {
		g_set_error_literal(err, EC_ERROR, EC_ERROR_UNSUPPORTED, STATIC_OPENSSL_WHY);
		return -1;
	}
	if (ec_ssl_layout_find_in(t->file->path, t->file->root, &layout, &t->version, err) ||
	    ec_uprobe_points_add_fns(&t->points, t->file->path, session_functions,
	                             G_N_ELEMENTS(session_functions), id, false, err) ||
	    ec_tls_target_add_data_fns(t, data_functions, G_N_ELEMENTS(data_functions), id, err))
		return -1;
	described = ec_ssl_layout_describe(&layout);
	g_debug("%s (%s): %s", t->file->path, t->version, described);
	t->layout = g_memdup2(&layout, sizeof(layout));
	t->keys = g_strdup("from the SSL object, layout calibrated");
	return 1;
}

static const struct ec_tls_module_desc openssl_desc = {
    .label = "OpenSSL",
    .unit = "library",
    .units = "libraries",
    .tracing = "",
    .tls_lib = EC_TLSLIB_OPENSSL,
    .source = EC_RECORD_SRC_OPENSSL,
    .object = {.what = "OpenSSL",
               .name = "openssl_bpf",
               .elf_bytes = openssl_bpf__elf_bytes,
               .entry = "ec_ssl_entry",
               .ret = "ec_ssl_return"},
    .layout_map = "ec_ssl_layouts",
    .required = true,
    .find = find,
    .find_in_process = find_in_process,
    .plan = plan,
};

EC_TLS_MODULE(ec_mod_openssl, "openssl", openssl_desc);
