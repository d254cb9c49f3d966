/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenSSL API of the library under test, bound with dlsym: the helper never links
 * libcrypto or includes its headers (they would be the build host's version, not the target's).
 * Objects are opaque void pointers; the ABI_* values are stable across 1.1.1 .. 3.x.
 */
#ifndef CAL_OSSL_H
#define CAL_OSSL_H

#include <stddef.h>
#include <stdint.h>

#define ABI_TLS1_2_VERSION                 0x0303
#define ABI_TLS1_3_VERSION                 0x0304
#define ABI_SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define ABI_SSL_CTRL_SET_MAX_PROTO_VERSION 124
#define ABI_BIO_C_GET_FD                   105
#define ABI_BIO_NOCLOSE                    0
#define ABI_SSL_ERROR_WANT_READ            2
#define ABI_SSL_ERROR_WANT_WRITE           3
#define ABI_EVP_PKEY_EC                    408 /* NID_X9_62_id_ecPublicKey */
#define ABI_OPENSSL_INIT_NO_LOAD_CONFIG    0x80
#define ABI_SSL3_RT_HANDSHAKE              22
#define ABI_SSL3_MT_CLIENT_HELLO           1
#define ABI_SSL3_MT_SERVER_HELLO           2
#define ABI_TLS1_3_CK_AES_256_GCM_SHA384   0x03001302

typedef void (*keylog_cb_fn)(const void *ssl, const char *line);
typedef void (*msg_cb_fn)(int write_p, int version, int content_type, const void *buf, size_t len,
                          void *ssl, void *arg);

struct ossl {
	/* libcrypto */
	const char *(*OpenSSL_version)(int type); /* SSLeay_version before 1.1.0 */
	unsigned long (*OpenSSL_version_num)(void);
	const void *(*EVP_sha256)(void);
	const void *(*EVP_sha384)(void);
	void *(*EVP_MD_CTX_new)(void);
	void (*EVP_MD_CTX_free)(void *ctx);
	int (*EVP_DigestInit_ex)(void *ctx, const void *md, void *engine);
	int (*EVP_DigestUpdate)(void *ctx, const void *d, size_t n);
	int (*EVP_DigestFinal_ex)(void *ctx, unsigned char *md, unsigned int *len);
	unsigned char *(*HMAC)(const void *md, const void *key, int key_len, const unsigned char *d,
	                       size_t n, unsigned char *out, unsigned int *out_len);
	void *(*BIO_new_socket)(int fd, int close_flag);
	long (*BIO_ctrl)(void *bio, int cmd, long larg, void *parg);
	unsigned long (*ERR_get_error)(void);
	void (*ERR_error_string_n)(unsigned long e, char *buf, size_t len);
	/* libssl */
	int (*OPENSSL_init_ssl)(uint64_t opts, const void *settings);
	const void *(*TLS_method)(void);
	void *(*SSL_CTX_new)(const void *method);
	void (*SSL_CTX_free)(void *ctx);
	long (*SSL_CTX_ctrl)(void *ctx, int cmd, long larg, void *parg);
	int (*SSL_CTX_set_cipher_list)(void *ctx, const char *list);
	int (*SSL_CTX_set_ciphersuites)(void *ctx, const char *list);
	int (*SSL_CTX_use_certificate_ASN1)(void *ctx, int len, const unsigned char *d);
	int (*SSL_CTX_use_PrivateKey_ASN1)(int type, void *ctx, const unsigned char *d, long len);
	int (*SSL_CTX_check_private_key)(const void *ctx);
	void (*SSL_CTX_set_keylog_callback)(void *ctx, keylog_cb_fn cb);
	void (*SSL_CTX_set_msg_callback)(void *ctx, msg_cb_fn cb);
	void *(*SSL_new)(void *ctx);
	void (*SSL_free)(void *ssl);
	void (*SSL_set_bio)(void *ssl, void *rbio, void *wbio);
	void (*SSL_set_connect_state)(void *ssl);
	void (*SSL_set_accept_state)(void *ssl);
	int (*SSL_do_handshake)(void *ssl);
	int (*SSL_get_error)(const void *ssl, int ret);
	int (*SSL_version)(const void *ssl);
	void *(*SSL_get_session)(const void *ssl);
	const void *(*SSL_get_current_cipher)(const void *ssl);
	const void *(*SSL_SESSION_get0_cipher)(const void *session); /* optional */
	uint32_t (*SSL_CIPHER_get_id)(const void *cipher);
	void *(*SSL_get_rbio)(const void *ssl);
	void *(*SSL_get_wbio)(const void *ssl);
};

/* Binds OpenSSL_version and OpenSSL_version_num only. 0, or -1 after report_fail(). */
int ossl_bind_version(struct ossl *o, void *crypto);

/*
 * Binds everything else from the two dlopen handles (CRYPTO may equal SSL). 0, or -1 after
 * report_fail() naming what is missing.
 */
int ossl_bind(struct ossl *o, void *crypto, void *ssl);

/* The library's error queue as one line ("" if empty), emptying it. */
const char *ossl_errors(const struct ossl *o);

#endif
