// SPDX-License-Identifier: GPL-2.0-or-later
#include "keys/tls_parse.h"

#include <string.h>
#include <glib.h>

#define CT_CHANGE_CIPHER_SPEC  20
#define CT_APPLICATION_DATA    23
#define CT_HANDSHAKE           22
#define HT_CLIENT_HELLO        1
#define HT_SERVER_HELLO        2
#define EXT_SUPPORTED_VERSIONS 43

#define RECORD_HDR             5
#define HANDSHAKE_HDR          4
/* TLSCiphertext.length is at most 2^14 + 2048 (TLS 1.2; TLS 1.3 allows less) */
#define MAX_RECORD (16384 + 2048)

/* A bounds-checked reader over [p, p + len). */
struct rd {
	const uint8_t *p;
	size_t len;
};

static bool rd_skip(struct rd *r, size_t n)
{
	if (r->len < n)
		return false;
	r->p += n;
	r->len -= n;
	return true;
}

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len < 1)
		return false;
	*v = r->p[0];
	return rd_skip(r, 1);
}

static bool rd_u16(struct rd *r, uint16_t *v)
{
	if (r->len < 2)
		return false;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	return rd_skip(r, 2);
}

/* The next N bytes as a reader of their own. */
static bool rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	sub->p = r->p;
	sub->len = n;
	return rd_skip(r, n);
}

static bool version_ok(const uint8_t *v)
{
	return v[0] == 3 && v[1] <= 4;
}

bool ec_tls_record_start(const uint8_t *p, size_t len)
{
	size_t rec_len;

	if (!p || len < 3 || p[0] < CT_CHANGE_CIPHER_SPEC || p[0] > CT_APPLICATION_DATA ||
	    !version_ok(p + 1))
		return false;
	if (len < RECORD_HDR)
		return true;
	rec_len = (size_t)p[3] << 8 | p[4];
	return rec_len >= 1 && rec_len <= MAX_RECORD;
}

/*
 * The handshake message of type TYPE at the start of the first record: BODY covers the bytes
 * of the message that are in the buffer, *BODY_LEN is the length the message declares (more than
 * BODY->len when the buffer stops early).
 */
static bool handshake(const uint8_t *p, size_t len, uint8_t type, struct rd *body, size_t *body_len)
{
	size_t rec_len;

	if (!p || len < RECORD_HDR + HANDSHAKE_HDR || p[0] != CT_HANDSHAKE || !version_ok(p + 1))
		return false;
	rec_len = (size_t)p[3] << 8 | p[4];
	if (rec_len < HANDSHAKE_HDR || rec_len > MAX_RECORD || p[5] != type)
		return false;
	*body_len = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
	body->p = p + RECORD_HDR + HANDSHAKE_HDR;
	body->len = MIN(MIN(*body_len, rec_len - HANDSHAKE_HDR), len - RECORD_HDR - HANDSHAKE_HDR);
	return true;
}

bool ec_tls_client_hello_random(const uint8_t *p, size_t len, uint8_t random[32])
{
	struct rd body;
	size_t body_len;

	/* legacy_version, random, then at least session id, suites and compression lengths */
	if (!handshake(p, len, HT_CLIENT_HELLO, &body, &body_len) ||
	    body_len < 2 + 32 + 1 + 2 + 1 || body.len < 2 + 32 || !version_ok(body.p))
		return false;
	memcpy(random, body.p + 2, 32);
	return true;
}

/* The supported_versions choice among EXTS, or 0 when absent; false if EXTS is malformed. */
static bool selected_version(struct rd exts, uint16_t *version)
{
	*version = 0;
	while (exts.len) {
		uint16_t type, ext_len;
		struct rd data;

		if (!rd_u16(&exts, &type) || !rd_u16(&exts, &ext_len) ||
		    !rd_sub(&exts, ext_len, &data))
			return false;
		if (type == EXT_SUPPORTED_VERSIONS)
			return ext_len == 2 && rd_u16(&data, version);
	}
	return true;
}

bool ec_tls_server_hello(const uint8_t *p, size_t len, uint16_t *cipher_suite, uint16_t *version)
{
	struct rd body, exts;
	size_t body_len;
	uint16_t legacy, suite, ext_len, chosen;
	uint8_t sid_len;

	if (!handshake(p, len, HT_SERVER_HELLO, &body, &body_len))
		return false;
	/* the whole message must be here: the version may be in its last extension */
	if (body.len != body_len)
		return false;
	if (!rd_u16(&body, &legacy) || !rd_skip(&body, 32) || !rd_u8(&body, &sid_len) ||
	    sid_len > 32 || !rd_skip(&body, sid_len) || !rd_u16(&body, &suite) ||
	    !rd_skip(&body, 1)) /* compression method */
		return false;
	if (legacy >> 8 != 3)
		return false;
	chosen = 0;
	if (body.len) { /* extensions are optional before TLS 1.3 */
		if (!rd_u16(&body, &ext_len) || ext_len != body.len ||
		    !rd_sub(&body, ext_len, &exts) || !selected_version(exts, &chosen))
			return false;
	}
	if (cipher_suite)
		*cipher_suite = suite;
	if (version)
		*version = chosen ? chosen : legacy;
	return true;
}
