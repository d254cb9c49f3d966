// SPDX-License-Identifier: GPL-2.0-or-later
/* Plaintext from the probes: pcapng records (link type 252) or text for the standalone CLI. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ecapture/record.h"
#include "engine/engine_int.h"
#include "engine/owners.h"
#include "output/pcapng.h"
#include "output/record_writer.h"

/* The sender and receiver of this chunk, from the connection's flow key. */
static void fill_tuple(struct ec_record_meta *m, const struct ec_conn *c, bool sent)
{
	const struct ec_flow_key *k = &c->flow;
	/* The process's end is a or b; it sent the data, or received it. */
	bool src_is_a = (c->local_is_a == sent);

	m->family = k->family == 2 ? AF_INET : AF_INET6;
	memcpy(m->src_addr, src_is_a ? k->addr_a : k->addr_b, 16);
	memcpy(m->dst_addr, src_is_a ? k->addr_b : k->addr_a, 16);
	m->src_port = ntohs(src_is_a ? k->port_a : k->port_b);
	m->dst_port = ntohs(src_is_a ? k->port_b : k->port_a);
}

static void fill_meta(struct engine *e, const struct ec_tls_data_event *ev,
                      struct ec_record_meta *m)
{
	const struct ec_conn *c = ec_owners_conn(e->owners, ev->proc.pid, ev->ssl);
	bool truncated = (ev->flags & EC_DATAF_TRUNCATED) && ev->offset + ev->len >= EC_DATA_MAX;

	memset(m, 0, sizeof(*m));
	m->type = EC_RECORD_TLS_DATA;
	m->direction = ev->dir;
	m->source = ev->source;
	m->flags = truncated ? EC_RECORDF_TRUNCATED : 0;
	m->pid = ev->proc.pid;
	m->tid = ev->proc.tid;
	m->uid = ev->proc.uid;
	m->fd = c ? c->fd : ev->fd;
	m->data_len = truncated ? ev->total_len - ev->offset : ev->len;
	m->conn_id = ev->ssl;
	memcpy(m->comm, ev->proc.comm, sizeof(m->comm));
	m->cmdline = ec_owners_cmdline(e->owners, ev->proc.pid);
	if (c)
		fill_tuple(m, c, ev->dir == EC_RECORD_DIR_SENT);
}

static const char *source_name(uint8_t source)
{
	switch (source) {
	case EC_RECORD_SRC_OPENSSL:
		return "OpenSSL";
	case EC_RECORD_SRC_GNUTLS:
		return "GnuTLS";
	case EC_RECORD_SRC_NSS:
		return "NSS";
	case EC_RECORD_SRC_GO:
		return "Go";
	}
	return "?";
}

static void append_endpoint(GString *out, int family, const uint8_t *addr, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, buf, sizeof(buf)))
		g_strlcpy(buf, "?", sizeof(buf));
	g_string_append_printf(out, family == AF_INET6 ? "[%s]:%u" : "%s:%u", buf, port);
}

void ec_engine_text_header(const struct engine *e, uint64_t ts_ns, GString *out)
{
	uint64_t wall = ts_ns + e->mono_to_real;
	time_t secs = wall / 1000000000ull;
	struct tm tm;
	char when[32];

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	g_string_append_printf(out, "--- %s.%06llu ", when,
			       (unsigned long long)(wall % 1000000000ull) / 1000);
}

/* "--- 20:40:01.123456 curl pid=1 ... 127.0.0.1:5 > 127.0.0.1:443 SSL_write 78 bytes (OpenSSL)" */
static void append_text(struct engine *e, const struct ec_tls_data_event *ev,
                        const struct ec_record_meta *m)
{
	GString *out = e->scratch;

	g_string_truncate(out, 0);
	ec_engine_text_header(e, ev->hdr.ts_ns, out);
	ec_meta_comment(out, m->comm, m->pid, m->tid, m->uid, m->fd, NULL);
	g_string_append_c(out, ' ');
	if (m->family) {
		append_endpoint(out, m->family, m->src_addr, m->src_port);
		g_string_append(out, " > ");
		append_endpoint(out, m->family, m->dst_addr, m->dst_port);
		g_string_append_c(out, ' ');
	}
	g_string_append_printf(
	    out, "%s %u bytes%s (%s)\n", ev->dir == EC_RECORD_DIR_SENT ? "SSL_write" : "SSL_read",
	    ev->len, m->flags & EC_RECORDF_TRUNCATED ? ", truncated" : "", source_name(ev->source));
	/* The bytes as they are, but nothing that would drive the terminal (CRs of CRLF dropped).
	 */
	for (uint32_t i = 0; i < ev->len; i++) {
		uint8_t c = ev->data[i];

		if (c == '\r' && i + 1 < ev->len && ev->data[i + 1] == '\n')
			continue;
		g_string_append_c(out, (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? c : '.');
	}
	if (ev->len && ev->data[ev->len - 1] != '\n')
		g_string_append_c(out, '\n');
	g_byte_array_append(e->out.buf, (const uint8_t *)out->str, out->len);
}

void ec_engine_on_data(struct engine *e, const struct ec_tls_data_event *ev, size_t size)
{
	struct ec_record_meta m;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->len)
		return;
	fill_meta(e, ev, &m);
	if (e->opts->output_kind == EC_OUT_TEXT) {
		append_text(e, ev, &m);
		return;
	}
	if (e->opts->output_kind != EC_OUT_PCAPNG || !e->opts->records)
		return;
	g_byte_array_set_size(e->record, 0);
	ec_record_append(e->record, &m, ev->data, ev->len);
	ec_pcapng_epb(
	    e->out.buf, e->records_idb, ev->hdr.ts_ns + e->mono_to_real, e->record->data,
	    e->record->len, e->record->len,
	    ev->dir == EC_RECORD_DIR_SENT ? EC_PCAPNG_DIR_OUTBOUND : EC_PCAPNG_DIR_INBOUND, NULL);
}
