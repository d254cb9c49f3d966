// SPDX-License-Identifier: GPL-2.0-or-later
#include "ssl_layout.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "calibrate/layout_fields.h"
#include "helper_run.h"
#include "ssl_version.h"

#define MAX_OFFSET         16384 /* the helper searches no further into an object */
#define FIELD_NAME(f, req) #f,
#define FIELD_REQ(f, req)  req,

static const char *const field_names[] = {EC_SSL_LAYOUT_FIELDS(FIELD_NAME)};
static const int field_required[] = {EC_SSL_LAYOUT_FIELDS(FIELD_REQ)};
#define N_FIELDS ((int)G_N_ELEMENTS(field_names))

G_STATIC_ASSERT(sizeof(struct ec_ssl_layout) == G_N_ELEMENTS(field_names) * sizeof(__s32));

G_DEFINE_QUARK(ec - ssl - layout - error - quark, ec_ssl_layout_error)

struct cache_entry {
	struct ec_ssl_layout layout;
	gchar *version_text;
	GError *error; /* a failure is remembered too: it would fail the same way again */
};

static GMutex cache_lock;
static GHashTable *cache; /* "dev:ino:size:mtime" -> struct cache_entry */

static __s32 *field(struct ec_ssl_layout *l, int i)
{
	return (__s32 *)l + i;
}

void ec_ssl_layout_init_absent(struct ec_ssl_layout *l)
{
	for (int i = 0; i < N_FIELDS; i++)
		*field(l, i) = -1;
}

gchar *ec_ssl_layout_describe(const struct ec_ssl_layout *l)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < N_FIELDS; i++) {
		__s32 v = *field((struct ec_ssl_layout *)l, i);

		if (i)
			g_string_append_c(s, ' ');
		if (v < 0)
			g_string_append_printf(s, "%s=-", field_names[i]);
		else
			g_string_append_printf(s, "%s=0x%x", field_names[i], (unsigned int)v);
	}
	return g_string_free(s, FALSE);
}

static void cache_entry_free(gpointer p)
{
	struct cache_entry *e = p;

	g_free(e->version_text);
	g_clear_error(&e->error);
	g_free(e);
}

static gboolean parse_layout(GHashTable *kv, struct ec_ssl_layout *l, GError **err)
{
	for (int i = 0; i < N_FIELDS; i++) {
		const char *v = g_hash_table_lookup(kv, field_names[i]);
		gint64 n;

		if (!v || !g_ascii_string_to_signed(v, 10, -1, MAX_OFFSET, &n, NULL)) {
			g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper gave %s for %s",
			            v ? "an invalid offset" : "no offset", field_names[i]);
			return FALSE;
		}
		if (n < 0 && field_required[i]) {
			g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper reported success without the required %s",
			            field_names[i]);
			return FALSE;
		}
		*field(l, i) = (__s32)n;
	}
	return TRUE;
}

/* Detects, runs the helper, validates: the uncached work. */
static gboolean calibrate(const char *path, struct cache_entry *e, GError **err)
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
		gchar *argv[] = {helper, "openssl", (gchar *)path,
		                 /* a static build carries its own libcrypto */
		                 strcmp(v.libcrypto_path, path) ? v.libcrypto_path : NULL, NULL};

		if (ec_helper_run(argv, &r, &local))
			kv = ec_helper_parse(r.out->str, &local);
	}
	if (!kv) {
		g_set_error(
		    err, EC_SSL_LAYOUT_ERROR,
		    local->domain == EC_SSL_LAYOUT_ERROR ? local->code : EC_SSL_LAYOUT_ERROR_HELPER,
		    "%s at %s: layout could not be calibrated: %s", v.text, path, local->message);
	} else if (!(status = g_hash_table_lookup(kv, "status")) || strcmp(status, "ok") != 0) {
		reason = ec_helper_failure_reason(kv, &r);
		g_set_error(err, EC_SSL_LAYOUT_ERROR,
		            status ? EC_SSL_LAYOUT_ERROR_FAILED : EC_SSL_LAYOUT_ERROR_HELPER,
		            "%s at %s: layout could not be calibrated: %s", v.text, path, reason);
	} else if (!parse_layout(kv, &e->layout, &local)) {
		g_set_error(err, EC_SSL_LAYOUT_ERROR, local->code,
		            "%s at %s: layout could not be calibrated: %s", v.text, path,
		            local->message);
	} else if (!(text = g_hash_table_lookup(kv, "version_text")) || strcmp(text, v.text) != 0) {
		/* the helper loaded another libcrypto than the one the files name */
		g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
		            "%s at %s: layout could not be calibrated: the loaded library reports "
		            "\"%s\"",
		            v.text, path, text ? text : "no version");
	} else {
		e->version_text = g_strdup(text);
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
	struct cache_entry *e;
	struct stat st;
	gchar *key;
	int rc;

	ec_ssl_layout_init_absent(out);
	if (version_text)
		*version_text = NULL;
	if (stat(libssl_path, &st) < 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s",
		            libssl_path, g_strerror(errsv));
		return -1;
	}
	key =
	    g_strdup_printf("%jx:%jx:%jd:%jd.%09ld", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
	                    (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	/* held throughout: one calibration per library even when asked concurrently */
	g_mutex_lock(&cache_lock);
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_entry_free);
	e = g_hash_table_lookup(cache, key);
	if (!e) {
		e = g_new0(struct cache_entry, 1);
		ec_ssl_layout_init_absent(&e->layout);
		if (!calibrate(libssl_path, e, &e->error))
			ec_ssl_layout_init_absent(&e->layout);
		g_hash_table_insert(cache, key, e);
		key = NULL;
	}
	if (e->error) {
		g_propagate_error(err, g_error_copy(e->error));
	} else {
		*out = e->layout;
		if (version_text)
			*version_text = g_strdup(e->version_text);
	}
	rc = e->error ? -1 : 0;
	g_mutex_unlock(&cache_lock);
	g_free(key);
	return rc;
}
