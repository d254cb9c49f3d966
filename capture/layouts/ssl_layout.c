// SPDX-License-Identifier: GPL-2.0-or-later
#include "layouts/ssl_layout.h"

#include <stdbool.h>
#include <string.h>

#include "ecapture/ssl_layout_fields.h"
#include "layouts/helper_run.h"
#include "layouts/layout_cache.h"
#include "targets/ssl_version.h"

#define MAX_OFFSET         16384 /* the helper searches no further into an object */
#define FIELD_NAME(f, req) #f,
#define FIELD_REQ(f, req)  req,

static const char *const field_names[] = {EC_SSL_LAYOUT_FIELDS(FIELD_NAME)};
static const int field_required[] = {EC_SSL_LAYOUT_FIELDS(FIELD_REQ)};
#define N_FIELDS ((int)G_N_ELEMENTS(field_names))

G_STATIC_ASSERT(sizeof(struct ec_ssl_layout) == G_N_ELEMENTS(field_names) * sizeof(__s32));

static const struct ec_layout_spec spec = {field_names, field_required, N_FIELDS, MAX_OFFSET};
static struct ec_layout_cache cache;

void ec_ssl_layout_init_absent(struct ec_ssl_layout *l)
{
	ec_layout_init_absent(&spec, (__s32 *)l);
}

gchar *ec_ssl_layout_describe(const struct ec_ssl_layout *l)
{
	return ec_layout_describe(&spec, (const __s32 *)l);
}

/* Detects, runs the helper, validates: the uncached work. */
static gboolean calibrate(const char *path, const char *root, const struct ec_layout_snapshot *snap,
                          __s32 *layout, gchar **version_text, GError **err)
{
	struct ec_openssl_version v;
	struct ec_helper_result r = {0};
	GHashTable *kv = NULL;
	gchar *helper, *reason = NULL;
	GError *local = NULL;
	gboolean ok = FALSE;
	const char *text, *status;

	if (ec_openssl_version_detect(path, &v, err) < 0)
		return FALSE;
	helper = ec_helper_find(&local);
	if (helper) {
		/* the bytes hashed; a static build carries its own libcrypto (no companion) */
		gchar *argv[] = {helper, "openssl", (gchar *)snap->lib, (gchar *)snap->companion,
		                 NULL};

		kv = ec_helper_ask(argv, path, root, &r, &local);
	}
	if (!kv) {
		g_set_error(err, EC_LAYOUT_ERROR,
		            local->domain == EC_LAYOUT_ERROR ? local->code : EC_LAYOUT_ERROR_HELPER,
		            "%s at %s: layout could not be calibrated: %s", v.text, path,
		            local->message);
	} else if (!(status = g_hash_table_lookup(kv, "status")) || strcmp(status, "ok") != 0) {
		reason = ec_helper_failure_reason(kv, &r);
		g_set_error(err, EC_LAYOUT_ERROR,
		            status ? EC_LAYOUT_ERROR_FAILED : EC_LAYOUT_ERROR_HELPER,
		            "%s at %s: layout could not be calibrated: %s", v.text, path, reason);
	} else if (!ec_layout_parse(&spec, kv, layout, &local)) {
		g_set_error(err, EC_LAYOUT_ERROR, local->code,
		            "%s at %s: layout could not be calibrated: %s", v.text, path,
		            local->message);
	} else if (!(text = g_hash_table_lookup(kv, "version_text")) || strcmp(text, v.text) != 0) {
		/* the helper loaded another libcrypto than the one the files name */
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
		            "%s at %s: layout could not be calibrated: the loaded library reports "
		            "\"%s\"",
		            v.text, path, text ? text : "no version");
	} else {
		*version_text = g_strdup(text);
		ok = TRUE;
	}
	g_free(reason);
	g_clear_error(&local);
	if (kv)
		g_hash_table_destroy(kv);
	ec_helper_result_clear(&r);
	g_free(helper);
	ec_openssl_version_clear(&v);
	return ok;
}

int ec_ssl_layout_calibrate(const char *libssl_path, struct ec_ssl_layout *out, char **version_text,
                            GError **err)
{
	return ec_ssl_layout_calibrate_in(libssl_path, NULL, out, version_text, err);
}

/*
 * DIR/libcrypto<rest> beside DIR/libssl<rest> (g_free), or NULL: the libcrypto a libssl that
 * carries its own version text (1.1.1) needs. The helper is given copies of the files, so it
 * cannot look beside them itself.
 */
static gchar *sibling_libcrypto(const char *libssl_path)
{
	g_autofree gchar *base = g_path_get_basename(libssl_path);
	g_autofree gchar *dir = g_path_get_dirname(libssl_path);
	gchar *crypto;

	if (!g_str_has_prefix(base, "libssl"))
		return NULL;
	crypto = g_strdup_printf("%s/libcrypto%s", dir, base + 6);
	if (g_file_test(crypto, G_FILE_TEST_IS_REGULAR))
		return crypto;
	g_free(crypto);
	return NULL;
}

/* Calibrated, or found (WAIT false: ec_layout_find_cached). */
static int layout_of(const char *libssl_path, const char *root, bool wait,
                     struct ec_ssl_layout *out, char **version_text, GError **err)
{
	struct ec_openssl_version v = {0};
	g_autofree gchar *companion = sibling_libcrypto(libssl_path);
	gboolean detected = FALSE;
	int rc = -1;

	/*
	 * The layout is libssl's build, measured with its libcrypto (whose bytes are part of the
	 * cache's key): the one beside it, else the one the files name; the version text is that
	 * libcrypto's, which may differ between copies of one libssl: taken from the files, as
	 * calibrate() checks it. A cached answer reads no file but to hash it once.
	 */
	if (version_text)
		*version_text = NULL;
	ec_ssl_layout_init_absent(out);
	if (!companion || version_text) {
		if (ec_openssl_version_detect(libssl_path, &v, err) < 0)
			return -1;
		detected = TRUE;
		if (!companion && strcmp(v.libcrypto_path, libssl_path) != 0)
			companion = g_strdup(v.libcrypto_path);
	}
	rc = (wait ? ec_layout_calibrate_cached : ec_layout_find_cached)(
	    &cache, &spec, libssl_path, companion, root, calibrate, (__s32 *)out, NULL, err);
	if (rc == 0 && version_text)
		*version_text = g_strdup(v.text);
	if (detected)
		ec_openssl_version_clear(&v);
	return rc;
}

int ec_ssl_layout_calibrate_in(const char *libssl_path, const char *root, struct ec_ssl_layout *out,
                               char **version_text, GError **err)
{
	return layout_of(libssl_path, root, true, out, version_text, err);
}

int ec_ssl_layout_find_in(const char *libssl_path, const char *root, struct ec_ssl_layout *out,
                          char **version_text, GError **err)
{
	return layout_of(libssl_path, root, false, out, version_text, err);
}
