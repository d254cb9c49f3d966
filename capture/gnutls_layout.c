// SPDX-License-Identifier: GPL-2.0-or-later
#include "gnutls_layout.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "calibrate/gtls_fields.h"
#include "helper_run.h"
#include "ssl_layout.h"

#define MAX_OFFSET         32768 /* the helper searches no further into a session */
#define FIELD_NAME(f, req) #f,
#define FIELD_REQ(f, req)  req,

static const char *const field_names[] = {EC_GNUTLS_LAYOUT_FIELDS(FIELD_NAME)};
static const int field_required[] = {EC_GNUTLS_LAYOUT_FIELDS(FIELD_REQ)};
#define N_FIELDS ((int)G_N_ELEMENTS(field_names))

G_STATIC_ASSERT(sizeof(struct ec_gnutls_layout) == G_N_ELEMENTS(field_names) * sizeof(__s32));

struct cache_entry {
	struct ec_gnutls_layout layout;
	gchar *version_text;
	GError *error;
};

static GMutex cache_lock;
static GHashTable *cache; /* "dev:ino:size:mtime" -> struct cache_entry */

static __s32 *field(struct ec_gnutls_layout *l, int i)
{
	return (__s32 *)l + i;
}

gchar *ec_gnutls_layout_describe(const struct ec_gnutls_layout *l)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < N_FIELDS; i++) {
		__s32 v = *field((struct ec_gnutls_layout *)l, i);

		g_string_append_printf(s, i ? " %s=" : "%s=", field_names[i]);
		if (v < 0)
			g_string_append_c(s, '-');
		else
			g_string_append_printf(s, "0x%x", (unsigned int)v);
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

static gboolean parse_layout(GHashTable *kv, struct ec_gnutls_layout *l, GError **err)
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

/* Runs the helper and validates what it says: the uncached work. */
static gboolean calibrate(const char *path, struct cache_entry *e, GError **err)
{
	struct ec_helper_result r = {0};
	g_autoptr(GError) local = NULL;
	g_autofree gchar *helper = ec_helper_find(&local);
	g_autofree gchar *reason = NULL;
	GHashTable *kv = NULL;
	const char *status, *text;
	gboolean ok = FALSE;

	if (helper) {
		gchar *argv[] = {helper, "gnutls", (gchar *)path, NULL};

		if (ec_helper_run(argv, &r, &local))
			kv = ec_helper_parse(r.out->str, &local);
	}
	if (!kv) {
		g_set_error(
		    err, EC_SSL_LAYOUT_ERROR,
		    local->domain == EC_SSL_LAYOUT_ERROR ? local->code : EC_SSL_LAYOUT_ERROR_HELPER,
		    "GnuTLS at %s: layout could not be calibrated: %s", path, local->message);
	} else if (!(status = g_hash_table_lookup(kv, "status")) || strcmp(status, "ok") != 0) {
		reason = ec_helper_failure_reason(kv, &r);
		text = g_hash_table_lookup(kv, "version_text");
		g_set_error(err, EC_SSL_LAYOUT_ERROR,
		            status ? EC_SSL_LAYOUT_ERROR_FAILED : EC_SSL_LAYOUT_ERROR_HELPER,
		            "GnuTLS %s at %s: layout could not be calibrated: %s", text ? text : "",
		            path, reason);
	} else if (!parse_layout(kv, &e->layout, &local)) {
		g_set_error(err, EC_SSL_LAYOUT_ERROR, local->code,
		            "GnuTLS at %s: layout could not be calibrated: %s", path,
		            local->message);
	} else {
		text = g_hash_table_lookup(kv, "version_text");
		e->version_text = g_strdup(text ? text : "?");
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
	struct cache_entry *e;
	struct stat st;
	gchar *key;
	int rc;

	memset(out, 0xff, sizeof(*out));
	if (version_text)
		*version_text = NULL;
	if (stat(path, &st) < 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", path,
		            g_strerror(errsv));
		return -1;
	}
	key =
	    g_strdup_printf("%jx:%jx:%jd:%jd.%09ld", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
	                    (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	g_mutex_lock(&cache_lock);
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_entry_free);
	e = g_hash_table_lookup(cache, key);
	if (!e) {
		e = g_new0(struct cache_entry, 1);
		memset(&e->layout, 0xff, sizeof(e->layout));
		if (!calibrate(path, e, &e->error))
			memset(&e->layout, 0xff, sizeof(e->layout));
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
