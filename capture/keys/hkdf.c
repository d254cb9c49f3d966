// SPDX-License-Identifier: GPL-2.0-or-later
#include "keys/hkdf.h"

#include <string.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define LABEL_PREFIX "tls13 "

/* Fetched once: a provider look-up per derivation would cost more than the derivation. */
static EVP_KDF *hkdf(void)
{
	static gsize once;
	static EVP_KDF *kdf;

	if (g_once_init_enter(&once)) {
		kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
		g_once_init_leave(&once, 1);
	}
	return kdf;
}

int ec_hkdf_expand_label(const char *digest_name, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len)
{
	/* struct HkdfLabel { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t label_len = label ? strlen(label) : 0, n = 0;
	size_t full_label = sizeof(LABEL_PREFIX) - 1 + label_len;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[5];
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf = hkdf();
	int ok;

	if (!kdf || !digest_name || !secret || !secret_len || !label_len || !out || !out_len ||
	    out_len > UINT16_MAX || full_label > 255 || context_len > 255 ||
	    (context_len && !context))
		return -1;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)full_label;
	memcpy(info + n, LABEL_PREFIX, sizeof(LABEL_PREFIX) - 1);
	n += sizeof(LABEL_PREFIX) - 1;
	if (label_len)
		memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = (uint8_t)context_len;
	if (context_len)
		memcpy(info + n, context, context_len);
	n += context_len;

	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name, 0);
	params[2] =
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	params[4] = OSSL_PARAM_construct_end();
	/* a failure (unknown digest, OUT_LEN > 255 hash lengths) must not leave errors queued */
	ERR_set_mark();
	ctx = EVP_KDF_CTX_new(kdf);
	ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(ctx);
	ERR_pop_to_mark();
	return ok ? 0 : -1;
}
