/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the calibrated library layouts (OpenSSL's SSL, GnuTLS's session) share: a layout is an
 * array of named __s32 offsets (-1: absent), read from the calibration helper's output, shown
 * in one log line, and kept per file version for the life of the process, failures too (a
 * second try would fail the same way).
 */
#ifndef EC_LAYOUT_CACHE_H
#define EC_LAYOUT_CACHE_H

#include <linux/types.h>
#include <glib.h>

struct ec_layout_spec {
	const char *const *names; /* of each field, as the helper prints them */
	const int *required;      /* a success without this field is bad output */
	int n;                    /* fields */
	int max_offset;           /* the helper searches no further */
};

/* "client_random=0x160 ... bio_num=-" (- = absent). */
gchar *ec_layout_describe(const struct ec_layout_spec *s, const __s32 *v);

/* The helper's key=value output KV into V; FALSE with ERR (EC_LAYOUT_ERROR_BAD_OUTPUT). */
gboolean ec_layout_parse(const struct ec_layout_spec *s, GHashTable *kv, __s32 *v, GError **err);

/* Every field -1. */
void ec_layout_init_absent(const struct ec_layout_spec *s, __s32 *v);

/*
 * The bytes calibrated: copies of the library file (and of its companion, e.g. the libcrypto
 * beside a libssl; NULL if none), made when they were hashed, as "/proc/self/fd/N" paths the
 * helper is given. The helper measures exactly the bytes the cache keys the result by: a file
 * rewritten meanwhile cannot put its layout under another file's hash.
 */
struct ec_layout_snapshot {
	const char *lib;
	const char *companion;
};

/*
 * The uncached calibration of PATH (its bytes in SNAP): V (every field -1 beforehand), and its
 * version text. ROOT: the root directory the library lives in when it is not ours (NULL: ours).
 */
typedef gboolean (*ec_layout_calibrate_fn)(const char *path, const char *root,
                                           const struct ec_layout_snapshot *snap, __s32 *v,
                                           gchar **version_text, GError **err);

/* Results by file contents; zero-initialised (a static one needs no set-up). */
struct ec_layout_cache {
	GMutex lock;         /* held for lookups only: never while a file is read or calibrated */
	GCond done;          /* an entry was calibrated */
	GHashTable *entries; /* "sha256:LIB[+COMPANION]" -> struct cache_entry */
	GHashTable *hashes;  /* "dev:ino:size:mtime:ctime" -> SHA-256 of a file seen unchanged */
};

/*
 * OUT (every field -1 on error) and the library's VERSION_TEXT (g_free; may be NULL) for PATH
 * (with COMPANION, whose bytes the layout also depends on; NULL if none), calibrated by FN at
 * most once per contents, even when asked concurrently: a copy of the same bytes at another
 * path or in another root reuses the result (and the version text of the copy calibrated
 * first). Keyed by the SHA-256 of the bytes, never by what a file says it is (a build-id is
 * easily copied into a planted file). 0, or -1 with ERR set.
 */
int ec_layout_calibrate_cached(struct ec_layout_cache *c, const struct ec_layout_spec *s,
                               const char *path, const char *companion, const char *root,
                               ec_layout_calibrate_fn fn, __s32 *out, char **version_text,
                               GError **err);

/*
 * The same without waiting: the answer if it is known; else the calibration runs in the
 * background (layouts/calibrations.h) and this returns -1 with EC_LAYOUT_ERROR_PENDING (ask
 * again once a calibration ended), or with the error of the calibration already run for these
 * files as they are now.
 */
int ec_layout_find_cached(struct ec_layout_cache *c, const struct ec_layout_spec *s,
                          const char *path, const char *companion, const char *root,
                          ec_layout_calibrate_fn fn, __s32 *out, char **version_text, GError **err);

#endif
