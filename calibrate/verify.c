// SPDX-License-Identifier: GPL-2.0-or-later
#include "verify.h"

#include <stdbool.h>
#include <string.h>

#include "kdf.h"
#include "report.h"
#include "tls_run.h"

/* Default suites and ciphers this time: the measurement runs pinned theirs. */
static const struct run_config runs[] = {
    {"verify-tls13", ABI_TLS1_3_VERSION, ABI_TLS1_3_VERSION, NULL, NULL, 771},
    {"verify-tls12", ABI_TLS1_2_VERSION, ABI_TLS1_2_VERSION, NULL, NULL, 781},
};

static const char *const side_names[SIDE_COUNT] = {"client", "server"};

static const void *ptr_at(const void *base, __s32 off)
{
	const void *p;

	memcpy(&p, (const char *)base + off, sizeof(p));
	return p;
}

static bool same(const void *base, __s32 off, const void *want, size_t n)
{
	return off >= 0 && memcmp((const char *)base + off, want, n) == 0;
}

/* Reports FIELD as wrong unless OK. */
static bool check(bool ok, const char *field, const struct run *r, int side)
{
	if (!ok)
		report_fail("verification failed: %s read through its offset from a fresh %s "
		            "handshake (%s side) does not match",
		            field, r->cfg->name, side_names[side]);
	return ok;
}

static bool line_at(const struct run_side *s, const void *base, __s32 off, const char *label)
{
	const struct keylog_line *k = run_line(s, label);

	return k && same(base, off, k->secret, k->secret_len);
}

static bool verify_tls13(const struct ossl *o, const struct ec_ssl_layout *l, const struct run *r,
                         int side)
{
	const struct run_side *s = &r->side[side];
	const struct keylog_line *chts = run_line(s, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
	const struct keylog_line *shts = run_line(s, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
	uint8_t hash[RUN_SECRET_MAX], out[RUN_SECRET_MAX];
	const uint8_t *ssl = s->ssl;
	size_t n;

	if (!check(chts && shts, "handshake_secret", r, side))
		return false;
	n = chts->secret_len;
	if (!check(kdf_transcript_hash(o, n, s, hash) == 0 &&
	               same(ssl, l->handshake_traffic_hash, hash, n),
	           "handshake_traffic_hash", r, side))
		return false;
	/* both handshake traffic secrets, derived as the userspace engine will */
	if (!check(kdf_expand_label(o, n, ssl + l->handshake_secret, "c hs traffic",
	                            ssl + l->handshake_traffic_hash, n, out) == 0 &&
	               memcmp(out, chts->secret, n) == 0 &&
	               kdf_expand_label(o, n, ssl + l->handshake_secret, "s hs traffic",
	                                ssl + l->handshake_traffic_hash, n, out) == 0 &&
	               memcmp(out, shts->secret, n) == 0,
	           "handshake_secret", r, side))
		return false;
	return check(line_at(s, ssl, l->client_app_traffic_secret, "CLIENT_TRAFFIC_SECRET_0"),
	             "client_app_traffic_secret", r, side) &&
	       check(line_at(s, ssl, l->server_app_traffic_secret, "SERVER_TRAFFIC_SECRET_0"),
	             "server_app_traffic_secret", r, side) &&
	       check(line_at(s, ssl, l->exporter_master_secret, "EXPORTER_SECRET"),
	             "exporter_master_secret", r, side);
}

/* The optional fields, checked where they were found. */
static bool verify_extras(const struct ossl *o, const struct ec_ssl_layout *l, const struct run *r,
                          int side, const void *sess)
{
	const struct run_side *s = &r->side[side];
	const void *cipher =
	    sess && l->session_cipher >= 0 ? ptr_at(sess, l->session_cipher) : NULL;
	uint32_t id;

	if (l->session_cipher >= 0 &&
	    !check(cipher == o->SSL_get_current_cipher(s->ssl), "session_cipher", r, side))
		return false;
	id = o->SSL_CIPHER_get_id(o->SSL_get_current_cipher(s->ssl));
	if (cipher && l->cipher_id >= 0 &&
	    !check(same(cipher, l->cipher_id, &id, sizeof(id)), "cipher_id", r, side))
		return false;
	if (l->rbio >= 0 && !check(ptr_at(s->ssl, l->rbio) == s->rbio, "rbio", r, side))
		return false;
	if (l->wbio >= 0 && !check(ptr_at(s->ssl, l->wbio) == s->wbio, "wbio", r, side))
		return false;
	if (l->bio_num >= 0 && l->rbio >= 0 &&
	    !check(same(ptr_at(s->ssl, l->rbio), l->bio_num, &s->rfd, sizeof(int)), "bio_num", r,
	           side))
		return false;
	return true;
}

static bool verify_side(const struct ossl *o, const struct ec_ssl_layout *l, const struct run *r,
                        int side)
{
	const struct run_side *s = &r->side[side];
	const void *sess = ptr_at(s->ssl, l->session);
	int version = o->SSL_version(s->ssl);

	const void *random_base = l->s3 >= 0 ? ptr_at(s->ssl, l->s3) : s->ssl;

	if (!check(s->nlines > 0 && random_base &&
	               same(random_base, l->client_random, s->lines[0].random, RUN_RANDOM_LEN),
	           "client_random", r, side) ||
	    !check(same(s->ssl, l->version, &version, sizeof(version)), "version", r, side) ||
	    !check(sess == o->SSL_get_session(s->ssl), "session", r, side))
		return false;
	if (version == ABI_TLS1_2_VERSION) {
		if (!check(line_at(s, sess, l->session_master_key, "CLIENT_RANDOM"),
		           "session_master_key", r, side))
			return false;
	} else if (!verify_tls13(o, l, r, side)) {
		return false;
	}
	return verify_extras(o, l, r, side, sess);
}

int verify_layout(const struct ossl *o, const struct ec_ssl_layout *l)
{
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct run r;

		if (run_handshake(o, &runs[i], &r) == 0) {
			verify_side(o, l, &r, SIDE_CLIENT);
			verify_side(o, l, &r, SIDE_SERVER);
		}
		run_free(o, &r);
		if (report_reason())
			return -1;
	}
	return 0;
}
