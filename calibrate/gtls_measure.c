// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The GnuTLS session layout, measured: handshakes of the library with itself (TLS 1.3 with a
 * SHA-256 and a SHA-384 suite, TLS 1.2 with each) give the true client random, protocol, PRF
 * hash and secrets (from the key log function); every offset of the session object that holds
 * the same value in every observation (both ends, right after the handshake and after data) is
 * a candidate, and the lowest survivor is taken. For the version and the hash size the session
 * holds pointers into the library's tables: a candidate is a (pointer offset, field offset)
 * pair. The result is then checked on fresh handshakes with other suites.
 */
#include "gtls_measure.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "scan.h"

#define OBJ_MAX     32768 /* bytes of the session searched */
#define TABLE_SPAN  128   /* bytes of a table entry searched for the version / hash size */
#define MAPS_MAX    1024

#define P13(cipher) "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+" cipher
#define P12(cipher) "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+" cipher

#define P11(cipher) "NORMAL:-VERS-ALL:+VERS-TLS1.1:-CIPHER-ALL:+" cipher ":-MAC-ALL:+SHA1"

/*
 * The TLS 1.1 run tells the negotiated version from bounds of the cipher suite (a TLS 1.2-only
 * suite's bounds say 1.2 too); a library built without TLS 1.1 skips it.
 */
static const char *const measure_runs[] = {P13("AES-128-GCM"), P13("AES-256-GCM"),
                                           P12("AES-128-GCM"), P12("AES-256-GCM"),
                                           P11("AES-128-CBC")};
#define OPTIONAL_RUN 4
static const char *const verify_runs[] = {P13("CHACHA20-POLY1305"), P12("CHACHA20-POLY1305")};

#define GNUTLS_TLS1_3 5

/* The secrets, by key log label; the field each one is stored in. */
static const struct {
	const char *label;
	size_t field; /* offsetof(struct ec_gnutls_layout, ...) */
	bool tls13;
	bool required;
} secrets[] = {
    {"CLIENT_RANDOM", offsetof(struct ec_gnutls_layout, master_secret), false, true},
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", offsetof(struct ec_gnutls_layout, hs_ckey), true, true},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", offsetof(struct ec_gnutls_layout, hs_skey), true, true},
    {"CLIENT_TRAFFIC_SECRET_0", offsetof(struct ec_gnutls_layout, ap_ckey), true, true},
    {"SERVER_TRAFFIC_SECRET_0", offsetof(struct ec_gnutls_layout, ap_skey), true, true},
    {"EXPORTER_SECRET", offsetof(struct ec_gnutls_layout, ap_expkey), true, false},
};
#define N_SECRETS (sizeof(secrets) / sizeof(secrets[0]))

/* Candidates still standing: one bit per byte offset, or per (pointer, field) pair. */
static uint8_t cand_random[OBJ_MAX];
static uint8_t cand_secret[N_SECRETS][OBJ_MAX];
static uint8_t cand_version[OBJ_MAX / 8][TABLE_SPAN / 4];
static uint8_t cand_hash[OBJ_MAX / 8][TABLE_SPAN / 4];

struct maps {
	uintptr_t lo[MAPS_MAX], hi[MAPS_MAX];
	int n;
};

static void load_maps(struct maps *m)
{
	FILE *f = scan_open_maps();
	char line[512];

	m->n = 0;
	while (f && fgets(line, sizeof(line), f) && m->n < MAPS_MAX) {
		uintptr_t lo, hi;
		char perms[5];

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) == 3 &&
		    perms[0] == 'r') {
			m->lo[m->n] = lo;
			m->hi[m->n] = hi;
			m->n++;
		}
	}
	if (f)
		fclose(f);
}

static bool readable(const struct maps *m, uintptr_t p, size_t len)
{
	for (int i = 0; i < m->n; i++)
		if (p >= m->lo[i] && p < m->hi[i])
			return len <= m->hi[i] - p;
	return false;
}

/* Keep only the offsets of OBJ[0..LEN) where VALUE[0..VLEN) is. */
static void keep_matches(uint8_t *cand, const uint8_t *obj, size_t len, const void *value,
                         size_t vlen)
{
	for (size_t off = 0; off < OBJ_MAX; off++)
		if (cand[off] && (off + vlen > len || memcmp(obj + off, value, vlen) != 0))
			cand[off] = 0;
}

/*
 * Keep only the (pointer, field) pairs whose u32 field is WANT. The fields are read wherever the
 * pointers lead, up to TABLE_SPAN past them, in whatever mapped memory is there: a scan of the
 * library's memory by design, not an access to one object (so not a sanitizer's business).
 */
__attribute__((no_sanitize("address"))) static void
keep_ptr_matches(uint8_t (*cand)[TABLE_SPAN / 4], const uint8_t *obj, size_t len,
                 const struct maps *m, uint32_t want)
{
	for (size_t po = 0; po < OBJ_MAX / 8; po++) {
		uintptr_t p = 0;

		if (po * 8 + 8 <= len)
			memcpy(&p, obj + po * 8, 8);
		for (size_t fo = 0; fo < TABLE_SPAN / 4; fo++) {
			uint32_t v;

			if (!cand[po][fo])
				continue;
			if (!p || !readable(m, p + fo * 4, 4)) {
				cand[po][fo] = 0;
				continue;
			}
			__builtin_memcpy(&v, (const void *)(p + fo * 4),
			                 4); /* a load, not a call */
			if (v != want)
				cand[po][fo] = 0;
		}
	}
}

/* One look at both sessions of R. */
static void observe(const struct gtls_run *r)
{
	struct maps m;

	load_maps(&m);
	for (int s = 0; s < GTLS_SIDES; s++) {
		const uint8_t *obj = r->session[s];
		size_t len = malloc_usable_size(r->session[s]);

		if (len > OBJ_MAX)
			len = OBJ_MAX;
		if (!readable(&m, (uintptr_t)obj, len))
			len = 0;
		keep_matches(cand_random, obj, len, r->client_random, sizeof(r->client_random));
		for (size_t i = 0; i < N_SECRETS; i++) {
			const struct gtls_line *l = gtls_line(r, s, secrets[i].label);

			if ((r->protocol == GNUTLS_TLS1_3) != secrets[i].tls13)
				continue;
			if (l)
				keep_matches(cand_secret[i], obj, len, l->secret, l->len);
			else
				memset(cand_secret[i], 0, sizeof(cand_secret[i]));
		}
		keep_ptr_matches(cand_version, obj, len, &m, (uint32_t)r->protocol);
		if (r->hash_size)
			keep_ptr_matches(cand_hash, obj, len, &m, (uint32_t)r->hash_size);
	}
}

static int32_t first(const uint8_t *cand)
{
	for (size_t off = 0; off < OBJ_MAX; off++)
		if (cand[off])
			return (int32_t)off;
	return -1;
}

static void first_pair(uint8_t (*cand)[TABLE_SPAN / 4], int32_t *po, int32_t *fo)
{
	*po = *fo = -1;
	for (size_t p = 0; p < OBJ_MAX / 8; p++)
		for (size_t f = 0; f < TABLE_SPAN / 4; f++)
			if (cand[p][f]) {
				*po = (int32_t)(p * 8);
				*fo = (int32_t)(f * 4);
				return;
			}
}

static int32_t *field(struct ec_gnutls_layout *l, size_t off)
{
	return (int32_t *)((char *)l + off);
}

static int measure(const struct gtls *t, struct ec_gnutls_layout *l)
{
	memset(cand_random, 1, sizeof(cand_random));
	memset(cand_secret, 1, sizeof(cand_secret));
	memset(cand_version, 1, sizeof(cand_version));
	memset(cand_hash, 1, sizeof(cand_hash));
	for (size_t i = 0; i < sizeof(measure_runs) / sizeof(measure_runs[0]); i++) {
		struct gtls_run r;
		int rc = gtls_run(t, measure_runs[i], &r);

		if (rc && i == OPTIONAL_RUN) {
			gtls_run_free(t, &r);
			report_clear();
			break;
		}
		if (rc == 0) {
			observe(&r);
			rc = gtls_exchange(t, &r);
		}
		if (rc == 0)
			observe(&r);
		gtls_run_free(t, &r);
		if (rc)
			return -1;
	}
	l->client_random = first(cand_random);
	for (size_t i = 0; i < N_SECRETS; i++)
		*field(l, secrets[i].field) = first(cand_secret[i]);
	first_pair(cand_version, &l->version_ptr, &l->version_id);
	first_pair(cand_hash, &l->hash_ptr, &l->hash_size);
	if (l->client_random < 0 || l->version_ptr < 0 || l->hash_ptr < 0) {
		report_fail("GnuTLS session: client random, version or PRF hash not found");
		return -1;
	}
	for (size_t i = 0; i < N_SECRETS; i++) {
		if (secrets[i].required && *field(l, secrets[i].field) < 0) {
			report_fail("GnuTLS session: %s not found after the handshake",
			            secrets[i].label);
			return -1;
		}
	}
	return 0;
}

/* The layout read on a fresh handshake gives exactly what the library reports. */
static int check_side(const struct gtls_run *r, int s, const struct ec_gnutls_layout *l)
{
	const uint8_t *obj = r->session[s];
	uintptr_t vp, hp;
	uint32_t version, hash_size;
	struct maps m;

	load_maps(&m);
	memcpy(&vp, obj + l->version_ptr, 8);
	memcpy(&hp, obj + l->hash_ptr, 8);
	if (!readable(&m, vp + (uintptr_t)l->version_id, 4) ||
	    !readable(&m, hp + (uintptr_t)l->hash_size, 4))
		return -1;
	memcpy(&version, (const void *)(vp + (uintptr_t)l->version_id), 4);
	memcpy(&hash_size, (const void *)(hp + (uintptr_t)l->hash_size), 4);
	if (memcmp(obj + l->client_random, r->client_random, 32) != 0 ||
	    version != (uint32_t)r->protocol || hash_size != (uint32_t)r->hash_size)
		return -1;
	for (size_t i = 0; i < N_SECRETS; i++) {
		const struct gtls_line *line = gtls_line(r, s, secrets[i].label);
		int32_t off = *field((struct ec_gnutls_layout *)l, secrets[i].field);

		if ((r->protocol == GNUTLS_TLS1_3) != secrets[i].tls13 || off < 0)
			continue;
		if (!line || memcmp(obj + off, line->secret, line->len) != 0)
			return -1;
	}
	return 0;
}

static int verify(const struct gtls *t, const struct ec_gnutls_layout *l)
{
	for (size_t i = 0; i < sizeof(verify_runs) / sizeof(verify_runs[0]); i++) {
		struct gtls_run r;
		int rc = gtls_run(t, verify_runs[i], &r);

		for (int phase = 0; rc == 0 && phase < 2; phase++) {
			for (int s = 0; rc == 0 && s < GTLS_SIDES; s++)
				if (check_side(&r, s, l)) {
					report_fail(
					    "GnuTLS layout does not hold on a fresh handshake "
					    "(%s)",
					    verify_runs[i]);
					rc = -1;
				}
			if (rc == 0 && phase == 0)
				rc = gtls_exchange(t, &r);
		}
		gtls_run_free(t, &r);
		if (rc)
			return -1;
	}
	return 0;
}

int gtls_calibrate(const struct gtls *t, struct ec_gnutls_layout *l)
{
	memset(l, 0xff, sizeof(*l));
	if (measure(t, l) || verify(t, l)) {
		memset(l, 0xff, sizeof(*l));
		return -1;
	}
	return 0;
}
