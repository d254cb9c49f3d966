// SPDX-License-Identifier: GPL-2.0-or-later
#include "kdf.h"

#include <string.h>

static const void *digest(const struct ossl *o, size_t hash_len)
{
	return hash_len == 48 ? o->EVP_sha384() : o->EVP_sha256();
}

int kdf_transcript_hash(const struct ossl *o, size_t hash_len, const struct run_side *s,
                        uint8_t *out)
{
	void *ctx;
	unsigned int n = 0;
	int ok;

	if (!s->client_hello || !s->server_hello)
		return -1;
	ctx = o->EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	ok = o->EVP_DigestInit_ex(ctx, digest(o, hash_len), NULL) == 1 &&
	     o->EVP_DigestUpdate(ctx, s->client_hello, s->client_hello_len) == 1 &&
	     o->EVP_DigestUpdate(ctx, s->server_hello, s->server_hello_len) == 1 &&
	     o->EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == hash_len;
	o->EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int kdf_expand_label(const struct ossl *o, size_t hash_len, const uint8_t *secret,
                     const char *label, const uint8_t *context, size_t context_len, uint8_t *out)
{
	/* struct HkdfLabel { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
	uint8_t info[2 + 1 + 255 + 1 + 255 + 1];
	size_t label_len = strlen("tls13 ") + strlen(label), n = 0;
	unsigned int out_len = 0;

	if (label_len > 255 || context_len > 255)
		return -1;
	info[n++] = (uint8_t)(hash_len >> 8);
	info[n++] = (uint8_t)hash_len;
	info[n++] = (uint8_t)label_len;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, label_len - 6);
	n += label_len;
	info[n++] = (uint8_t)context_len;
	memcpy(info + n, context, context_len);
	n += context_len;
	info[n++] = 0x01; /* HKDF-Expand block counter: T(1) */
	if (!o->HMAC(digest(o, hash_len), secret, (int)hash_len, info, n, out, &out_len) ||
	    out_len != hash_len)
		return -1;
	return 0;
}
