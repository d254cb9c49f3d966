/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From raw TLS secret material (struct ec_tls_keys_event) to NSS key log lines, as Wireshark
 * reads them from a Decryption Secrets Block. The store that hands out each (client random,
 * label) pair once is keys/keystore.h.
 */
#ifndef EC_KEYLOG_H
#define EC_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <linux/types.h>

#include "ecapture/events.h"

enum ec_kl_label {
	EC_KL_CLIENT_RANDOM, /* TLS <= 1.2: the 48-byte master secret */
	EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	EC_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	EC_KL_CLIENT_TRAFFIC_SECRET_0,
	EC_KL_SERVER_TRAFFIC_SECRET_0,
	EC_KL_EXPORTER_SECRET,
	EC_KL_COUNT,
};

#define EC_KL_BIT(label) (1u << (label))

/* The NSS key log name of LABEL ("CLIENT_RANDOM", ...); NULL when out of range. */
const char *ec_kl_label_name(enum ec_kl_label label);

/* The secrets of one TLS session; secret[l] holds len[l] bytes when bit l of have is set. */
struct ec_tls_secrets {
	uint8_t client_random[32];
	uint32_t have; /* EC_KL_BIT() per label */
	uint8_t secret[EC_KL_COUNT][64];
	uint8_t len[EC_KL_COUNT];
};

/*
 * The hash of a TLS 1.3 cipher suite, by libcrypto name, and its length in HASH_LEN (may be
 * NULL). CIPHER_ID is OpenSSL's SSL_CIPHER id (0x03000000 | suite, e.g. 0x03001301) or the bare
 * IANA suite (0x1301). TLS_AES_*: SHA256 (32) or SHA384 (48, for 0x1302); TLS_SM4_GCM_SM3 and
 * TLS_SM4_CCM_SM3 (0x00C6, 0x00C7): SM3 (32). NULL for anything else.
 */
const char *ec_tls13_cipher_digest(uint32_t cipher_id, size_t *hash_len);

/*
 * ec_tls_secrets_from_event() could size none of the TLS 1.3 secrets: neither the event's
 * cipher id nor the hint names a known TLS 1.3 suite. Worth a log line: the session will not be
 * decryptable unless a later event for it carries a known cipher.
 */
#define EC_TLS_SECRETS_NO_DIGEST (-2)

/*
 * Fill OUT from EV. TLS 1.3 (version 0x0304): the hash comes from EV's cipher id, else from
 * CIPHER_SUITE_HINT (the IANA suite of the ServerHello; 0 = not seen); then
 *   CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET = HKDF-Expand-Label(handshake_secret,
 *     "c hs traffic"/"s hs traffic", handshake_traffic_hash, L), when both inputs are non-zero;
 *   CLIENT/SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET = the first L bytes of their fields;
 * where L is the hash length. SSL 3.0 to TLS 1.2 and DTLS 1.0/1.2: CLIENT_RANDOM = the master key.
 * All-zero secrets (not read) are left out.
 * Returns the have mask (0 when nothing was there), -1 for an all-zero client random or an
 * unknown version, EC_TLS_SECRETS_NO_DIGEST as described above (OUT then has nothing).
 */
int ec_tls_secrets_from_event(const struct ec_tls_keys_event *ev, uint16_t cipher_suite_hint,
                              struct ec_tls_secrets *out);

/*
 * Enough to decrypt the whole session, whichever version it is (the labels say; the key store
 * keeps no version): CLIENT_RANDOM (SSL 3.0 to TLS 1.2), or both TLS 1.3 handshake and both
 * application traffic secrets (the exporter secret is optional). What ends a new flow's hold.
 */
bool ec_tls_secrets_complete(const struct ec_tls_secrets *s);

/* One "LABEL <client random> <secret>\n" line (lowercase hex) per label in MASK & S->have. */
void ec_keylog_append(GString *out, const struct ec_tls_secrets *s, uint32_t mask);

#endif
