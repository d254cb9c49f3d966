// SPDX-License-Identifier: GPL-2.0-or-later
/* Raw secrets to key log lines. The store (ec_keystore_*) is keys/keystore.h. */
#include "keys/keylog.h"

#include <string.h>

#include "keys/hkdf.h"

static const char *const label_names[EC_KL_COUNT] = {
    [EC_KL_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [EC_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [EC_KL_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [EC_KL_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [EC_KL_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

const char *ec_kl_label_name(enum ec_kl_label label)
{
	return (unsigned int)label < EC_KL_COUNT ? label_names[label] : NULL;
}

const char *ec_tls13_cipher_digest(uint32_t cipher_id, size_t *hash_len)
{
	const char *name = NULL;
	size_t len = 0;

	/* OpenSSL ids of TLS cipher suites are 0x03000000 | the two IANA bytes */
	if ((cipher_id & 0xFFFF0000u) == 0x03000000u)
		cipher_id &= 0xFFFFu;
	switch (cipher_id) {
	case 0x1301: /* TLS_AES_128_GCM_SHA256 */
	case 0x1303: /* TLS_CHACHA20_POLY1305_SHA256 */
	case 0x1304: /* TLS_AES_128_CCM_SHA256 */
	case 0x1305: /* TLS_AES_128_CCM_8_SHA256 */
		name = "SHA256";
		len = 32;
		break;
	case 0x1302: /* TLS_AES_256_GCM_SHA384 */
		name = "SHA384";
		len = 48;
		break;
	case 0x00C6: /* TLS_SM4_GCM_SM3 (RFC 8998) */
	case 0x00C7: /* TLS_SM4_CCM_SM3 */
		name = "SM3";
		len = 32;
		break;
	}
	if (hash_len)
		*hash_len = len;
	return name;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static void set(struct ec_tls_secrets *s, enum ec_kl_label l, const uint8_t *secret, size_t len)
{
	memcpy(s->secret[l], secret, len);
	s->len[l] = (uint8_t)len;
	s->have |= EC_KL_BIT(l);
}

/* A secret copied from the event, when it was read (not all zero). */
static void copy(struct ec_tls_secrets *s, enum ec_kl_label l, const uint8_t *secret, size_t len)
{
	if (!all_zero(secret, len))
		set(s, l, secret, len);
}

static void derive(struct ec_tls_secrets *s, enum ec_kl_label l, const char *digest,
                   const uint8_t *hs_secret, const uint8_t *hash, size_t len, const char *label)
{
	uint8_t out[EC_SECRET_LEN];

	/* a failure (digest missing from this libcrypto) leaves the label out */
	if (ec_hkdf_expand_label(digest, hs_secret, len, label, hash, len, out, len) == 0)
		copy(s, l, out, len);
}

static int from_tls13(const struct ec_tls_keys_event *ev, uint16_t hint, struct ec_tls_secrets *s)
{
	const char *digest;
	size_t len;

	digest = ec_tls13_cipher_digest(ev->cipher_id, &len);
	if (!digest && hint)
		digest = ec_tls13_cipher_digest(hint, &len);
	if (!digest)
		return EC_TLS_SECRETS_NO_DIGEST;
	G_STATIC_ASSERT(EC_SECRET_LEN <= sizeof(s->secret[0]));
	if (!all_zero(ev->handshake_secret, len) && !all_zero(ev->handshake_traffic_hash, len)) {
		derive(s, EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET, digest, ev->handshake_secret,
		       ev->handshake_traffic_hash, len, "c hs traffic");
		derive(s, EC_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET, digest, ev->handshake_secret,
		       ev->handshake_traffic_hash, len, "s hs traffic");
	}
	copy(s, EC_KL_CLIENT_TRAFFIC_SECRET_0, ev->client_app_traffic_secret, len);
	copy(s, EC_KL_SERVER_TRAFFIC_SECRET_0, ev->server_app_traffic_secret, len);
	copy(s, EC_KL_EXPORTER_SECRET, ev->exporter_master_secret, len);
	return (int)s->have;
}

int ec_tls_secrets_from_event(const struct ec_tls_keys_event *ev, uint16_t cipher_suite_hint,
                              struct ec_tls_secrets *out)
{
	G_STATIC_ASSERT(sizeof(out->client_random) == EC_RANDOM_LEN);
	G_STATIC_ASSERT(EC_MASTER_KEY_LEN <= sizeof(out->secret[0]));

	memset(out, 0, sizeof(*out));
	memcpy(out->client_random, ev->client_random, EC_RANDOM_LEN);
	if (all_zero(ev->client_random, EC_RANDOM_LEN))
		return -1;
	switch (ev->version) {
	case 0x0304:
		return from_tls13(ev, cipher_suite_hint, out);
	case 0x0300: /* SSL 3.0 */
	case 0x0301: /* TLS 1.0 */
	case 0x0302:
	case 0x0303:
	case 0xFEFF: /* DTLS 1.0 */
	case 0xFEFD: /* DTLS 1.2 */
		copy(out, EC_KL_CLIENT_RANDOM, ev->master_key, EC_MASTER_KEY_LEN);
		return (int)out->have;
	default:
		return -1;
	}
}

bool ec_tls_secrets_complete(const struct ec_tls_secrets *s)
{
	const uint32_t tls13 = EC_KL_BIT(EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET) |
	                       EC_KL_BIT(EC_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET) |
	                       EC_KL_BIT(EC_KL_CLIENT_TRAFFIC_SECRET_0) |
	                       EC_KL_BIT(EC_KL_SERVER_TRAFFIC_SECRET_0);

	return (s->have & EC_KL_BIT(EC_KL_CLIENT_RANDOM)) || (s->have & tls13) == tls13;
}

static char *hex(char *p, const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		*p++ = digits[data[i] >> 4];
		*p++ = digits[data[i] & 15];
	}
	return p;
}

void ec_keylog_append(GString *out, const struct ec_tls_secrets *s, uint32_t mask)
{
	/* longest label, random and secret in hex, two spaces and the newline */
	char line[32 + 2 * 32 + 2 * 64 + 3];

	mask &= s->have;
	for (int l = 0; l < EC_KL_COUNT; l++) {
		size_t name_len, len = MIN(s->len[l], sizeof(s->secret[l]));
		char *p = line;

		if (!(mask & EC_KL_BIT(l)))
			continue;
		name_len = strlen(label_names[l]);
		memcpy(p, label_names[l], name_len);
		p += name_len;
		*p++ = ' ';
		p = hex(p, s->client_random, sizeof(s->client_random));
		*p++ = ' ';
		p = hex(p, s->secret[l], len);
		*p++ = '\n';
		g_string_append_len(out, line, p - line);
	}
}
