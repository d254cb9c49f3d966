// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text output of the standalone CLI: TLS data and audit records through the engine's
 * handlers into the text writer, against the exact lines expected (header line, bytes that
 * would drive a terminal turned into dots, CRLF as LF, zsh's metafied bytes turned back).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "ecapture/record.h"
#include "engine/engine_int.h"
#include "output/writer.h"

struct fixture {
	struct ec_capture_opts opts;
	struct engine e;
};

static int no_flow_state(void *ctx, const struct ec_flow_key *key, enum ec_flow_state state)
{
	(void)ctx;
	(void)key;
	(void)state;
	g_assert_not_reached();
	return -1;
}

static void setup(struct fixture *f, gconstpointer data)
{
	struct ec_engine_maps maps = {.set_flow_state = no_flow_state};
	struct ec_writer *w = ec_text_writer_new(data != NULL);

	ec_capture_opts_init(&f->opts);
	f->opts.output_kind = EC_OUT_TEXT;
	ec_writer_use_fd(w, -1); /* never flushed: the test reads the buffer */
	memset(&f->e, 0, sizeof(f->e));
	ec_engine_init(&f->e, &f->opts, w, &maps);
	f->e.mono_to_real = 0; /* event times are wall-clock times below */
}

static void teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	ec_engine_fini(&f->e);
	ec_capture_opts_clear(&f->opts);
}

static const char *output(const struct fixture *f)
{
	GByteArray *b = f->e.out->out.buf;

	g_byte_array_append(b, (const uint8_t *)"", 1);
	g_byte_array_set_size(b, b->len - 1);
	return (const char *)b->data;
}

/* 2026-11-23 20:40:01.123456789 UTC */
#define TS 1795466401123456789ull

/* A plaintext event: curl (pid 4242, tid 4243, uid 1000) sent LEN bytes of TEXT on fd 5, Go. */
static struct ec_tls_data_event *tls_data(const char *text, size_t len, size_t *size)
{
	struct ec_tls_data_event *ev;

	*size = sizeof(*ev) + len;
	ev = g_malloc0(*size);
	ev->hdr.type = EC_EV_TLS_DATA;
	ev->hdr.ts_ns = TS;
	ev->proc.pid = 4242;
	ev->proc.tid = 4243;
	ev->proc.uid = 1000;
	memcpy(ev->proc.comm, "curl", 4);
	ev->fd = 5;
	ev->dir = EC_RECORD_DIR_SENT;
	ev->source = EC_RECORD_SRC_GO;
	ev->len = (uint32_t)len;
	memcpy(ev->data, text, len);
	return ev;
}

static void test_tls_data(struct fixture *f, gconstpointer data)
{
	static const char text[] = "GET / HTTP/1.1\r\nX: \x1b[2J\a\x7f\xc3\xa9\tend";
	size_t size;
	g_autofree struct ec_tls_data_event *ev = tls_data(text, sizeof(text) - 1, &size);

	(void)data;
	ec_engine_on_data(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 fd=5 "
	                "SSL_write 31 bytes (Go)\n"
	                "GET / HTTP/1.1\nX: .[2J....\tend\n");
}

/* Records the kernel lost are said once, before the next record written. */
static void test_lost_records(struct fixture *f, gconstpointer data)
{
	size_t size;
	g_autofree struct ec_tls_data_event *ev = tls_data("ok", 2, &size);

	(void)data;
	f->e.records_lost.read = 3;
	ec_engine_on_data(&f->e, ev, size);
	ec_engine_on_data(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 3 record(s) lost here\n"
	                "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 fd=5 "
	                "SSL_write 2 bytes (Go)\nok\n"
	                "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 fd=5 "
	                "SSL_write 2 bytes (Go)\nok\n");
}

static struct ec_audit_event *audit(uint8_t type, uint8_t source, const char *text, size_t len,
                                    size_t *size)
{
	struct ec_audit_event *ev;

	*size = sizeof(*ev) + len;
	ev = g_malloc0(*size);
	ev->hdr.type = EC_EV_AUDIT;
	ev->hdr.ts_ns = TS;
	ev->proc.pid = 77;
	ev->proc.tid = 77;
	ev->proc.uid = 0;
	memcpy(ev->proc.comm, "shell", 5);
	ev->type = type;
	ev->source = source;
	ev->len = ev->data_len = (uint32_t)len;
	memcpy(ev->data, text, len);
	return ev;
}

static void test_audit_zsh(struct fixture *f, gconstpointer data)
{
	/* "echo é" with its 0xa9 metafied: 0x83, 0xa9 ^ 32. */
	static const char text[] = "echo \xc3\x83\x89";
	size_t size;
	g_autofree struct ec_audit_event *ev =
	    audit(EC_RECORD_SHELL, EC_RECORD_SRC_ZSH, text, sizeof(text) - 1, &size);

	(void)data;
	ev->status = 2;
	ec_engine_on_audit(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 shell pid=77 tid=77 uid=0 (zsh) status=2\n"
	                "echo \xc3\xa9\n");
}

static void test_audit_postgres(struct fixture *f, gconstpointer data)
{
	static const char text[] = "SELECT 1/0;\n";
	size_t size;
	g_autofree struct ec_audit_event *ev =
	    audit(EC_RECORD_SQL, EC_RECORD_SRC_POSTGRES, text, sizeof(text) - 1, &size);

	(void)data;
	/* SQLSTATE 22012, packed six bits per character, the first lowest. */
	ev->status = ('2' - '0') | ('2' - '0') << 6 | ('0' - '0') << 12 | ('1' - '0') << 18 |
	             ('2' - '0') << 24;
	ev->subtype = EC_SQL_EXTENDED;
	ev->flags = EC_AUDITF_TRUNCATED;
	ev->len = 40000;
	ec_engine_on_audit(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 shell pid=77 tid=77 uid=0 (postgres, "
	                "extended protocol) sqlstate=22012 truncated from 40000 bytes\n"
	                "SELECT 1/0;\n");
}

static void test_audit_unknown_status(struct fixture *f, gconstpointer data)
{
	static const char text[] = "ls";
	size_t size;
	g_autofree struct ec_audit_event *ev =
	    audit(EC_RECORD_SHELL, EC_RECORD_SRC_BASH, text, sizeof(text) - 1, &size);

	(void)data;
	ev->status = EC_STATUS_UNKNOWN;
	ec_engine_on_audit(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 shell pid=77 tid=77 uid=0 (bash)\nls\n");
}

static void test_audit_escaped(struct fixture *f, gconstpointer data)
{
	/* a title change, a bell, a cursor move, a C1 CSI (U+009B), a bad byte, UTF-8, CRLF */
	static const char text[] = "echo \x1b]0;pwned\x07 \x1b[2J \xc2\x9b"
	                           "1m \xff \xc3\xa9\tok\r\n";
	size_t size;
	g_autofree struct ec_audit_event *ev =
	    audit(EC_RECORD_SHELL, EC_RECORD_SRC_BASH, text, sizeof(text) - 1, &size);

	(void)data;
	ev->status = 0;
	ec_engine_on_audit(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 shell pid=77 tid=77 uid=0 (bash) status=0\n"
	                "echo \\x1b]0;pwned\\x07 \\x1b[2J \\xc2\\x9b1m \\xff \xc3\xa9\tok\\x0d\n");
}

/* A program may name itself anything (prctl PR_SET_NAME): its name is escaped too. */
static void test_comm_escaped(struct fixture *f, gconstpointer data)
{
	static const char text[] = "ls";
	size_t size;
	g_autofree struct ec_audit_event *ev =
	    audit(EC_RECORD_SHELL, EC_RECORD_SRC_BASH, text, sizeof(text) - 1, &size);

	(void)data;
	memcpy(ev->proc.comm, "x\x1b]0;t\x07\n--- y", 14);
	ev->status = 0;
	ec_engine_on_audit(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 x\\x1b]0;t\\x07\\x0a--- y pid=77 tid=77 "
	                "uid=0 (bash) status=0\nls\n");
}

/* HTTP/2 of a connection object (SSL *): the preface and frames decoded, HPACK included. */
static void test_http2(struct fixture *f, gconstpointer data)
{
	/* preface; SETTINGS (empty); HEADERS stream 1 END_STREAM|END_HEADERS: :method GET,
	 * :path /, :scheme https (static table), then a literal "x-a: \e" (not indexed). */
	static const char req[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	                          "\0\0\0\x04\0\0\0\0\0"
	                          "\0\0\x0a\x01\x05\0\0\0\x01\x82\x84\x87\x00\x03x-a\x01\x1b";
	/* The server's answer, read: HEADERS stream 1 (:status 200), DATA "hi\n". */
	static const char resp[] = "\0\0\x01\x01\x04\0\0\0\x01\x88"
	                           "\0\0\x03\x00\x01\0\0\0\x01hi\n";
	size_t size, rsize;
	g_autofree struct ec_tls_data_event *ev = tls_data(req, sizeof(req) - 1, &size);
	g_autofree struct ec_tls_data_event *rev = tls_data(resp, sizeof(resp) - 1, &rsize);

	(void)data;
	ev->ssl = rev->ssl = 0x1234;
	rev->dir = EC_RECORD_DIR_RECEIVED;
	ec_engine_on_data(&f->e, ev, size);
	ec_engine_on_data(&f->e, rev, rsize);
	g_assert_cmpstr(output(f), ==,
	                "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 fd=5 "
	                "SSL_write 52 bytes (Go)\n"
	                "HTTP/2 connection preface\n"
	                "HTTP/2 SETTINGS stream=0 flags=0x0 length=0\n"
	                "HTTP/2 HEADERS stream=1 flags=0x5 END_STREAM END_HEADERS length=10\n"
	                ":method: GET\n:path: /\n:scheme: https\nx-a: \\x1b\n"
	                "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 fd=5 "
	                "SSL_read 22 bytes (Go)\n"
	                "HTTP/2 HEADERS stream=1 flags=0x4 END_HEADERS length=1\n"
	                ":status: 200\n"
	                "HTTP/2 DATA stream=1 flags=0x1 END_STREAM length=3\nhi\n");
}

/* Grouped: two connections' alternating records come out together, at the end. */
static void test_group(struct fixture *f, gconstpointer data)
{
	size_t size;
	g_autofree struct ec_tls_data_event *ev = tls_data("x", 1, &size);
	static const char rec[] = "--- 2026-11-23 20:40:01.123456 curl pid=4242 tid=4243 uid=1000 "
	                          "fd=5 SSL_write 1 bytes (Go)\n";
	g_autofree char *want = NULL, *first = g_strconcat(rec, "z\n", NULL);

	(void)data;
	for (int i = 0; i < 4; i++) {
		ev->ssl = 1 + (i & 1);
		ev->data[0] = (uint8_t)('a' + i);
		ec_engine_on_data(&f->e, ev, size);
	}
	ev->ssl = 0; /* no connection object: written as it comes */
	ev->data[0] = 'z';
	ec_engine_on_data(&f->e, ev, size);
	g_assert_cmpstr(output(f), ==, first);
	ec_writer_end(f->e.out);
	want = g_strconcat(rec, "z\n", rec, "a\n", rec, "c\n", rec, "b\n", rec, "d\n", NULL);
	g_assert_cmpstr(output(f), ==, want);
}

int main(int argc, char **argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	g_test_init(&argc, &argv, NULL);
	g_test_add("/text_writer/tls_data", struct fixture, NULL, setup, test_tls_data, teardown);
	g_test_add("/text_writer/http2", struct fixture, NULL, setup, test_http2, teardown);
	g_test_add("/text_writer/group", struct fixture, "group", setup, test_group, teardown);
	g_test_add("/text_writer/lost_records", struct fixture, NULL, setup, test_lost_records,
	           teardown);
	g_test_add("/text_writer/audit_zsh", struct fixture, NULL, setup, test_audit_zsh, teardown);
	g_test_add("/text_writer/audit_postgres", struct fixture, NULL, setup, test_audit_postgres,
	           teardown);
	g_test_add("/text_writer/audit_unknown_status", struct fixture, NULL, setup,
	           test_audit_unknown_status, teardown);
	g_test_add("/text_writer/comm_escaped", struct fixture, NULL, setup, test_comm_escaped,
	           teardown);
	g_test_add("/text_writer/audit_escaped", struct fixture, NULL, setup, test_audit_escaped,
	           teardown);
	return g_test_run();
}
