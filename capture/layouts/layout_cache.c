// SPDX-License-Identifier: GPL-2.0-or-later
#include "layouts/layout_cache.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "layouts/helper_run.h"
#include "targets/elf_info.h"

struct cache_entry {
	__s32 *v;
	gchar *version_text;
	GError *error;
};

gchar *ec_layout_describe(const struct ec_layout_spec *s, const __s32 *v)
{
	GString *out = g_string_new(NULL);

	for (int i = 0; i < s->n; i++) {
		g_string_append_printf(out, i ? " %s=" : "%s=", s->names[i]);
		if (v[i] < 0)
			g_string_append_c(out, '-');
		else
			g_string_append_printf(out, "0x%x", (unsigned int)v[i]);
	}
	return g_string_free(out, FALSE);
}

gboolean ec_layout_parse(const struct ec_layout_spec *s, GHashTable *kv, __s32 *v, GError **err)
{
	for (int i = 0; i < s->n; i++) {
		const char *text = g_hash_table_lookup(kv, s->names[i]);
		gint64 n;

		if (!text || !g_ascii_string_to_signed(text, 10, -1, s->max_offset, &n, NULL)) {
			g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper gave %s for %s",
			            text ? "an invalid offset" : "no offset", s->names[i]);
			return FALSE;
		}
		if (n < 0 && s->required[i]) {
			g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper reported success without the required %s",
			            s->names[i]);
			return FALSE;
		}
		v[i] = (__s32)n;
	}
	return TRUE;
}

void ec_layout_init_absent(const struct ec_layout_spec *s, __s32 *v)
{
	for (int i = 0; i < s->n; i++)
		v[i] = -1;
}

static void cache_entry_free(gpointer p)
{
	struct cache_entry *e = p;

	g_free(e->v);
	g_free(e->version_text);
	g_clear_error(&e->error);
	g_free(e);
}

/*
 * What identifies a file's build: its GNU build-id and size, so a copy at another path or in
 * another root (the same bytes) reuses the calibration; else device, inode, size and mtime.
 */
static gchar *file_identity(const char *path, const struct stat *st)
{
	struct ec_elf *elf = ec_elf_open(path, NULL);
	g_autofree gchar *build_id = elf ? ec_elf_build_id(elf, NULL) : NULL;

	ec_elf_close(elf);
	if (build_id)
		return g_strdup_printf("build-id:%s:%jd", build_id, (intmax_t)st->st_size);
	return g_strdup_printf("%jx:%jx:%jd:%jd.%09ld", (uintmax_t)st->st_dev,
	                       (uintmax_t)st->st_ino, (intmax_t)st->st_size,
	                       (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

int ec_layout_calibrate_cached(struct ec_layout_cache *c, const struct ec_layout_spec *s,
                               const char *path, const char *root, ec_layout_calibrate_fn fn,
                               __s32 *out, char **version_text, GError **err)
{
	struct cache_entry *e;
	struct stat st;
	gchar *key;
	int rc;

	ec_layout_init_absent(s, out);
	if (version_text)
		*version_text = NULL;
	if (stat(path, &st) < 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", path,
		            g_strerror(errsv));
		return -1;
	}
	key = file_identity(path, &st);

	/* held throughout: one calibration per library even when asked concurrently */
	g_mutex_lock(&c->lock);
	if (!c->entries)
		c->entries =
		    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_entry_free);
	e = g_hash_table_lookup(c->entries, key);
	if (!e) {
		e = g_new0(struct cache_entry, 1);
		e->v = g_new(__s32, s->n);
		ec_layout_init_absent(s, e->v);
		if (!fn(path, root, e->v, &e->version_text, &e->error))
			ec_layout_init_absent(s, e->v);
		g_hash_table_insert(c->entries, key, e);
		key = NULL;
	}
	if (e->error) {
		g_propagate_error(err, g_error_copy(e->error));
	} else {
		memcpy(out, e->v, sizeof(*out) * (size_t)s->n);
		if (version_text)
			*version_text = g_strdup(e->version_text);
	}
	rc = e->error ? -1 : 0;
	g_mutex_unlock(&c->lock);
	g_free(key);
	return rc;
}
