// SPDX-License-Identifier: GPL-2.0-or-later
#include "measure.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kdf.h"
#include "ecapture/ssl_layout_fields.h"
#include "report.h"
#include "scan.h"

#define NAME(f, req)  #f,
#define INDEX(f, req) F_##f,
#define REQ(f, req)   [F_##f] = req,
#define CIPHER_WINDOW 64 /* SSL_CIPHER is static data: its id lies in the first bytes */

enum field { EC_SSL_LAYOUT_FIELDS(INDEX) F_COUNT };

const char *const layout_field_names[] = {EC_SSL_LAYOUT_FIELDS(NAME)};
const int layout_field_count = F_COUNT;

_Static_assert(sizeof(struct ec_ssl_layout) == F_COUNT * sizeof(__s32),
               "layout_fields.h must list every field of struct ec_ssl_layout");

/* Fields the keys cannot do without: missing ones fail the calibration. */
static const bool required[F_COUNT] = {EC_SSL_LAYOUT_FIELDS(REQ)};

/*
 * Small values (0x0304 is also max_proto_version, client_version...) may occur several times
 * in one object; they are settled by intersecting handshakes. Everything else must occur
 * exactly once in each object.
 */
static const bool intersect_only[F_COUNT] = {[F_version] = true};

static const struct run_config runs[] = {
    {"tls13-aes128", ABI_TLS1_3_VERSION, ABI_TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", NULL, 731},
    {"tls13-aes256", ABI_TLS1_3_VERSION, ABI_TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", NULL, 741},
    {"tls12-aes128", ABI_TLS1_2_VERSION, ABI_TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256",
     751},
    /* the client offers 1.3: version 0x0303 must be told apart from client_version 0x0304 */
    {"tls12-by-server", ABI_TLS1_3_VERSION, ABI_TLS1_2_VERSION, NULL,
     "ECDHE-ECDSA-AES256-GCM-SHA384", 761},
};

struct field_state {
	bool seen;
	bool failed;
	char why[200];
	unsigned char possible[SCAN_MAX / 8]; /* bitset of offsets consistent so far */
};

static struct field_state state[F_COUNT];
static struct offsets found; /* large: static */
static const char *const side_names[SIDE_COUNT] = {"client", "server"};

__s32 *layout_field(struct ec_ssl_layout *l, int i)
{
	return (__s32 *)l + i;
}

__attribute__((format(printf, 2, 3))) static void field_fail(int f, const char *fmt, ...)
{
	va_list ap;

	if (state[f].failed)
		return;
	state[f].failed = true;
	va_start(ap, fmt);
	vsnprintf(state[f].why, sizeof(state[f].why), fmt, ap);
	va_end(ap);
}

/* The matches in FOUND are one more observation of field F, made in WHERE. */
static void observe(int f, const char *where)
{
	unsigned char bits[SCAN_MAX / 8] = {0};
	int stored = found.n < (int)(sizeof(found.off) / sizeof(found.off[0]))
	                 ? found.n
	                 : (int)(sizeof(found.off) / sizeof(found.off[0]));

	if (found.n == 0) {
		field_fail(f, "not found in the %s", where);
		return;
	}
	if (!intersect_only[f] && found.n != 1) {
		field_fail(f, "found at %d offsets in the %s", found.n, where);
		return;
	}
	if (stored < found.n) {
		field_fail(f, "found at too many offsets in the %s", where);
		return;
	}
	for (int i = 0; i < stored; i++)
		bits[found.off[i] / 8] |= (unsigned char)(1u << (found.off[i] % 8));
	for (size_t i = 0; i < sizeof(bits); i++)
		state[f].possible[i] = state[f].seen ? (state[f].possible[i] & bits[i]) : bits[i];
	state[f].seen = true;
}

static void find_bytes(int f, const void *obj, size_t len, const void *v, size_t n, size_t align,
                       const char *where)
{
	scan_find(obj, len, v, n, align, &found);
	observe(f, where);
}

/* Offsets X whose bytes give WANT = HKDF-Expand-Label(X, LABEL, HASH): the handshake secret. */
static void find_secret_of(const struct ossl *o, const uint8_t *obj, size_t len, size_t hash_len,
                           const uint8_t *hash, const char *label, const uint8_t *want)
{
	uint8_t out[RUN_SECRET_MAX];

	found.n = 0;
	for (size_t i = 0; i + hash_len <= len; i++) {
		size_t zeros = 0;

		/* a random secret has ~0 zero bytes; pointers and flags have many: skip those */
		for (size_t k = 0; k < hash_len; k++)
			zeros += obj[i + k] == 0;
		if (zeros * 8 > hash_len)
			continue;
		if (kdf_expand_label(o, hash_len, obj + i, label, hash, hash_len, out) == 0 &&
		    memcmp(out, want, hash_len) == 0)
			offsets_add(&found, (int)i);
	}
}

static const struct keylog_line *need_line(const struct run_side *s, int f, const char *label,
                                           const char *where)
{
	const struct keylog_line *k = run_line(s, label);

	if (!k)
		field_fail(f, "the library logged no %s for the %s", label, where);
	return k;
}

static void measure_tls13(const struct ossl *o, const struct run_side *s, const uint8_t *ssl,
                          size_t len, const char *where)
{
	static const struct {
		int f;
		const char *label;
	} direct[] = {
	    {F_client_app_traffic_secret, "CLIENT_TRAFFIC_SECRET_0"},
	    {F_server_app_traffic_secret, "SERVER_TRAFFIC_SECRET_0"},
	    {F_exporter_master_secret, "EXPORTER_SECRET"},
	};
	const struct keylog_line *k, *chts;
	uint8_t hash[RUN_SECRET_MAX];
	size_t hash_len;

	for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
		k = need_line(s, direct[i].f, direct[i].label, where);
		if (k)
			find_bytes(direct[i].f, ssl, len, k->secret, k->secret_len, 1, where);
	}
	chts = need_line(s, F_handshake_secret, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", where);
	if (!chts)
		return;
	hash_len = chts->secret_len;
	if (kdf_transcript_hash(o, hash_len, s, hash) < 0) {
		field_fail(F_handshake_traffic_hash, "no transcript hash for the %s", where);
		field_fail(F_handshake_secret, "no transcript hash for the %s", where);
		return;
	}
	find_bytes(F_handshake_traffic_hash, ssl, len, hash, hash_len, 1, where);
	find_secret_of(o, ssl, len, hash_len, hash, "c hs traffic", chts->secret);
	observe(F_handshake_secret, where);
}

/*
 * OpenSSL 1.1.1 keeps the client random in a struct the SSL points to (s3). The pairs (pointer
 * offset in the SSL, random offset behind it) seen in every handshake so far; exactly one must
 * be left. Set by the first handshake that does not find the random inline.
 */
#define BEHIND_MAX 2048 /* the random lies in the first bytes of that struct */
static struct {
	bool seen;
	int n;
	int ptr_off[64], off[64];
} behind;

static void find_random_behind(const uint8_t *ssl, size_t len, const uint8_t *random,
                               const char *where)
{
	int n = 0, ptr_off[64], off[64];

	for (size_t i = 0; i + sizeof(void *) <= len; i += sizeof(void *)) {
		const uint8_t *p;
		size_t plen;

		memcpy(&p, ssl + i, sizeof(p));
		/* a mapped, readable address: the heap objects the SSL points to */
		plen = p ? scan_bound_mapped(p, BEHIND_MAX) : 0;
		if (plen < RUN_RANDOM_LEN)
			continue;
		scan_find(p, plen, random, RUN_RANDOM_LEN, 1, &found);
		for (int k = 0; k < found.n && k < 64 && n < 64; k++) {
			ptr_off[n] = (int)i;
			off[n++] = found.off[k];
		}
	}
	if (!behind.seen) {
		behind.seen = true;
		behind.n = n;
		memcpy(behind.ptr_off, ptr_off, sizeof(ptr_off));
		memcpy(behind.off, off, sizeof(off));
	} else {
		int kept = 0;

		for (int a = 0; a < behind.n; a++)
			for (int b = 0; b < n; b++)
				if (behind.ptr_off[a] == ptr_off[b] && behind.off[a] == off[b]) {
					behind.ptr_off[kept] = behind.ptr_off[a];
					behind.off[kept++] = behind.off[a];
					break;
				}
		behind.n = kept;
	}
	if (behind.n == 0)
		field_fail(F_client_random, "not found in the %s, nor behind a pointer of it",
		           where);
}

static void measure_bio(const struct ossl *o, void *bio, int fd, const char *where)
{
	int got = -1;
	int num = fd;

	/* BIO_get_fd: the fd really is the BIO's num */
	if (o->BIO_ctrl(bio, ABI_BIO_C_GET_FD, 0, &got) != fd || got != fd) {
		field_fail(F_bio_num, "BIO_get_fd disagrees in the %s", where);
		return;
	}
	find_bytes(F_bio_num, bio, scan_bound_heap(bio, SCAN_MAX), &num, sizeof(num), 4, where);
}

static void measure_side(const struct ossl *o, const struct run *r, int side)
{
	const struct run_side *s = &r->side[side];
	const uint8_t *ssl = s->ssl;
	size_t len = scan_bound_heap(ssl, SCAN_MAX);
	void *sess = o->SSL_get_session(s->ssl);
	const void *cipher, *rbio, *wbio;
	size_t sess_len = scan_bound_heap(sess, SCAN_MAX);
	char where[96], swhere[128];
	uint32_t id;
	int version = o->SSL_version(s->ssl);

	snprintf(where, sizeof(where), "%s SSL of handshake %s", side_names[side], r->cfg->name);
	snprintf(swhere, sizeof(swhere), "SSL_SESSION of the %s", where);
	if (s->nlines == 0 || !sess) {
		report_fail("the library logged no keys or has no session in handshake %s",
		            r->cfg->name);
		return;
	}
	scan_find(ssl, len, s->lines[0].random, RUN_RANDOM_LEN, 1, &found);
	if (found.n || state[F_client_random].seen)
		observe(F_client_random, where);
	else
		find_random_behind(ssl, len, s->lines[0].random, where);
	find_bytes(F_version, ssl, len, &version, sizeof(version), 4, where);
	find_bytes(F_session, ssl, len, &sess, sizeof(sess), sizeof(sess), where);

	cipher = o->SSL_SESSION_get0_cipher ? o->SSL_SESSION_get0_cipher(sess)
	                                    : o->SSL_get_current_cipher(s->ssl);
	find_bytes(F_session_cipher, sess, sess_len, &cipher, sizeof(cipher), sizeof(cipher),
	           swhere);
	if (!cipher) {
		report_fail("no cipher after handshake %s", r->cfg->name);
		return;
	}
	id = o->SSL_CIPHER_get_id(cipher);
	find_bytes(F_cipher_id, cipher, scan_bound_mapped(cipher, CIPHER_WINDOW), &id, sizeof(id),
	           4, where);

	rbio = o->SSL_get_rbio(s->ssl);
	wbio = o->SSL_get_wbio(s->ssl);
	if (rbio != s->rbio || wbio != s->wbio || rbio == wbio) {
		field_fail(F_rbio, "SSL_get_rbio/SSL_get_wbio are not the BIOs set");
		field_fail(F_wbio, "SSL_get_rbio/SSL_get_wbio are not the BIOs set");
	}
	find_bytes(F_rbio, ssl, len, &rbio, sizeof(rbio), sizeof(rbio), where);
	find_bytes(F_wbio, ssl, len, &wbio, sizeof(wbio), sizeof(wbio), where);
	measure_bio(o, s->rbio, s->rfd, where);
	measure_bio(o, s->wbio, s->wfd, where);

	if (version == ABI_TLS1_2_VERSION) {
		const struct keylog_line *k =
		    need_line(s, F_session_master_key, "CLIENT_RANDOM", where);

		if (k)
			find_bytes(F_session_master_key, sess, sess_len, k->secret, k->secret_len,
			           1, swhere);
	} else {
		measure_tls13(o, s, ssl, len, where);
	}
}

/* The one offset left for field F, or -1 with the reason in state[f].why. */
static int settle(int f)
{
	int off = -1, n = 0;

	if (state[f].failed)
		return -1;
	if (!state[f].seen) {
		field_fail(f, "never observed");
		return -1;
	}
	for (int i = 0; i < SCAN_MAX; i++) {
		if (state[f].possible[i / 8] & (1u << (i % 8))) {
			off = i;
			n++;
		}
	}
	if (n != 1) {
		field_fail(f,
		           n ? "%d offsets hold it in every handshake"
		             : "no offset holds it in every handshake",
		           n);
		return -1;
	}
	return off;
}

int measure_layout(const struct ossl *o, struct ec_ssl_layout *out)
{
	memset(state, 0, sizeof(state));
	memset(&behind, 0, sizeof(behind));
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct run r;

		if (run_handshake(o, &runs[i], &r) == 0) {
			measure_side(o, &r, SIDE_CLIENT);
			measure_side(o, &r, SIDE_SERVER);
		}
		run_free(o, &r);
		if (report_reason())
			return -1;
	}
	if (behind.seen && !state[F_client_random].failed) {
		/* found behind the s3 pointer in every handshake, never inline */
		if (behind.n != 1) {
			field_fail(F_client_random, "%d pointers of the SSL lead to it", behind.n);
		} else {
			found.n = 1;
			found.off[0] = behind.off[0];
			observe(F_client_random, "s3");
			found.off[0] = behind.ptr_off[0];
			observe(F_s3, "SSL");
		}
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (f == F_s3 && !state[f].seen) {
			*layout_field(out, f) = -1; /* the client random is in the SSL itself */
			continue;
		}
		*layout_field(out, f) = settle(f);
		if (state[f].failed)
			fprintf(stderr, "calibrate: %s: %s\n", layout_field_names[f], state[f].why);
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (required[f] && state[f].failed)
			report_fail("field %s could not be measured: %s", layout_field_names[f],
			            state[f].why);
	}
	return report_reason() ? -1 : 0;
}
