// SPDX-License-Identifier: GPL-2.0-or-later
#include "ossl.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "report.h"

struct binding {
	const char *name;
	const char *old_name; /* the pre-1.1.0 name, tried second */
	size_t slot;          /* offsetof(struct ossl, ...) */
	bool in_ssl;          /* libssl, else libcrypto */
	bool optional;
};

#define G_N(a) (sizeof(a) / sizeof((a)[0]))
#define B(fn, old, ssl, opt)                                                                       \
	{                                                                                          \
#fn, old, offsetof(struct ossl, fn), ssl, opt                                      \
	}

static const struct binding version_bindings[] = {
    B(OpenSSL_version, "SSLeay_version", false, false),
    B(OpenSSL_version_num, "SSLeay", false, false),
};

static const struct binding bindings[] = {
    B(SSL_new, NULL, true, false),
    /* early: its absence is the one common, explainable failure */
    B(SSL_CTX_set_keylog_callback, NULL, true, false),
    B(EVP_sha256, NULL, false, false),
    B(EVP_sha384, NULL, false, false),
    B(EVP_MD_CTX_new, "EVP_MD_CTX_create", false, false),
    B(EVP_MD_CTX_free, "EVP_MD_CTX_destroy", false, false),
    B(EVP_DigestInit_ex, NULL, false, false),
    B(EVP_DigestUpdate, NULL, false, false),
    B(EVP_DigestFinal_ex, NULL, false, false),
    B(HMAC, NULL, false, false),
    B(BIO_new_socket, NULL, false, false),
    B(BIO_ctrl, NULL, false, false),
    B(ERR_get_error, NULL, false, false),
    B(ERR_error_string_n, NULL, false, false),
    B(OPENSSL_init_ssl, NULL, true, false),
    B(TLS_method, "SSLv23_method", true, false),
    B(SSL_CTX_new, NULL, true, false),
    B(SSL_CTX_free, NULL, true, false),
    B(SSL_CTX_ctrl, NULL, true, false),
    B(SSL_CTX_set_cipher_list, NULL, true, false),
    B(SSL_CTX_set_ciphersuites, NULL, true, false),
    B(SSL_CTX_use_certificate_ASN1, NULL, true, false),
    B(SSL_CTX_use_PrivateKey_ASN1, NULL, true, false),
    B(SSL_CTX_check_private_key, NULL, true, false),
    B(SSL_CTX_set_msg_callback, NULL, true, false),
    B(SSL_free, NULL, true, false),
    B(SSL_set_bio, NULL, true, false),
    B(SSL_set_connect_state, NULL, true, false),
    B(SSL_set_accept_state, NULL, true, false),
    B(SSL_do_handshake, NULL, true, false),
    B(SSL_get_error, NULL, true, false),
    B(SSL_version, NULL, true, false),
    B(SSL_get_session, NULL, true, false),
    B(SSL_get_current_cipher, NULL, true, false),
    B(SSL_SESSION_get0_cipher, NULL, true, true),
    B(SSL_CIPHER_get_id, NULL, true, false),
    B(SSL_get_rbio, NULL, true, false),
    B(SSL_get_wbio, NULL, true, false),
};

/* Binds TABLE into O; the name of the first required symbol missing, or NULL. */
static const char *bind_table(struct ossl *o, const struct binding *table, size_t n, void *crypto,
                              void *ssl)
{
	for (size_t i = 0; i < n; i++) {
		const struct binding *b = &table[i];
		void *h = b->in_ssl ? ssl : crypto;
		void *sym = dlsym(h, b->name);

		if (!sym && b->old_name)
			sym = dlsym(h, b->old_name);
		if (!sym && !b->optional)
			return b->name;
		/* function pointers stored through their object representation */
		memcpy((char *)o + b->slot, &sym, sizeof(sym));
	}
	return NULL;
}

int ossl_bind_version(struct ossl *o, void *crypto)
{
	const char *missing;

	memset(o, 0, sizeof(*o));
	missing = bind_table(o, version_bindings, G_N(version_bindings), crypto, crypto);
	if (missing) {
		report_fail("not OpenSSL: the library does not export %s", missing);
		return -1;
	}
	return 0;
}

int ossl_bind(struct ossl *o, void *crypto, void *ssl)
{
	const char *missing = bind_table(o, bindings, G_N(bindings), crypto, ssl);

	if (!missing)
		return 0;
	if (strcmp(missing, "SSL_new") == 0)
		report_fail("not a libssl: the library does not export SSL_new");
	else if (strcmp(missing, "SSL_CTX_set_keylog_callback") == 0)
		report_fail("unsupported: no keylog callback (OpenSSL older than 1.1.1)");
	else
		report_fail("unsupported: the library does not export %s", missing);
	return -1;
}

const char *ossl_errors(const struct ossl *o)
{
	static char buf[256];
	size_t used = 0;
	unsigned long e;

	buf[0] = '\0';
	while (o->ERR_get_error && o->ERR_error_string_n && (e = o->ERR_get_error()) != 0) {
		if (used + 2 < sizeof(buf)) {
			if (used)
				buf[used++] = ';';
			o->ERR_error_string_n(e, buf + used, sizeof(buf) - used);
			used = strlen(buf);
		}
	}
	return buf;
}
