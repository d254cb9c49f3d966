// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HKDF-Expand-Label against RFC 8448's published key schedule (SHA-256), and against libcrypto's
 * own TLS 1.3 KDF for the hashes the RFC has no trace of (SHA-384, SM3).
 */
#include <string.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keys/hkdf.h"
#include "rfc8448.h"

static void check_label(const char *secret_hex, const char *label, const char *context_hex,
                        const char *expected_hex)
{
	GByteArray *secret = rfc8448_bytes(secret_hex), *context = rfc8448_bytes(context_hex);
	GByteArray *expected = rfc8448_bytes(expected_hex);
	uint8_t out[64];

	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret->data, secret->len, label,
	                                     context->len ? context->data : NULL, context->len, out,
	                                     expected->len),
	                ==, 0);
	g_assert_cmpmem(out, expected->len, expected->data, expected->len);
	g_byte_array_unref(secret);
	g_byte_array_unref(context);
	g_byte_array_unref(expected);
}

/* client/server_handshake_traffic_secret from the handshake secret and Hash(CH || SH) */
static void test_rfc8448_handshake_traffic(void)
{
	check_label(RFC8448_HANDSHAKE_SECRET, "c hs traffic", RFC8448_HELLO_HASH,
	            RFC8448_C_HS_TRAFFIC);
	check_label(RFC8448_HANDSHAKE_SECRET, "s hs traffic", RFC8448_HELLO_HASH,
	            RFC8448_S_HS_TRAFFIC);
}

/* The hello hash itself is SHA-256 over the two messages of the trace. */
static void test_rfc8448_transcript(void)
{
	GByteArray *ch = rfc8448_bytes(RFC8448_RECORD_CLIENT_HELLO);
	GByteArray *sh = rfc8448_bytes(RFC8448_RECORD_SERVER_HELLO);
	gchar *hash;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

	/* the transcript holds handshake messages, without their 5-byte record headers */
	g_checksum_update(sum, ch->data + 5, ch->len - 5);
	g_checksum_update(sum, sh->data + 5, sh->len - 5);
	hash = g_strdup(g_checksum_get_string(sum));
	g_assert_cmpstr(hash, ==, RFC8448_HELLO_HASH);
	g_free(hash);
	g_checksum_free(sum);
	g_byte_array_unref(ch);
	g_byte_array_unref(sh);
}

/* Traffic keys and IVs: "key" and "iv" with an empty context. */
static void test_rfc8448_key_iv(void)
{
	static const struct {
		const char *secret, *key, *iv;
	} v[] = {
	    {RFC8448_S_HS_TRAFFIC, RFC8448_S_HS_KEY, RFC8448_S_HS_IV},
	    {RFC8448_C_HS_TRAFFIC, RFC8448_C_HS_KEY, RFC8448_C_HS_IV},
	    {RFC8448_S_AP_TRAFFIC, RFC8448_S_AP_KEY, RFC8448_S_AP_IV},
	    {RFC8448_C_AP_TRAFFIC, RFC8448_C_AP_KEY, RFC8448_C_AP_IV},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		check_label(v[i].secret, "key", "", v[i].key);
		check_label(v[i].secret, "iv", "", v[i].iv);
	}
}

/* The same derivation by libcrypto's TLS13-KDF, a separate implementation of the label. */
static void reference(const char *digest, const uint8_t *secret, size_t secret_len,
                      const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                      size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
	EVP_KDF_CTX *kctx;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[] = {
	    OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
	    OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
	    OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
	    OSSL_PARAM_octet_string(OSSL_KDF_PARAM_PREFIX, "tls13 ", 6),
	    OSSL_PARAM_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
	    OSSL_PARAM_octet_string(OSSL_KDF_PARAM_DATA, (void *)ctx, ctx_len),
	    OSSL_PARAM_END,
	};

	g_assert_nonnull(kdf);
	kctx = EVP_KDF_CTX_new(kdf);
	g_assert_nonnull(kctx);
	g_assert_cmpint(EVP_KDF_derive(kctx, out, out_len, p), ==, 1);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
}

static void test_other_digests(void)
{
	static const struct {
		const char *digest;
		size_t len;
	} d[] = {{"SHA384", 48}, {"SM3", 32}, {"SHA256", 32}};
	static const char *const labels[] = {"c hs traffic", "s hs traffic", "key", "iv"};
	uint8_t secret[48], hash[48], out[48], ref[48];

	for (size_t i = 0; i < sizeof(secret); i++) {
		secret[i] = (uint8_t)(i * 7 + 1);
		hash[i] = (uint8_t)(0xa5 ^ i);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(d); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(labels); j++) {
			size_t ctx_len = j < 2 ? d[i].len : 0, out_len = j == 3 ? 12 : d[i].len;

			g_assert_cmpint(ec_hkdf_expand_label(d[i].digest, secret, d[i].len,
			                                     labels[j], hash, ctx_len, out,
			                                     out_len),
			                ==, 0);
			reference(d[i].digest, secret, d[i].len, labels[j], hash, ctx_len, ref,
			          out_len);
			g_assert_cmpmem(out, out_len, ref, out_len);
		}
	}
}

static void test_errors(void)
{
	uint8_t secret[32] = {1}, out[32];
	char long_label[251];

	memset(long_label, 'a', sizeof(long_label) - 1);
	long_label[sizeof(long_label) - 1] = 0;
	g_assert_cmpint(ec_hkdf_expand_label("NO-SUCH-DIGEST", secret, 32, "key", NULL, 0, out, 16),
	                ==, -1);
	g_assert_cmpint(ec_hkdf_expand_label(NULL, secret, 32, "key", NULL, 0, out, 16), ==, -1);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "", NULL, 0, out, 16), ==, -1);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, long_label, NULL, 0, out, 16),
	                ==, -1);
	long_label[249] = 0; /* "tls13 " + 249 = 255: the longest label there is */
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, long_label, NULL, 0, out, 16),
	                ==, 0);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "key", secret, 256, out, 16), ==,
	                -1);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "key", NULL, 4, out, 16), ==,
	                -1);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "key", NULL, 0, out, 0), ==, -1);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 0, "key", NULL, 0, out, 16), ==, -1);
	/* no error left behind in the caller's OpenSSL error queue */
	g_assert_cmpuint(ERR_peek_error(), ==, 0);
}

/* HKDF-Expand stops at 255 blocks of the hash. */
static void test_max_length(void)
{
	uint8_t secret[32] = {1};
	uint8_t *out = g_malloc(255 * 32 + 1);

	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "x", NULL, 0, out, 255 * 32), ==,
	                0);
	g_assert_cmpint(ec_hkdf_expand_label("SHA256", secret, 32, "x", NULL, 0, out, 255 * 32 + 1),
	                ==, -1);
	g_assert_cmpuint(ERR_peek_error(), ==, 0);
	g_free(out);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hkdf/rfc8448_transcript", test_rfc8448_transcript);
	g_test_add_func("/hkdf/rfc8448_handshake_traffic", test_rfc8448_handshake_traffic);
	g_test_add_func("/hkdf/rfc8448_key_iv", test_rfc8448_key_iv);
	g_test_add_func("/hkdf/other_digests", test_other_digests);
	g_test_add_func("/hkdf/errors", test_errors);
	g_test_add_func("/hkdf/max_length", test_max_length);
	return g_test_run();
}
