// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records and process comments in the formats of ecapture/record.h. A record is sized first and
 * written in place into one growth of the output array: this runs once per TLS read or write.
 */
#include "output/record_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "ecapture/escape.h"
#include "output/escape.h"
#include "ecapture/record.h"

#define CMDLINE_MAX 0xFFFFu /* its length field is 16 bits */

static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static inline uint8_t *put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put64be(uint8_t *p, uint64_t v)
{
	p = put32be(p, (uint32_t)(v >> 32));
	return put32be(p, (uint32_t)v);
}

/* One exported-PDU tag; its length counts the value's padding, which readers skip with it. */
static uint8_t *put_tag(uint8_t *p, uint16_t tag, const void *val, size_t len)
{
	size_t padded = pad4(len);

	p = put16be(p, tag);
	p = put16be(p, (uint16_t)padded);
	if (len)
		memcpy(p, val, len);
	memset(p + len, 0, padded - len);
	return p + padded;
}

static uint8_t *put_tag32(uint8_t *p, uint16_t tag, uint32_t v)
{
	uint8_t be[4];

	put32be(be, v);
	return put_tag(p, tag, be, sizeof(be));
}

static size_t tags_size(const struct ec_record_meta *m)
{
	size_t n = 4 + pad4(sizeof(EC_RECORD_DISSECTOR) - 1) + 4; /* name, end */

	if (m->family == AF_INET)
		n += 2 * (4 + 4);
	else if (m->family == AF_INET6)
		n += 2 * (4 + 16);
	if (m->family == AF_INET || m->family == AF_INET6)
		n += 3 * (4 + 4); /* port type, ports */
	return n;
}

static uint8_t *put_tags(uint8_t *p, const struct ec_record_meta *m)
{
	p = put_tag(p, EC_EXP_PDU_TAG_DISSECTOR_NAME, EC_RECORD_DISSECTOR,
	            sizeof(EC_RECORD_DISSECTOR) - 1);
	if (m->family == AF_INET || m->family == AF_INET6) {
		bool v4 = m->family == AF_INET;
		size_t alen = v4 ? 4 : 16;

		p = put_tag(p, v4 ? EC_EXP_PDU_TAG_IPV4_SRC : EC_EXP_PDU_TAG_IPV6_SRC, m->src_addr,
		            alen);
		p = put_tag(p, v4 ? EC_EXP_PDU_TAG_IPV4_DST : EC_EXP_PDU_TAG_IPV6_DST, m->dst_addr,
		            alen);
		p = put_tag32(p, EC_EXP_PDU_TAG_PORT_TYPE, EC_EXP_PDU_PT_TCP);
		p = put_tag32(p, EC_EXP_PDU_TAG_SRC_PORT, m->src_port);
		p = put_tag32(p, EC_EXP_PDU_TAG_DST_PORT, m->dst_port);
	}
	return put_tag(p, EC_EXP_PDU_TAG_END, NULL, 0);
}

void ec_record_append(GByteArray *out, const struct ec_record_meta *m, const void *data, size_t len)
{
	size_t clen = m->cmdline ? strlen(m->cmdline) : 0;
	size_t total;
	guint at = out->len;
	uint8_t *p;

	if (clen > CMDLINE_MAX)
		clen = CMDLINE_MAX;
	total = tags_size(m) + EC_RECORD_FIXED_LEN + clen + len;
	g_byte_array_set_size(out, at + (guint)total);
	p = put_tags(out->data + at, m);

	*p++ = EC_RECORD_MAGIC0;
	*p++ = EC_RECORD_MAGIC1;
	*p++ = EC_RECORD_VERSION;
	*p++ = m->type;
	p = put32be(p, m->pid);
	p = put32be(p, m->tid);
	p = put32be(p, m->uid);
	p = put32be(p, (uint32_t)m->fd);
	*p++ = m->direction;
	*p++ = m->source;
	p = put16be(p, m->flags);
	p = put32be(p, m->data_len);
	p = put64be(p, m->conn_id);
	memcpy(p, m->comm, sizeof(m->comm));
	p += sizeof(m->comm);
	p = put16be(p, (uint16_t)clen);
	if (clen)
		memcpy(p, m->cmdline, clen);
	p += clen;
	if (len)
		memcpy(p, data, len);
}

void ec_meta_comment(GString *out, const char *comm, uint32_t pid, uint32_t tid, uint32_t uid,
                     int32_t fd, const char *cmdline)
{
	ec_escape_append(out, comm, strnlen(comm, 16), ""); /* a name may hold anything */
	g_string_append_printf(out, " pid=%u tid=%u uid=%u", pid, tid, uid);
	if (fd >= 0)
		g_string_append_printf(out, " fd=%d", fd);
	if (!cmdline)
		return;
	g_string_append(out, " cmdline=\"");
	/* ec_cmdline_read escaped it already; whoever else gave it, nothing raw goes out. Then
	 * '"' and '\\' are quoted, the escapes' backslashes too, as if it had been escaped first.
	 */
	for (size_t i = 0, len = strlen(cmdline), n; i < len; i += n) {
		char unit[EC_ESCAPE_UNIT_MAX];
		size_t u;

		if (ec_escape_next(cmdline + i, len - i, "", &n)) {
			u = ec_escape_hex(unit, cmdline + i, n);
		} else {
			memcpy(unit, cmdline + i, n);
			u = n;
		}

		for (size_t k = 0; k < u; k++) {
			if (unit[k] == '"' || unit[k] == '\\')
				g_string_append_c(out, '\\');
			g_string_append_c(out, unit[k]);
		}
	}
	g_string_append_c(out, '"');
}

/* How many of the LEN bytes of S fit in LIMIT bytes as the comment writes them. */
static size_t cmdline_fit(const char *s, size_t len, size_t limit)
{
	size_t keep = 0, cost = 0;

	for (; keep < len; keep++) {
		size_t c = (s[keep] == '"' || s[keep] == '\\') ? 2 : 1;

		if (cost + c > limit)
			break;
		cost += c;
	}
	return keep;
}

/* KEEP moved back so that S[0..KEEP) ends neither inside a UTF-8 sequence nor inside a \xNN. */
static size_t cmdline_boundary(const char *s, size_t keep)
{
	while (keep && ((uint8_t)s[keep] & 0xC0) == 0x80)
		keep--;
	for (size_t back = 1; back <= 3 && back <= keep; back++) {
		if (s[keep - back] == '\\' && s[keep - back + 1] == 'x') {
			keep -= back;
			break;
		}
	}
	return keep;
}

size_t ec_cmdline_read(uint32_t pid, char *out)
{
	char raw[EC_CMDLINE_MAX + 2], path[32];
	size_t got = 0, keep;
	g_autoptr(GString) esc = NULL;
	bool cut;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (got < sizeof(raw)) {
		ssize_t n = read(fd, raw + got, sizeof(raw) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	cut = got == sizeof(raw); /* more than a kept command line can hold */
	if (!cut)
		while (got && raw[got - 1] == '\0')
			got--;
	if (!got)
		return 0;
	for (size_t i = 0; i < got; i++)
		if (raw[i] == '\0')
			raw[i] = ' ';
	/* A process writes its own arguments: escaped once here, for the comment and records. */
	esc = g_string_sized_new(got + 16);
	ec_escape_append(esc, raw, got, "");
	keep = cmdline_fit(esc->str, esc->len, EC_CMDLINE_MAX);
	if (cut || keep < esc->len) {
		cut = true;
		keep = cmdline_fit(esc->str, esc->len, EC_CMDLINE_MAX - strlen(EC_CMDLINE_CUT));
		keep = cmdline_boundary(esc->str, keep);
	}
	memcpy(out, esc->str, keep);
	if (cut) {
		memcpy(out + keep, EC_CMDLINE_CUT, strlen(EC_CMDLINE_CUT));
		keep += strlen(EC_CMDLINE_CUT);
	}
	out[keep] = '\0';
	return keep;
}

void ec_append_endpoint(GString *out, int family, const uint8_t *addr, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, buf, sizeof(buf)))
		g_strlcpy(buf, "?", sizeof(buf));
	g_string_append_printf(out, family == AF_INET6 ? "[%s]:%u" : "%s:%u", buf, port);
}
