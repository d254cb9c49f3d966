// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record writer (output/record_writer) against the format of ecapture/record.h: a record
 * written from fuzzed fields, appended after whatever the buffer already held, reads back
 * field for field with the reader below, which follows record.h and nothing else.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ecapture/record.h"
#include "output/record_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuzzed bytes consumed front to back; zeros once they run out. */
struct src {
	const uint8_t *p;
	size_t len;
};

static void take(struct src *s, void *out, size_t n)
{
	size_t k = MIN(n, s->len);

	memcpy(out, s->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	s->p += k;
	s->len -= k;
}

static uint8_t take8(struct src *s)
{
	uint8_t v;

	take(s, &v, 1);
	return v;
}

static uint16_t take16(struct src *s)
{
	uint16_t v;

	take(s, &v, 2);
	return v;
}

static uint32_t take32(struct src *s)
{
	uint32_t v;

	take(s, &v, 4);
	return v;
}

/* A bounds-checked big-endian reader over the written bytes: running out is a failure. */
struct rd {
	const uint8_t *p;
	size_t len;
};

static const uint8_t *get(struct rd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->len < n)
		abort();
	r->p += n;
	r->len -= n;
	return p;
}

static uint64_t get_be(struct rd *r, size_t n)
{
	const uint8_t *p = get(r, n);
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void expect(bool ok)
{
	if (!ok)
		abort();
}

/* One exported-PDU tag: TAG, and a value that starts with the LEN bytes of WANT. */
static void expect_tag(struct rd *r, uint16_t tag, const void *want, size_t len)
{
	size_t padded;
	const uint8_t *v;

	expect(get_be(r, 2) == tag);
	padded = get_be(r, 2);
	expect(padded == ((len + 3) & ~(size_t)3)); /* the length counts the padding */
	v = get(r, padded);
	expect(len == 0 || memcmp(v, want, len) == 0);
	for (size_t i = len; i < padded; i++)
		expect(v[i] == 0);
}

static void expect_tag32(struct rd *r, uint16_t tag, uint32_t want)
{
	uint8_t be[4] = {want >> 24, want >> 16, want >> 8, want};

	expect_tag(r, tag, be, 4);
}

static void read_back(struct rd *r, const struct ec_record_meta *m, const uint8_t *payload,
                      size_t len)
{
	size_t clen = m->cmdline ? strlen(m->cmdline) : 0;

	expect_tag(r, EC_EXP_PDU_TAG_DISSECTOR_NAME, EC_RECORD_DISSECTOR,
	           strlen(EC_RECORD_DISSECTOR));
	if (m->family == AF_INET || m->family == AF_INET6) {
		bool v4 = m->family == AF_INET;

		expect_tag(r, v4 ? EC_EXP_PDU_TAG_IPV4_SRC : EC_EXP_PDU_TAG_IPV6_SRC, m->src_addr,
		           v4 ? 4 : 16);
		expect_tag(r, v4 ? EC_EXP_PDU_TAG_IPV4_DST : EC_EXP_PDU_TAG_IPV6_DST, m->dst_addr,
		           v4 ? 4 : 16);
		expect_tag32(r, EC_EXP_PDU_TAG_PORT_TYPE, EC_EXP_PDU_PT_TCP);
		expect_tag32(r, EC_EXP_PDU_TAG_SRC_PORT, m->src_port);
		expect_tag32(r, EC_EXP_PDU_TAG_DST_PORT, m->dst_port);
	}
	expect_tag(r, EC_EXP_PDU_TAG_END, NULL, 0);

	expect(get_be(r, 1) == EC_RECORD_MAGIC0 && get_be(r, 1) == EC_RECORD_MAGIC1);
	expect(get_be(r, 1) == EC_RECORD_VERSION);
	expect(get_be(r, 1) == m->type);
	expect(get_be(r, 4) == m->pid);
	expect(get_be(r, 4) == m->tid);
	expect(get_be(r, 4) == m->uid);
	expect((int32_t)get_be(r, 4) == m->fd);
	expect(get_be(r, 1) == m->direction);
	expect(get_be(r, 1) == m->source);
	expect(get_be(r, 2) == m->flags);
	expect(get_be(r, 4) == m->data_len);
	expect(get_be(r, 8) == m->conn_id);
	expect(memcmp(get(r, sizeof(m->comm)), m->comm, sizeof(m->comm)) == 0);
	clen = MIN(clen, 0xFFFF); /* cut to what the length field holds */
	expect(get_be(r, 2) == clen);
	expect(clen == 0 || memcmp(get(r, clen), m->cmdline, clen) == 0);
	expect(r->len == len && (len == 0 || memcmp(r->p, payload, len) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[4] = {0, AF_INET, AF_INET6, AF_UNIX};
	struct src s = {data, size};
	struct ec_record_meta m = {0};
	GByteArray *out = g_byte_array_new();
	uint8_t before = take8(&s);
	uint16_t clen;
	g_autofree gchar *cmdline = NULL;
	struct rd r;

	m.type = take8(&s);
	m.direction = take8(&s);
	m.source = take8(&s);
	m.flags = take16(&s);
	m.pid = take32(&s);
	m.tid = take32(&s);
	m.uid = take32(&s);
	m.fd = (int32_t)take32(&s);
	m.data_len = take32(&s);
	take(&s, &m.conn_id, sizeof(m.conn_id));
	take(&s, m.comm, sizeof(m.comm));
	m.family = families[take8(&s) & 3];
	take(&s, m.src_addr, sizeof(m.src_addr));
	take(&s, m.dst_addr, sizeof(m.dst_addr));
	m.src_port = take16(&s);
	m.dst_port = take16(&s);
	clen = take16(&s);
	if (clen == 0xFFFE) { /* longer than its length field holds: cut */
		cmdline = g_strnfill(0x10000 + take8(&s), 'x');
		m.cmdline = cmdline;
	} else if (clen != 0xFFFF) { /* 0xFFFF: no cmdline */
		size_t n = MIN(clen, s.len);

		cmdline = g_strndup((const char *)s.p, n); /* a C string: up to its first NUL */
		s.p += n;
		s.len -= n;
		m.cmdline = cmdline;
	}
	/* what the buffer held before (another record) stays as it was */
	g_byte_array_set_size(out, before);
	if (before)
		memset(out->data, 0xA5, before);
	ec_record_append(out, &m, s.p, s.len);
	for (size_t i = 0; i < before; i++)
		expect(out->data[i] == 0xA5);
	r = (struct rd){out->data + before, out->len - before};
	read_back(&r, &m, s.p, s.len);
	g_byte_array_unref(out);
	return 0;
}
