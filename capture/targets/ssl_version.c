// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/ssl_version.h"

#include <string.h>

#include "targets/elf_info.h"
#include "targets/libraries.h"
#include "targets/proc_root.h"

/* OPENSSL_VERSION_TEXT: "OpenSSL 3.0.22 25 Aug 2026", "OpenSSL 1.1.1w  11 Sep 2023",
 * "OpenSSL 3.0.13+quic 30 Jan 2024", dev builds "OpenSSL 3.4.0-dev  xx XXX xxxx". */
#define OPENSSL_TEXT_RE                                                                            \
	"^OpenSSL ([0-9]+)\\.([0-9]+)\\.([0-9]+)([a-z]{0,2})(\\S*)\\s+([0-9]{1,2}|xx) "            \
	"([A-Z][a-z]{2}|XXX) ([0-9]{4}|xxxx)"
#define LIBRESSL_TEXT_RE "^LibreSSL [0-9]+\\.[0-9]+\\.[0-9]+$"
#define SYMVER_RE        "^OPENSSL_([0-9]+)[._]([0-9]+)[._]([0-9]+)([a-z]{0,2})$"
#define SONAME_RE        "^libssl\\.so\\.([0-9]+)(\\.([0-9]+))?"

G_DEFINE_QUARK(ec-ssl-version-error-quark, ec_ssl_version_error);

void ec_openssl_version_clear(struct ec_openssl_version *v)
{
	g_free(v->text);
	g_free(v->libcrypto_path);
	g_free(v->soname);
	g_free(v->symver);
	memset(v, 0, sizeof(*v));
}

/* All groups of RE matched against S ([0] is the whole match; g_strfreev), or NULL. */
static gchar **match_groups(const char *re_src, const char *s)
{
	GRegex *re = g_regex_new(re_src, 0, 0, NULL);
	GMatchInfo *mi = NULL;
	gchar **groups = NULL;

	g_assert(re);
	if (g_regex_match(re, s, 0, &mi))
		groups = g_match_info_fetch_all(mi);
	g_match_info_free(mi);
	g_regex_unref(re);
	return groups;
}

/* Group I of G as a number; -1 if that group did not take part in the match. */
static int group_num(gchar **g, guint i)
{
	if (i >= g_strv_length(g) || g[i][0] == '\0')
		return -1;
	return (int)CLAMP(g_ascii_strtoll(g[i], NULL, 10), 0, G_MAXINT);
}

static void group_letter(gchar **g, guint i, char letter[3])
{
	g_strlcpy(letter, i < g_strv_length(g) ? g[i] : "", 3);
}

gboolean ec_openssl_version_parse(const char *text, struct ec_openssl_version *out)
{
	gchar **g = match_groups(OPENSSL_TEXT_RE, text);

	if (!g)
		return FALSE;
	out->major = group_num(g, 1);
	out->minor = group_num(g, 2);
	out->patch = group_num(g, 3);
	group_letter(g, 4, out->letter);
	g_strfreev(g);
	return TRUE;
}

/* BoringSSL has no dated version text; its libcrypto names itself and exports BORINGSSL_*. */
static gboolean is_boringssl(struct ec_elf *e)
{
	gchar *s;

	if (ec_elf_find_symbol(e, "BORINGSSL_self_test", NULL, NULL))
		return TRUE;
	s = ec_elf_find_rodata_string(e, "^BoringSSL$", NULL);
	g_free(s);
	return s != NULL;
}

/* The version text of E; NULL with ERR set for non-OpenSSL libraries, NULL alone if absent. */
static gchar *version_text(struct ec_elf *e, GError **err)
{
	gchar *text;

	if (is_boringssl(e)) {
		g_set_error(
		    err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NOT_OPENSSL,
		    "%s is BoringSSL, not OpenSSL: its structures differ and are not supported",
		    ec_elf_path(e));
		return NULL;
	}
	text = ec_elf_find_rodata_string(e, OPENSSL_TEXT_RE, NULL);
	if (!text)
		text = ec_elf_find_rodata_string(e, LIBRESSL_TEXT_RE, NULL);
	if (text && g_str_has_prefix(text, "LibreSSL")) {
		g_set_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NOT_OPENSSL,
		            "%s is %s, not OpenSSL: its structures differ and are not supported",
		            ec_elf_path(e), text);
		g_free(text);
		return NULL;
	}
	return text;
}

static gboolean is_file(const char *path)
{
	return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/* Path of NEEDED (a libcrypto soname) as the loader of LIBSSL's process would find it. */
static gchar *find_libcrypto(struct ec_elf *libssl, const char *needed)
{
	const char *path = ec_elf_path(libssl);
	gchar *prefix = ec_root_prefix(path);
	gchar *dir = g_path_get_dirname(path);
	gchar **runpath = ec_elf_runpath(libssl, NULL);
	GPtrArray *cands = g_ptr_array_new_with_free_func(g_free);
	gchar *found = NULL;

	g_ptr_array_add(cands, g_build_filename(dir, needed, NULL));
	for (gchar **r = runpath; r && *r; r++) {
		if (**r == '\0')
			continue;
		if (g_str_has_prefix(*r, "$ORIGIN") || g_str_has_prefix(*r, "${ORIGIN}")) {
			const char *rest = strchr(*r, '/');

			g_ptr_array_add(cands,
			                g_build_filename(dir, rest ? rest : "", needed, NULL));
		} else if (**r == '/') {
			g_ptr_array_add(cands, g_build_filename(prefix, *r, needed, NULL));
		}
	}
	for (const char *const *d = ec_lib_dirs; *d; d++)
		g_ptr_array_add(cands, g_build_filename(prefix, *d, needed, NULL));

	for (guint i = 0; !found && i < cands->len; i++) {
		const char *c = cands->pdata[i];

		/* Inside another root, follow that root's symlinks, not ours. */
		if (*prefix && g_str_has_prefix(c, prefix))
			found = ec_resolve_in_root(prefix, c + strlen(prefix), NULL);
		else if (is_file(c))
			found = g_strdup(c);
		if (found && !is_file(found))
			g_clear_pointer(&found, g_free);
	}
	g_ptr_array_free(cands, TRUE);
	g_strfreev(runpath);
	g_free(dir);
	g_free(prefix);
	return found;
}

static int compare_release(const int a[3], const char *al, const int b[3], const char *bl)
{
	for (int i = 0; i < 3; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return strcmp(al, bl);
}

/* The newest OPENSSL_x.y.z / OPENSSL_x_y_z version node in DEFS, with its numbers. */
static gchar *newest_symver(gchar **defs, int nums[3], char letter[3])
{
	gchar *best = NULL;

	for (gchar **d = defs; d && *d; d++) {
		gchar **g = match_groups(SYMVER_RE, *d);
		int n[3];
		char l[3];

		if (!g)
			continue;
		for (int i = 0; i < 3; i++)
			n[i] = group_num(g, (guint)i + 1);
		group_letter(g, 4, l);
		g_strfreev(g);
		if (best && compare_release(n, l, nums, letter) <= 0)
			continue;
		g_free(best);
		best = g_strdup(*d);
		memcpy(nums, n, sizeof(n));
		memcpy(letter, l, 3);
	}
	return best;
}

/* The SONAME and symbol versions of LIBSSL must belong to the release the text names. */
static gboolean cross_check(struct ec_elf *libssl, struct ec_openssl_version *v, GError **err)
{
	gchar **defs = ec_elf_version_defs(libssl, NULL);
	const int rel[3] = {v->major, v->minor, v->patch};
	int sv[3] = {0};
	char sl[3] = "";
	gchar **so;

	v->soname = ec_elf_soname(libssl, NULL);
	v->symver = newest_symver(defs, sv, sl);
	g_strfreev(defs);

	/* A release defines the version nodes of its own and older releases, never newer. */
	if (v->symver && (sv[0] != v->major || compare_release(sv, sl, rel, v->letter) > 0)) {
		g_set_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_MISMATCH,
		            "%s defines symbol version %s but its libcrypto %s says \"%s\"",
		            ec_elf_path(libssl), v->symver, v->libcrypto_path, v->text);
		return FALSE;
	}
	/* libssl.so.3 for 3.x, libssl.so.1.1 for 1.1.x, libssl.so.1.0.0 (or .1.0.2) for 1.0.x */
	so = v->soname ? match_groups(SONAME_RE, v->soname) : NULL;
	if (so && (group_num(so, 1) != v->major ||
	           (v->major < 3 && group_num(so, 3) >= 0 && group_num(so, 3) != v->minor))) {
		g_set_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_MISMATCH,
		            "%s has SONAME %s but its libcrypto %s says \"%s\"",
		            ec_elf_path(libssl), v->soname, v->libcrypto_path, v->text);
		g_strfreev(so);
		return FALSE;
	}
	g_strfreev(so);
	return TRUE;
}

/* Version text of LIBSSL's DT_NEEDED libcrypto (its path in *crypto_path). */
static gchar *text_from_libcrypto(struct ec_elf *libssl, gchar **crypto_path, GError **err)
{
	gchar **needed = ec_elf_needed(libssl, err);
	const char *soname = NULL;
	struct ec_elf *crypto;
	gchar *text = NULL;

	if (!needed)
		return NULL;
	for (gchar **n = needed; *n && !soname; n++) {
		if (g_str_has_prefix(*n, "libcrypto"))
			soname = *n;
	}
	if (!soname) {
		g_set_error(
		    err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NO_VERSION,
		    "%s: no OpenSSL version text and no libcrypto dependency (not a libssl?)",
		    ec_elf_path(libssl));
		goto out;
	}
	*crypto_path = find_libcrypto(libssl, soname);
	if (!*crypto_path) {
		g_set_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NO_VERSION,
		            "%s needs %s, which was found neither next to it nor in the library "
		            "directories of its root",
		            ec_elf_path(libssl), soname);
		goto out;
	}
	crypto = ec_elf_open(*crypto_path, err);
	if (!crypto)
		goto out;
	text = version_text(crypto, err);
	if (!text && err && !*err)
		g_set_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NO_VERSION,
		            "%s: no OpenSSL version text in its read-only data", *crypto_path);
	ec_elf_close(crypto);
out:
	g_strfreev(needed);
	return text;
}

int ec_openssl_version_detect(const char *libssl_path, struct ec_openssl_version *out, GError **err)
{
	GError *local = NULL;
	struct ec_elf *libssl;
	struct ec_openssl_version v = {0};

	memset(out, 0, sizeof(*out));
	libssl = ec_elf_open(libssl_path, err);
	if (!libssl)
		return -1;
	/* A static build (node, a Go/Rust binary) carries the text itself. */
	v.text = version_text(libssl, &local);
	if (v.text)
		v.libcrypto_path = g_strdup(libssl_path);
	else if (!local)
		v.text = text_from_libcrypto(libssl, &v.libcrypto_path, &local);
	if (!v.text)
		goto fail;
	if (!ec_openssl_version_parse(v.text, &v)) {
		g_set_error(&local, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NO_VERSION,
		            "%s: unrecognised version text \"%s\"", v.libcrypto_path, v.text);
		goto fail;
	}
	if (!cross_check(libssl, &v, &local))
		goto fail;
	ec_elf_close(libssl);
	*out = v;
	return 0;
fail:
	ec_elf_close(libssl);
	ec_openssl_version_clear(&v);
	g_propagate_error(err, local);
	return -1;
}
