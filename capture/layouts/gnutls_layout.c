// SPDX-License-Identifier: GPL-2.0-or-later
#include "layouts/gnutls_layout.h"

#include <errno.h>
#include <string.h>

#include "ecapture/gnutls_layout_fields.h"
#include "layouts/helper_run.h"
#include "layouts/layout_cache.h"

#define MAX_OFFSET         32768 /* the helper searches no further into a session */
#define FIELD_NAME(f, req) #f,
#define FIELD_REQ(f, req)  req,

static const char *const field_names[] = {EC_GNUTLS_LAYOUT_FIELDS(FIELD_NAME)};
static const int field_required[] = {EC_GNUTLS_LAYOUT_FIELDS(FIELD_REQ)};
#define N_FIELDS ((int)G_N_ELEMENTS(field_names))

G_STATIC_ASSERT(sizeof(struct ec_gnutls_layout) == G_N_ELEMENTS(field_names) * sizeof(__s32));

static const struct ec_layout_spec spec = {field_names, field_required, N_FIELDS, MAX_OFFSET};
static struct ec_layout_cache cache;

gchar *ec_gnutls_layout_describe(const struct ec_gnutls_layout *l)
{
	return ec_layout_describe(&spec, (const __s32 *)l);
}

/* Runs the helper and validates what it says: the uncached work. */
static gboolean calibrate(const char *path, const char *root, const struct ec_layout_snapshot *snap,
                          __s32 *layout, gchar **version_text, GError **err)
{
	struct ec_helper_result r = {0};
	g_autoptr(GError) local = NULL;
	g_autofree gchar *helper = ec_helper_find(&local);
	g_autofree gchar *reason = NULL;
	GHashTable *kv = NULL;
	const char *status, *text;
	gboolean ok = FALSE;

	if (helper) {
		gchar *argv[] = {helper, "gnutls", (gchar *)snap->lib, NULL}; /* the bytes hashed */

		kv = ec_helper_ask(argv, path, root, &r, &local);
	}
	if (!kv) {
		g_set_error(err, EC_LAYOUT_ERROR,
		            local->domain == EC_LAYOUT_ERROR ? local->code : EC_LAYOUT_ERROR_HELPER,
		            "GnuTLS at %s: layout could not be calibrated: %s", path,
		            local->message);
	} else if (!(status = g_hash_table_lookup(kv, "status")) || strcmp(status, "ok") != 0) {
		reason = ec_helper_failure_reason(kv, &r);
		text = g_hash_table_lookup(kv, "version_text");
		g_set_error(err, EC_LAYOUT_ERROR,
		            status ? EC_LAYOUT_ERROR_FAILED : EC_LAYOUT_ERROR_HELPER,
		            "GnuTLS %s at %s: layout could not be calibrated: %s", text ? text : "",
		            path, reason);
	} else if (!ec_layout_parse(&spec, kv, layout, &local)) {
		g_set_error(err, EC_LAYOUT_ERROR, local->code,
		            "GnuTLS at %s: layout could not be calibrated: %s", path,
		            local->message);
	} else {
		text = g_hash_table_lookup(kv, "version_text");
		*version_text = g_strdup(text ? text : "?");
		ok = TRUE;
	}
	if (kv)
		g_hash_table_destroy(kv);
	ec_helper_result_clear(&r);
	return ok;
}

int ec_gnutls_layout_calibrate(const char *path, struct ec_gnutls_layout *out, char **version_text,
                               GError **err)
{
	return ec_gnutls_layout_calibrate_in(path, NULL, out, version_text, err);
}

int ec_gnutls_layout_calibrate_in(const char *path, const char *root, struct ec_gnutls_layout *out,
                                  char **version_text, GError **err)
{
	return ec_layout_calibrate_cached(&cache, &spec, path, NULL, root, calibrate, (__s32 *)out,
	                                  version_text, err);
}

int ec_gnutls_layout_find_in(const char *path, const char *root, struct ec_gnutls_layout *out,
                             char **version_text, GError **err)
{
	return ec_layout_find_cached(&cache, &spec, path, NULL, root, calibrate, (__s32 *)out,
	                             version_text, err);
}
