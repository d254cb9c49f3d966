// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key log lines from raw secrets: a TLS 1.3 event carrying RFC 8448's handshake secret and
 * transcript hash must give exactly the RFC's traffic secrets (the same lines test_pcapng shows
 * decrypting that session in tshark); TLS 1.2; zero fields; the dedup store and its bound.
 */
#include <string.h>
#include <glib.h>

#include "keys/keylog.h"
#include "keys/keystore.h"
#include "rfc8448.h"

#define B(l) EC_KL_BIT(EC_KL_##l)
#define TLS13_ALL                                                                                  \
	(B(CLIENT_HANDSHAKE_TRAFFIC_SECRET) | B(SERVER_HANDSHAKE_TRAFFIC_SECRET) |                 \
	 B(CLIENT_TRAFFIC_SECRET_0) | B(SERVER_TRAFFIC_SECRET_0) | B(EXPORTER_SECRET))

static void rfc8448_event(struct ec_tls_keys_event *ev, uint32_t cipher_id)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = EC_EV_TLS_KEYS;
	ev->version = 0x0304;
	ev->cipher_id = cipher_id;
	rfc8448_fill(RFC8448_CLIENT_RANDOM, ev->client_random, 32);
	rfc8448_fill(RFC8448_HANDSHAKE_SECRET, ev->handshake_secret, 32);
	rfc8448_fill(RFC8448_HELLO_HASH, ev->handshake_traffic_hash, 32);
	rfc8448_fill(RFC8448_C_AP_TRAFFIC, ev->client_app_traffic_secret, 32);
	rfc8448_fill(RFC8448_S_AP_TRAFFIC, ev->server_app_traffic_secret, 32);
	rfc8448_fill(RFC8448_EXP_MASTER, ev->exporter_master_secret, 32);
}

static gchar *lines(const struct ec_tls_secrets *s, uint32_t mask)
{
	GString *out = g_string_new("");

	ec_keylog_append(out, s, mask);
	return g_string_free(out, FALSE);
}

static void test_label_names(void)
{
	static const char *const names[EC_KL_COUNT] = {
	    "CLIENT_RANDOM",
	    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	    "CLIENT_TRAFFIC_SECRET_0",
	    "SERVER_TRAFFIC_SECRET_0",
	    "EXPORTER_SECRET",
	};

	for (int l = 0; l < EC_KL_COUNT; l++)
		g_assert_cmpstr(ec_kl_label_name((enum ec_kl_label)l), ==, names[l]);
	g_assert_null(ec_kl_label_name(EC_KL_COUNT));
	g_assert_null(ec_kl_label_name((enum ec_kl_label) - 1));
}

static void test_cipher_digest(void)
{
	static const struct {
		uint32_t id;
		const char *name;
		size_t len;
	} v[] = {
	    {0x03001301, "SHA256", 32}, {0x1301, "SHA256", 32},
	    {0x03001302, "SHA384", 48}, {0x1302, "SHA384", 48},
	    {0x03001303, "SHA256", 32}, {0x1303, "SHA256", 32},
	    {0x03001304, "SHA256", 32}, {0x1305, "SHA256", 32},
	    {0x030000C6, "SM3", 32},    {0x00C6, "SM3", 32},
	    {0x00C7, "SM3", 32},        {0x0300C02F, NULL, 0}, /* 1.2 */
	    {0xC02F, NULL, 0},          {0, NULL, 0},
	    {0x1306, NULL, 0},          {0x02001301, NULL, 0},
	    {0x13010000, NULL, 0},      {0xFFFFFFFF, NULL, 0},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		size_t len = 99;

		g_assert_cmpstr(ec_tls13_cipher_digest(v[i].id, &len), ==, v[i].name);
		g_assert_cmpuint(len, ==, v[i].len);
	}
	g_assert_cmpstr(ec_tls13_cipher_digest(0x1301, NULL), ==, "SHA256");
}

/* The RFC 8448 session: the lines Wireshark needs, byte for byte. */
static void test_tls13_rfc8448(void)
{
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets s;
	gchar *text;

	rfc8448_event(&ev, 0x03001301);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, TLS13_ALL);
	g_assert_true(ec_tls_secrets_complete(&s));
	text = lines(&s, ~0u);
	g_assert_cmpstr(text, ==, RFC8448_KEYLOG);
	g_free(text);

	/* the cipher from the ServerHello when the SSL object did not give one */
	rfc8448_event(&ev, 0);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0x1301, &s), ==, TLS13_ALL);
	text = lines(&s, ~0u);
	g_assert_cmpstr(text, ==, RFC8448_KEYLOG);
	g_free(text);
	/* the event's cipher wins over the hint */
	rfc8448_event(&ev, 0x03001301);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0x1302, &s), ==, TLS13_ALL);
	g_assert_cmpuint(s.len[EC_KL_CLIENT_TRAFFIC_SECRET_0], ==, 32);

	/* a mask picks lines; the order is always the label order */
	text =
	    lines(&s, B(EXPORTER_SECRET) | B(CLIENT_HANDSHAKE_TRAFFIC_SECRET) | B(CLIENT_RANDOM));
	g_assert_cmpstr(text, ==,
	                "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RFC8448_CLIENT_RANDOM
	                " " RFC8448_C_HS_TRAFFIC "\n"
	                "EXPORTER_SECRET " RFC8448_CLIENT_RANDOM " " RFC8448_EXP_MASTER "\n");
	g_free(text);
}

static void test_tls13_no_digest(void)
{
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets s;

	rfc8448_event(&ev, 0);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, EC_TLS_SECRETS_NO_DIGEST);
	g_assert_cmpuint(s.have, ==, 0);
	rfc8448_event(&ev, 0x0300C02F); /* a TLS 1.2 suite is no help */
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0xC02F, &s), ==, EC_TLS_SECRETS_NO_DIGEST);
	g_assert_cmpuint(s.have, ==, 0);
	g_assert_false(ec_tls_secrets_complete(&s));
}

/* TLS_AES_256_GCM_SHA384: 48-byte secrets, the fields read up to their 48th byte. */
static void test_tls13_sha384(void)
{
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets s;
	gchar *text;

	memset(&ev, 0, sizeof(ev));
	ev.version = 0x0304;
	ev.cipher_id = 0x03001302;
	memset(ev.client_random, 0x11, 32);
	memset(ev.handshake_secret, 0x22, 48);
	memset(ev.handshake_traffic_hash, 0x33, 48);
	/* only the last byte set: a 32-byte reading would call it zero */
	ev.client_app_traffic_secret[47] = 0x44;
	memset(ev.server_app_traffic_secret, 0x55, EC_SECRET_LEN); /* bytes 48.. are ignored */
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, TLS13_ALL & ~B(EXPORTER_SECRET));
	for (int l = EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET; l <= EC_KL_SERVER_TRAFFIC_SECRET_0; l++)
		g_assert_cmpuint(s.len[l], ==, 48);
	g_assert_cmpmem(s.secret[EC_KL_SERVER_TRAFFIC_SECRET_0], 48, ev.server_app_traffic_secret,
	                48);
	g_assert_true(ec_tls_secrets_complete(&s));
	text = lines(&s, B(CLIENT_TRAFFIC_SECRET_0));
	g_assert_cmpstr(text, ==,
	                "CLIENT_TRAFFIC_SECRET_0 "
	                "1111111111111111111111111111111111111111111111111111111111111111 "
	                "000000000000000000000000000000000000000000000000000000000000000000000000"
	                "000000000000000000000044\n");
	g_free(text);
}

/* Secrets not read (zero) are left out; handshake ones need both the secret and the hash. */
static void test_tls13_zero_fields(void)
{
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets s;

	rfc8448_event(&ev, 0x03001301);
	memset(ev.handshake_traffic_hash, 0, sizeof(ev.handshake_traffic_hash));
	memset(ev.exporter_master_secret, 0, sizeof(ev.exporter_master_secret));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==,
	                B(CLIENT_TRAFFIC_SECRET_0) | B(SERVER_TRAFFIC_SECRET_0));
	g_assert_false(ec_tls_secrets_complete(&s));

	rfc8448_event(&ev, 0x03001301);
	memset(ev.handshake_secret, 0, sizeof(ev.handshake_secret));
	memset(ev.server_app_traffic_secret, 0, sizeof(ev.server_app_traffic_secret));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==,
	                B(CLIENT_TRAFFIC_SECRET_0) | B(EXPORTER_SECRET));

	/* early in the handshake: only the handshake secrets exist yet */
	rfc8448_event(&ev, 0x03001301);
	memset(ev.client_app_traffic_secret, 0, sizeof(ev.client_app_traffic_secret));
	memset(ev.server_app_traffic_secret, 0, sizeof(ev.server_app_traffic_secret));
	memset(ev.exporter_master_secret, 0, sizeof(ev.exporter_master_secret));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==,
	                B(CLIENT_HANDSHAKE_TRAFFIC_SECRET) | B(SERVER_HANDSHAKE_TRAFFIC_SECRET));

	memset(ev.client_random, 0, sizeof(ev.client_random));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, -1);
}

static void tls12_event(struct ec_tls_keys_event *ev, uint32_t version)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = version;
	ev->cipher_id = 0x0300C02F;
	for (int i = 0; i < 32; i++)
		ev->client_random[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 48; i++)
		ev->master_key[i] = (uint8_t)i;
	/* TLS 1.3 fields are ignored for earlier versions */
	memset(ev->client_app_traffic_secret, 0x77, sizeof(ev->client_app_traffic_secret));
}

static void test_tls12(void)
{
	static const uint32_t versions[] = {0x0300, 0x0301, 0x0302, 0x0303, 0xFEFF, 0xFEFD};
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets s;
	gchar *text;

	for (size_t i = 0; i < G_N_ELEMENTS(versions); i++) {
		tls12_event(&ev, versions[i]);
		g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0x1301, &s), ==, B(CLIENT_RANDOM));
		g_assert_cmpuint(s.len[EC_KL_CLIENT_RANDOM], ==, 48);
		g_assert_true(ec_tls_secrets_complete(&s));
		text = lines(&s, ~0u);
		g_assert_cmpstr(text, ==,
		                "CLIENT_RANDOM "
		                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf "
		                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		                "202122232425262728292a2b2c2d2e2f\n");
		g_free(text);
	}

	tls12_event(&ev, 0x0303);
	memset(ev.master_key, 0, sizeof(ev.master_key));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, 0);
	g_assert_false(ec_tls_secrets_complete(&s));
	text = lines(&s, ~0u);
	g_assert_cmpstr(text, ==, "");
	g_free(text);

	tls12_event(&ev, 0x0303);
	memset(ev.client_random, 0, sizeof(ev.client_random));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, -1);
	tls12_event(&ev, 0);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, -1);
	tls12_event(&ev, 0x0305);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &s), ==, -1);
}

/*
 * Complete, what ends a new flow's hold, reads the labels only: a master secret, or all four TLS
 * 1.3 traffic secrets (the exporter secret adds nothing).
 */
static void test_complete(void)
{
	const uint32_t four = B(CLIENT_HANDSHAKE_TRAFFIC_SECRET) |
	                      B(SERVER_HANDSHAKE_TRAFFIC_SECRET) | B(CLIENT_TRAFFIC_SECRET_0) |
	                      B(SERVER_TRAFFIC_SECRET_0);
	struct ec_tls_secrets s;

	memset(&s, 0, sizeof(s));
	g_assert_false(ec_tls_secrets_complete(&s));
	s.have = B(CLIENT_RANDOM);
	g_assert_true(ec_tls_secrets_complete(&s));
	s.have = four;
	g_assert_true(ec_tls_secrets_complete(&s));
	s.have = TLS13_ALL;
	g_assert_true(ec_tls_secrets_complete(&s));
	for (int l = EC_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET; l <= EC_KL_SERVER_TRAFFIC_SECRET_0;
	     l++) {
		s.have = TLS13_ALL & ~EC_KL_BIT(l);
		g_assert_false(ec_tls_secrets_complete(&s));
	}
	s.have = B(EXPORTER_SECRET);
	g_assert_false(ec_tls_secrets_complete(&s));
}

/* Each (client random, label) comes out of the store once; lookups see the union. */
static void test_keystore_dedup(void)
{
	struct ec_keystore *ks = ec_keystore_new(16);
	struct ec_tls_keys_event ev;
	struct ec_tls_secrets full, part;
	const struct ec_tls_secrets *got;
	uint8_t other[32];

	rfc8448_event(&ev, 0x03001301);
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &full), ==, TLS13_ALL);
	memset(ev.client_app_traffic_secret, 0, sizeof(ev.client_app_traffic_secret));
	memset(ev.server_app_traffic_secret, 0, sizeof(ev.server_app_traffic_secret));
	memset(ev.exporter_master_secret, 0, sizeof(ev.exporter_master_secret));
	g_assert_cmpint(ec_tls_secrets_from_event(&ev, 0, &part), >, 0);

	g_assert_null(ec_keystore_lookup(ks, full.client_random));
	g_assert_cmpuint(ec_keystore_merge(ks, &part, 1), ==,
	                 B(CLIENT_HANDSHAKE_TRAFFIC_SECRET) | B(SERVER_HANDSHAKE_TRAFFIC_SECRET));
	got = ec_keystore_lookup(ks, full.client_random);
	g_assert_nonnull(got);
	g_assert_false(ec_tls_secrets_complete(got));
	g_assert_cmpuint(ec_keystore_merge(ks, &full, 2), ==,
	                 B(CLIENT_TRAFFIC_SECRET_0) | B(SERVER_TRAFFIC_SECRET_0) |
	                     B(EXPORTER_SECRET));
	g_assert_cmpuint(ec_keystore_merge(ks, &full, 3), ==, 0);
	g_assert_cmpuint(ec_keystore_merge(ks, &part, 4), ==, 0);
	got = ec_keystore_lookup(ks, full.client_random);
	g_assert_true(ec_tls_secrets_complete(got));
	g_assert_cmpuint(got->have, ==, TLS13_ALL);
	for (int l = 0; l < EC_KL_COUNT; l++) {
		g_assert_cmpuint(got->len[l], ==, full.len[l]);
		g_assert_cmpmem(got->secret[l], got->len[l], full.secret[l], full.len[l]);
	}
	/* a different value for a known label does not replace the first */
	full.secret[EC_KL_EXPORTER_SECRET][0] ^= 1;
	g_assert_cmpuint(ec_keystore_merge(ks, &full, 5), ==, 0);
	g_assert_cmpuint(got->secret[EC_KL_EXPORTER_SECRET][0], ==,
	                 (uint8_t)(full.secret[EC_KL_EXPORTER_SECRET][0] ^ 1));

	/* nothing to merge creates no entry */
	memcpy(other, full.client_random, 32);
	other[31] ^= 0xff;
	memset(&part, 0, sizeof(part));
	memcpy(part.client_random, other, 32);
	g_assert_cmpuint(ec_keystore_merge(ks, &part, 6), ==, 0);
	g_assert_null(ec_keystore_lookup(ks, other));
	g_assert_cmpuint(ec_keystore_size(ks), ==, 1);
	ec_keystore_free(ks);
	ec_keystore_free(NULL);
}

static void numbered(struct ec_tls_secrets *s, uint32_t n)
{
	memset(s, 0, sizeof(*s));
	memset(s->client_random, 0x5a, sizeof(s->client_random));
	memcpy(s->client_random + 4, &n, sizeof(n));
	s->have = B(CLIENT_RANDOM);
	s->len[EC_KL_CLIENT_RANDOM] = 48;
	memset(s->secret[EC_KL_CLIENT_RANDOM], (int)(n + 1), 48);
}

/* Bounded: the least recently merged go first. */
static void test_keystore_eviction(void)
{
	struct ec_keystore *ks = ec_keystore_new(4);
	struct ec_tls_secrets s;

	for (uint32_t n = 0; n < 4; n++) {
		numbered(&s, n);
		g_assert_cmpuint(ec_keystore_merge(ks, &s, 100 + n), ==, B(CLIENT_RANDOM));
	}
	/* 0 is merged again (nothing new), so 1 is now the oldest */
	numbered(&s, 0);
	g_assert_cmpuint(ec_keystore_merge(ks, &s, 200), ==, 0);
	numbered(&s, 4);
	g_assert_cmpuint(ec_keystore_merge(ks, &s, 201), ==, B(CLIENT_RANDOM));
	g_assert_cmpuint(ec_keystore_size(ks), ==, 4);
	for (uint32_t n = 0; n <= 4; n++) {
		numbered(&s, n);
		if (n == 1)
			g_assert_null(ec_keystore_lookup(ks, s.client_random));
		else
			g_assert_nonnull(ec_keystore_lookup(ks, s.client_random));
	}
	/* forgotten, so new again */
	numbered(&s, 1);
	g_assert_cmpuint(ec_keystore_merge(ks, &s, 202), ==, B(CLIENT_RANDOM));

	/* many more: the size stays bounded, the newest stay */
	for (uint32_t n = 10; n < 100010; n++) {
		numbered(&s, n);
		ec_keystore_merge(ks, &s, 1000 + n);
	}
	g_assert_cmpuint(ec_keystore_size(ks), ==, 4);
	for (uint32_t n = 100006; n < 100010; n++) {
		numbered(&s, n);
		g_assert_nonnull(ec_keystore_lookup(ks, s.client_random));
		g_assert_cmpuint(ec_keystore_lookup(ks, s.client_random)->secret[0][0], ==,
		                 (uint8_t)(n + 1));
	}

	/* by age */
	g_assert_cmpuint(ec_keystore_expire(ks, 1000 + 100008), ==, 2);
	g_assert_cmpuint(ec_keystore_size(ks), ==, 2);
	g_assert_cmpuint(ec_keystore_expire(ks, 0), ==, 0);
	g_assert_cmpuint(ec_keystore_expire(ks, UINT64_MAX), ==, 2);
	g_assert_cmpuint(ec_keystore_size(ks), ==, 0);
	ec_keystore_free(ks);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/keylog/label_names", test_label_names);
	g_test_add_func("/keylog/cipher_digest", test_cipher_digest);
	g_test_add_func("/keylog/tls13_rfc8448", test_tls13_rfc8448);
	g_test_add_func("/keylog/tls13_no_digest", test_tls13_no_digest);
	g_test_add_func("/keylog/tls13_sha384", test_tls13_sha384);
	g_test_add_func("/keylog/tls13_zero_fields", test_tls13_zero_fields);
	g_test_add_func("/keylog/tls12", test_tls12);
	g_test_add_func("/keylog/complete", test_complete);
	g_test_add_func("/keylog/keystore_dedup", test_keystore_dedup);
	g_test_add_func("/keylog/keystore_eviction", test_keystore_eviction);
	return g_test_run();
}
