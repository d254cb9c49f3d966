/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS 1.3 key schedule pieces, computed with the library under test (EVP digests, HMAC). */
#ifndef CAL_KDF_H
#define CAL_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "ossl.h"
#include "tls_run.h"

/* Transcript hash of ClientHello..ServerHello as side S saw them; HASH_LEN 32 or 48. */
int kdf_transcript_hash(const struct ossl *o, size_t hash_len, const struct run_side *s,
                        uint8_t *out);

/*
 * HKDF-Expand-Label(SECRET, LABEL, CONTEXT, HASH_LEN) (RFC 8446 7.1) into OUT. The output is
 * one hash long, so a single HMAC block. 0, or -1 if the library's HMAC failed.
 */
int kdf_expand_label(const struct ossl *o, size_t hash_len, const uint8_t *secret,
                     const char *label, const uint8_t *context, size_t context_len, uint8_t *out);

#endif
