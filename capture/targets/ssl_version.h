/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which OpenSSL a libssl file is, read from the files themselves (no dlopen): the version text
 * lives in libcrypto's read-only data, so libssl's DT_NEEDED libcrypto is found next to it (or
 * in the usual library directories under the same /proc/PID/root prefix).
 */
#ifndef EC_SSL_VERSION_H
#define EC_SSL_VERSION_H

#include <glib.h>

#define EC_SSL_VERSION_ERROR (ec_ssl_version_error_quark())
GQuark ec_ssl_version_error_quark(void);

enum ec_ssl_version_error {
	EC_SSL_VERSION_ERROR_NOT_OPENSSL, /* BoringSSL, LibreSSL, or no TLS library at all */
	EC_SSL_VERSION_ERROR_NO_VERSION,  /* no version text in libssl nor in its libcrypto */
	EC_SSL_VERSION_ERROR_MISMATCH,    /* SONAME / symbol versions disagree with the text */
};

struct ec_openssl_version {
	int major;
	int minor;
	int patch;
	char letter[3];        /* "w" in 1.1.1w, "zi" in 1.0.2zi; "" for 3.x */
	gchar *text;           /* "OpenSSL 3.0.22 25 Aug 2026" */
	gchar *libcrypto_path; /* the file the text was found in (the libssl itself if static) */
	gchar *soname;         /* libssl's DT_SONAME, e.g. "libssl.so.3"; NULL if it has none */
	gchar *symver;         /* newest OPENSSL_* version node libssl defines; NULL if none */
};

/* Fills OUT (free with ec_openssl_version_clear). 0 on success, -1 with ERR set. */
int ec_openssl_version_detect(const char *libssl_path, struct ec_openssl_version *out,
                              GError **err);

void ec_openssl_version_clear(struct ec_openssl_version *v);

/*
 * Parses "OpenSSL 1.1.1w  11 Sep 2023" style text into the numeric fields of OUT (text and
 * paths untouched). FALSE if TEXT is not an OpenSSL release string.
 */
gboolean ec_openssl_version_parse(const char *text, struct ec_openssl_version *out);

#endif
