// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* memfd_create */
#include "layouts/layout_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layouts/calibrations.h"
#include "layouts/helper_run.h"

struct cache_entry {
	__s32 *v;
	gchar *version_text;
	GError *error;
	bool done; /* calibrated: until then the fields belong to the thread calibrating */
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

/* A file's identity while unchanged: any write changes its ctime. */
static gchar *stat_key(const struct stat *st)
{
	return g_strdup_printf("%jx:%jx:%jd:%jd.%09ld:%jd.%09ld", (uintmax_t)st->st_dev,
	                       (uintmax_t)st->st_ino, (intmax_t)st->st_size,
	                       (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	                       (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

static void set_errno_error(GError **err, const char *path, int errsv)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", path,
	            g_strerror(errsv));
}

/*
 * PATH copied into a memfd, and the SHA-256 of what was copied (SHA, g_free). Remembers the
 * hash under the file's identity when the file did not change while read. -1 with ERR. Called
 * without C's lock (it reads whole files).
 */
static int snapshot(struct ec_layout_cache *c, const char *path, gchar **sha, GError **err)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	struct stat before, after;
	char buf[65536];
	int fd, mfd = -1, errsv;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &before) < 0) {
		set_errno_error(err, path, errno);
		goto out;
	}
	if (!S_ISREG(before.st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file", path);
		goto out;
	}
	mfd = memfd_create("ecapture-layout-lib", MFD_CLOEXEC);
	if (mfd < 0) {
		set_errno_error(err, "memfd_create", errno);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(mfd, buf, (size_t)n) != n) {
			set_errno_error(err, path, n < 0 ? errno : EIO);
			close(mfd);
			mfd = -1;
			goto out;
		}
		g_checksum_update(sum, (const guchar *)buf, (gsize)n);
	}
	*sha = g_strdup(g_checksum_get_string(sum));
	if (fstat(fd, &after) == 0 && after.st_size == before.st_size &&
	    after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
	    after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
	    after.st_ctim.tv_nsec == before.st_ctim.tv_nsec) {
		g_mutex_lock(&c->lock);
		g_hash_table_replace(c->hashes, stat_key(&before), g_strdup(*sha));
		g_mutex_unlock(&c->lock);
	}
out:
	errsv = errno;
	if (fd >= 0)
		close(fd);
	errno = errsv;
	return mfd;
}

/* The hash remembered for PATH as it is now, or NULL (no copy made). With C's lock held. */
static const char *known_hash(struct ec_layout_cache *c, const char *path)
{
	g_autofree gchar *key = NULL;
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	key = stat_key(&st);
	return g_hash_table_lookup(c->hashes, key);
}

static gchar *entry_key(const char *lib_sha, const char *companion_sha)
{
	return g_strdup_printf("sha256:%s%s%s", lib_sha, companion_sha ? "+" : "",
	                       companion_sha ? companion_sha : "");
}

/* With C's lock held: its tables, made on first use (a static cache needs no set-up). */
static void cache_init(struct ec_layout_cache *c)
{
	if (!c->entries) {
		c->entries =
		    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_entry_free);
		c->hashes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	}
}

/* With C's lock held: the entry of PATH (+COMPANION) as they are now, if their hashes are known. */
static struct cache_entry *find_known(struct ec_layout_cache *c, const char *path,
                                      const char *companion)
{
	const char *lib_sha = known_hash(c, path);
	const char *comp_sha = companion ? known_hash(c, companion) : NULL;
	g_autofree gchar *key = NULL;

	if (!lib_sha || (companion && !comp_sha))
		return NULL;
	key = entry_key(lib_sha, comp_sha);
	return g_hash_table_lookup(c->entries, key);
}

/*
 * The entry for PATH (+COMPANION): found by hash, else calibrated from fresh copies. Called and
 * returns with C's lock held; without it while files are read and FN runs, so other libraries
 * are calibrated meanwhile. The entry may not be done yet (another thread calibrates it).
 */
static struct cache_entry *lookup_or_calibrate(struct ec_layout_cache *c,
                                               const struct ec_layout_spec *s, const char *path,
                                               const char *companion, const char *root,
                                               ec_layout_calibrate_fn fn, GError **err)
{
	g_autofree gchar *key = NULL, *lib_fresh = NULL, *comp_fresh = NULL, *lib_fd = NULL,
	                 *comp_fd = NULL;
	struct ec_layout_snapshot snap = {NULL, NULL};
	struct cache_entry *e = find_known(c, path, companion);
	int lib_mfd = -1, comp_mfd = -1;

	if (e)
		return e;
	/* not known, or not calibrated yet: the bytes to measure, and their hashes */
	g_mutex_unlock(&c->lock);
	lib_mfd = snapshot(c, path, &lib_fresh, err);
	if (lib_mfd >= 0 && companion &&
	    (comp_mfd = snapshot(c, companion, &comp_fresh, err)) < 0) {
		close(lib_mfd);
		lib_mfd = -1;
	}
	g_mutex_lock(&c->lock);
	if (lib_mfd < 0)
		return NULL;
	key = entry_key(lib_fresh, comp_fresh);
	e = g_hash_table_lookup(c->entries, key);
	if (!e) {
		lib_fd = g_strdup_printf("/proc/self/fd/%d", lib_mfd);
		comp_fd = comp_mfd >= 0 ? g_strdup_printf("/proc/self/fd/%d", comp_mfd) : NULL;
		snap.lib = lib_fd;
		snap.companion = comp_fd;
		e = g_new0(struct cache_entry, 1);
		e->v = g_new(__s32, s->n);
		ec_layout_init_absent(s, e->v);
		g_hash_table_insert(c->entries, g_steal_pointer(&key), e);
		g_mutex_unlock(&c->lock);
		if (!fn(path, root, &snap, e->v, &e->version_text, &e->error))
			ec_layout_init_absent(s, e->v);
		g_mutex_lock(&c->lock);
		e->done = true;
		g_cond_broadcast(&c->done);
	}
	close(lib_mfd);
	if (comp_mfd >= 0)
		close(comp_mfd);
	return e;
}

/* With C's lock held: E's answer into OUT and VERSION_TEXT. */
static int answer(const struct ec_layout_spec *s, const struct cache_entry *e, __s32 *out,
                  char **version_text, GError **err)
{
	if (e->error) {
		g_propagate_error(err, g_error_copy(e->error));
		return -1;
	}
	memcpy(out, e->v, sizeof(*out) * (size_t)s->n);
	if (version_text)
		*version_text = g_strdup(e->version_text);
	return 0;
}

int ec_layout_calibrate_cached(struct ec_layout_cache *c, const struct ec_layout_spec *s,
                               const char *path, const char *companion, const char *root,
                               ec_layout_calibrate_fn fn, __s32 *out, char **version_text,
                               GError **err)
{
	struct cache_entry *e;
	int rc = -1;

	ec_layout_init_absent(s, out);
	if (version_text)
		*version_text = NULL;
	g_mutex_lock(&c->lock);
	cache_init(c);
	e = lookup_or_calibrate(c, s, path, companion, root, fn, err);
	if (e) {
		/* one calibration per library even when asked concurrently */
		while (!e->done)
			g_cond_wait(&c->done, &c->lock);
		rc = answer(s, e, out, version_text, err);
	}
	g_mutex_unlock(&c->lock);
	return rc;
}

/* A calibration in the background: what ec_layout_calibrate_cached needs, copied. */
struct background {
	struct ec_layout_cache *c;
	const struct ec_layout_spec *s;
	gchar *path, *companion, *root;
	ec_layout_calibrate_fn fn;
};

static void background_free(gpointer p)
{
	struct background *b = p;

	g_free(b->path);
	g_free(b->companion);
	g_free(b->root);
	g_free(b);
}

static gboolean background_run(gpointer p, GError **err)
{
	struct background *b = p;
	g_autofree __s32 *v = g_new(__s32, b->s->n);

	return ec_layout_calibrate_cached(b->c, b->s, b->path, b->companion, b->root, b->fn, v,
	                                  NULL, err) == 0;
}

/* The job's name: this cache, the files' versions as they are now, the root. */
static gchar *job_key(struct ec_layout_cache *c, const char *path, const char *companion,
                      const char *root)
{
	g_autofree gchar *lib = NULL, *comp = NULL;
	struct stat st;

	lib = stat(path, &st) == 0 ? stat_key(&st) : g_strdup(path);
	if (companion)
		comp = stat(companion, &st) == 0 ? stat_key(&st) : g_strdup(companion);
	return g_strdup_printf("%p %s %s %s", (void *)c, lib, comp ? comp : "-", root ? root : "/");
}

int ec_layout_find_cached(struct ec_layout_cache *c, const struct ec_layout_spec *s,
                          const char *path, const char *companion, const char *root,
                          ec_layout_calibrate_fn fn, __s32 *out, char **version_text, GError **err)
{
	struct cache_entry *e;
	struct background *b;
	g_autofree gchar *key = NULL;
	int rc;

	ec_layout_init_absent(s, out);
	if (version_text)
		*version_text = NULL;
	g_mutex_lock(&c->lock);
	cache_init(c);
	e = find_known(c, path, companion);
	rc = e && e->done ? answer(s, e, out, version_text, err) : 1;
	g_mutex_unlock(&c->lock);
	if (rc != 1)
		return rc;
	b = g_new0(struct background, 1);
	*b = (struct background){c, s, g_strdup(path), g_strdup(companion), g_strdup(root), fn};
	key = job_key(c, path, companion, root);
	return ec_calibration_request(key, background_run, b, background_free, err);
}
