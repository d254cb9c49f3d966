// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records as text for a terminal (the standalone CLI): a header line per record, then its bytes
 * with nothing in them that would drive the terminal. Packets and keys are not shown. A
 * connection that starts with the HTTP/2 client preface is shown as frames (output/h2_text.h);
 * records may be held and written together per connection (output/text_conns.h).
 */
#include "output/writer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>

#include "ecapture/events.h"
#include "ecapture/record.h"
#include "output/escape.h"
#include "output/h2_text.h"
#include "output/text_conns.h"

struct text_writer {
	struct ec_writer w;
	GString *line; /* the record being built: reused, never freed per event */
	struct ec_text_conns conns;
};

/* "--- 2026-11-23 20:40:01.123456 " for TS_NS (wall clock), in local time. */
static void append_time(GString *out, uint64_t ts_ns)
{
	time_t secs = ts_ns / 1000000000ull;
	struct tm tm;
	char when[32];

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	g_string_append_printf(out, "--- %s.%06llu ", when,
	                       (unsigned long long)(ts_ns % 1000000000ull) / 1000);
}

/* Start OUT with "--- N record(s) lost here\n" when DROPS records were lost before this one. */
static void start_record(GString *out, uint64_t drops)
{
	g_string_truncate(out, 0);
	if (drops)
		g_string_append_printf(out, "--- %llu record(s) lost here\n",
		                       (unsigned long long)drops);
}

/* The bytes as they are, but nothing that would drive the terminal (CRs of CRLF dropped). */
static void raw_bytes(GString *out, const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		if (c == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		g_string_append_c(out, (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? c : '.');
	}
	if (len && data[len - 1] != '\n')
		g_string_append_c(out, '\n');
}

/* "--- 2026-11-23 20:40:01.123456 curl pid=1 ... 127.0.0.1:5 > 127.0.0.1:443 SSL_write 78
 * bytes (OpenSSL)", then the data. */
static void tls_data(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
                     const uint8_t *data, uint32_t len, uint64_t drops)
{
	struct text_writer *t = (struct text_writer *)w;
	GString *out = t->line;
	int dir = m->direction == EC_RECORD_DIR_SENT ? 0 : 1;
	struct ec_text_conn *c;

	if (drops)
		ec_text_conns_lost(&t->conns); /* whose bytes they were is not known */
	start_record(out, drops);
	append_time(out, ts_ns);
	ec_meta_comment(out, m->comm, m->pid, m->tid, m->uid, m->fd, NULL);
	g_string_append_c(out, ' ');
	if (m->family) {
		ec_append_endpoint(out, m->family, m->src_addr, m->src_port);
		g_string_append(out, " > ");
		ec_append_endpoint(out, m->family, m->dst_addr, m->dst_port);
		g_string_append_c(out, ' ');
	}
	g_string_append_printf(out, "%s %u bytes%s (%s)\n",
	                       m->direction == EC_RECORD_DIR_SENT ? "SSL_write" : "SSL_read", len,
	                       m->flags & EC_RECORDF_TRUNCATED ? ", truncated" : "",
	                       ec_record_source_short_name(m->source));
	c = ec_text_conn_get(&t->conns, m, w->out.buf);
	if (c && !c->h2[0] && !c->h2[1] &&
	    (ec_h2_is_preface(data, len) || ec_h2_is_server_start(data, len))) {
		/* HTTP/2 from its first record: a reader for each direction. */
		bool client = ec_h2_is_preface(data, len);

		c->h2[dir] = ec_h2_dir_new(client);
		c->h2[!dir] = ec_h2_dir_new(!client);
	}
	if (c && c->h2[dir]) {
		ec_h2_feed(c->h2[dir], c->h2[!dir], data, len, out);
		if (m->flags & EC_RECORDF_TRUNCATED) {
			ec_h2_lost(c->h2[dir]);
			g_string_append(out,
			                "--- (HTTP/2: the rest of this call was not copied)\n");
		}
	} else {
		raw_bytes(out, data, len);
	}
	ec_text_conn_put(&t->conns, c, out, w->out.buf);
}

/* "--- 2026-11-23 20:40:01.123456 bash pid=1 tid=1 uid=0 (bash) status=1\n<text>\n" */
static void audit(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
                  const struct ec_audit_text *a, uint64_t drops)
{
	GString *out = ((struct text_writer *)w)->line;

	start_record(out, drops);
	append_time(out, ts_ns);
	ec_meta_comment(out, m->comm, m->pid, m->tid, m->uid, -1, NULL);
	g_string_append_printf(out, " (%s%s)", ec_record_source_short_name(m->source),
	                       m->type != EC_RECORD_SQL        ? ""
	                       : a->subtype == EC_SQL_EXTENDED ? ", extended protocol"
	                       : a->subtype == EC_SQL_PREPARE  ? ", prepared statement"
	                                                       : "");
	if (a->status != EC_STATUS_UNKNOWN && m->source == EC_RECORD_SRC_POSTGRES) {
		char state[6];

		ec_pg_sqlstate((uint32_t)a->status, state);
		g_string_append_printf(out, " sqlstate=%s", state);
	} else if (a->status != EC_STATUS_UNKNOWN) {
		g_string_append_printf(out, " status=%d", a->status);
	}
	if (m->flags & EC_RECORDF_TRUNCATED)
		g_string_append_printf(out, " truncated from %u bytes", a->real_len);
	g_string_append_c(out, '\n');
	/* The text as the program had it, but nothing in it drives the terminal. */
	ec_escape_append(out, (const char *)a->text, a->len, "\n\t");
	if (!a->len || a->text[a->len - 1] != '\n')
		g_string_append_c(out, '\n');
	g_byte_array_append(w->out.buf, (const uint8_t *)out->str, out->len);
}

/* The end of the capture: what connections hold is written. */
static void end(struct ec_writer *w)
{
	ec_text_conns_end_all(&((struct text_writer *)w)->conns, w->out.buf);
}

static void free_writer(struct ec_writer *w)
{
	struct text_writer *t = (struct text_writer *)w;

	ec_text_conns_end_all(&t->conns, NULL);
	g_string_free(t->line, TRUE);
}

static const struct ec_writer_ops text_ops = {
    .tls_data = tls_data,
    .audit = audit,
    .end = end,
    .free = free_writer,
};

struct ec_writer *ec_text_writer_new(bool group)
{
	struct text_writer *t = g_new0(struct text_writer, 1);

	t->conns.group = group;
	t->w.ops = &text_ops;
	t->w.out.fd = -1;
	t->line = g_string_new(NULL);
	return &t->w;
}
