/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS 1.3 key schedule helper (RFC 8446 section 7.1), on libcrypto's HKDF. */
#ifndef EC_HKDF_H
#define EC_HKDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * HKDF-Expand-Label(Secret, Label, Context, Length) with DIGEST_NAME ("SHA256", "SHA384",
 * "SM3", any libcrypto digest name). LABEL is given without the "tls13 " prefix, which is added
 * here (LABEL must not be empty). CONTEXT may be NULL when CONTEXT_LEN is 0. Writes OUT_LEN bytes
 * to OUT. Returns 0, or -1 (unknown digest, label or context too long for the HkdfLabel encoding,
 * OUT_LEN 0 or beyond 255 hash lengths, libcrypto failure).
 */
int ec_hkdf_expand_label(const char *digest_name, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len);

#endif
