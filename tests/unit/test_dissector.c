// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record writer and the Wireshark plugin, end to end through the real tshark: a pcapng of
 * real TCP packets with process comments and of records (HTTP/1.1 split, pipelined, without a
 * tuple, truncated, broken; HTTP/2) is written with the project's encoders and read back with
 * the plugin from the build tree, by the reading path of a saved file and by the live one
 * (dumpcap). Wireshark ignores WIRESHARK_PLUGIN_DIR for root, so as root tshark runs as nobody.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ecapture/escape.h"
#include "ecapture/record.h"
#include "output/pcapng.h"
#include "output/record_writer.h"
#include "spawn_cmdline.h"
#include "require_tools.h"

#ifndef ECAPTURE_PLUGIN_BUILD_ROOT
#define ECAPTURE_PLUGIN_BUILD_ROOT "" /* the plugin is not built: the tests fail */
#endif

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void put16be(GByteArray *b, uint16_t v)
{
	uint16_t n = htons(v);

	g_byte_array_append(b, (const guint8 *)&n, 2);
}

static void put32be(GByteArray *b, uint32_t v)
{
	uint32_t n = htonl(v);

	g_byte_array_append(b, (const guint8 *)&n, 4);
}

/* Ethernet, IPv4 (checksummed) and TCP (PSH|ACK) headers around PAYLOAD. */
static GByteArray *tcp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                             uint32_t seq, const char *payload)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	GByteArray *b = g_byte_array_new();
	size_t len = strlen(payload);
	uint32_t sum = 0;
	uint16_t csum;

	g_byte_array_append(b, macs, sizeof(macs));
	put16be(b, 0x0800);
	g_byte_array_append(b, (const guint8 *)"\x45\x00", 2);
	put16be(b, (uint16_t)(40 + len));
	put32be(b, 0x00014000);
	g_byte_array_append(b, (const guint8 *)"\x40\x06\x00\x00", 4);
	put32be(b, src);
	put32be(b, dst);
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(b->data[i] << 8 | b->data[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	csum = htons((uint16_t)~sum);
	memcpy(b->data + 24, &csum, 2);
	put16be(b, sport);
	put16be(b, dport);
	put32be(b, seq);
	put32be(b, 1);
	put16be(b, 0x5018);
	put16be(b, 65535);
	put32be(b, 0);
	g_byte_array_append(b, (const guint8 *)payload, (guint)len);
	return b;
}

#define IP_CLIENT 0x0a000001u /* 10.0.0.1 */
#define IP_SERVER 0x0a000002u /* 10.0.0.2 */

/* A record's metadata: curl's connection 10.0.0.1:50000 -> 10.0.0.2:443 unless changed. */
static struct ec_record_meta curl_meta(uint8_t dir)
{
	struct ec_record_meta m = {
	    .type = EC_RECORD_TLS_DATA,
	    .direction = dir,
	    .source = EC_RECORD_SRC_OPENSSL,
	    .pid = 1234,
	    .tid = 1235,
	    .uid = 1000,
	    .fd = 5,
	    .conn_id = 0x5555000000000001ull,
	    .comm = "curl",
	    .cmdline = "curl -sk https://10.0.0.2/",
	    .family = AF_INET,
	};
	uint32_t c = htonl(IP_CLIENT), s = htonl(IP_SERVER);
	bool sent = dir == EC_RECORD_DIR_SENT;

	memcpy(m.src_addr, sent ? &c : &s, 4);
	memcpy(m.dst_addr, sent ? &s : &c, 4);
	m.src_port = sent ? 50000 : 443;
	m.dst_port = sent ? 443 : 50000;
	return m;
}

struct capture {
	GByteArray *file;
	uint64_t ts;
};

static void add_packet(struct capture *c, const char *payload, bool to_server, const char *comment)
{
	GByteArray *f = to_server ? tcp_frame(IP_CLIENT, IP_SERVER, 50000, 443, 1000, payload)
	                          : tcp_frame(IP_SERVER, IP_CLIENT, 443, 50000, 5000, payload);

	ec_pcapng_epb(c->file, 0, c->ts += 1000, f->data, f->len, f->len,
	              to_server ? EC_PCAPNG_DIR_OUTBOUND : EC_PCAPNG_DIR_INBOUND, comment, 0);
	g_byte_array_unref(f);
}

/* A record with LEN bytes of DATA (the meta's data_len set to LEN unless already set). */
static void add_record_len(struct capture *c, struct ec_record_meta m, const void *data, size_t len)
{
	GByteArray *r = g_byte_array_new();

	if (!m.data_len)
		m.data_len = (uint32_t)len;
	ec_record_append(r, &m, data, len);
	ec_pcapng_epb(c->file, 1, c->ts += 1000, r->data, r->len, r->len,
	              m.direction ? EC_PCAPNG_DIR_INBOUND : EC_PCAPNG_DIR_OUTBOUND, NULL, 0);
	g_byte_array_unref(r);
}

static void add_record(struct capture *c, struct ec_record_meta m, const char *text)
{
	add_record_len(c, m, text, strlen(text));
}

/* A record whose bytes are damaged by DAMAGE at offset AT of the ec_record header. */
static void add_damaged_record(struct capture *c, size_t at, const void *damage, size_t n)
{
	struct ec_record_meta m = curl_meta(EC_RECORD_DIR_SENT);
	GByteArray *r = g_byte_array_new();
	size_t tags;

	m.family = 0;
	m.data_len = 3;
	ec_record_append(r, &m, "abc", 3);
	tags = r->len - (EC_RECORD_FIXED_LEN + strlen(m.cmdline) + 3);
	memcpy(r->data + tags + at, damage, n);
	ec_pcapng_epb(c->file, 1, c->ts += 1000, r->data, r->len, r->len, EC_PCAPNG_DIR_UNKNOWN,
	              NULL, 0);
	g_byte_array_unref(r);
}

/* HTTP/2 frames of a GET /h2 and its 200 (HPACK without Huffman or dynamic table). */
static const uint8_t h2_client[] =
    {
        'P',  'R',  'I',  ' ', '*',  ' ',  'H',  'T',  'T', 'P', '/', '2', '.', '0', '\r', '\n',
        '\r', '\n', 'S',  'M', '\r', '\n', '\r', '\n', 0,   0,   0,   4,   0,   0,   0,    0,
        0,                                                /* SETTINGS */
        0,    0,    16,   1,   5,    0,    0,    0,    1, /* HEADERS, END_STREAM|END_HEADERS, stream
                                                             1 */
        0x82, 0x87, 0x04, 3,   '/',  'h',  '2',  0x01, 7,   'e', 'x', 'a', 'm', 'p', 'l',  'e',
};
static const uint8_t h2_server[] = {
    0, 0, 0, 4, 0, 0, 0, 0, 0,       /* SETTINGS */
    0, 0, 1, 1, 5, 0, 0, 0, 1, 0x88, /* HEADERS :status 200 */
};

/*
 * Header tables are per direction: the client adds ":authority: example" and the server
 * "server: x" to theirs (each at index 62); the client's next request names index 62 and
 * means its own entry.
 */
static const uint8_t h2_client_indexing[] = {
    'P',  'R',  'I',  ' ',  '*', ' ', 'H',  'T',  'T',  'P',  '/', '2', '.', '0',
    '\r', '\n', '\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n', 0,   0,   0,   4,
    0,    0,    0,    0,    0,   0,   0,    12,   1,    5,    0,   0,   0,   1,
    0x82, 0x87, 0x84, 0x41, 7,   'e', 'x',  'a',  'm',  'p',  'l', 'e',
};
static const uint8_t h2_server_indexing[] = {
    0, 0, 0, 4,    0,    0, 0,   0,   0,   0,   0,   11,  1, 5,   0,
    0, 0, 1, 0x88, 0x40, 6, 's', 'e', 'r', 'v', 'e', 'r', 1, 'x',
};
static const uint8_t h2_client_indexed[] = {
    0, 0, 4, 1, 5, 0, 0, 0, 3, 0x82, 0x87, 0x84, 0xbe,
};

/* The frames of the test capture; the expected tshark output below follows this order. */
static GByteArray *build_capture(void)
{
	static const char cmdline[] = "curl -H \"X-A: b\\c\" https://10.0.0.2/";
	struct capture c = {.file = g_byte_array_new(), .ts = 1700000000000000000ull};
	struct ec_record_meta m;
	GString *comment = g_string_new(NULL);
	char big[64];

	ec_pcapng_shb(c.file, NULL, NULL, "test_dissector");
	ec_pcapng_idb(c.file, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_WIRESHARK_UPPER_PDU, 262144, "ecapture", NULL);

	/* 1-5: packets with and without process comments */
	ec_meta_comment(comment, "curl", 1234, 1235, 1000, 5, cmdline);
	add_packet(&c, "\x17\x03\x03\x00\x01x", true, comment->str);
	g_string_truncate(comment, 0);
	ec_meta_comment(comment, "curl", 1234, 1234, 1000, 5, cmdline);
	add_packet(&c, "\x17\x03\x03\x00\x01y", false, comment->str);
	add_packet(&c, "\x17\x03\x03\x00\x01z", true, NULL);
	g_string_truncate(comment, 0);
	ec_meta_comment(comment, "Web pid=9", 77, 78, 0, -1, NULL);
	add_packet(&c, "\x17\x03\x03\x00\x01w", false, comment->str);
	add_packet(&c, "\x17\x03\x03\x00\x01v", false, "curl pid=12 tid=x uid=0");

	/* 6-7: a request in two records; 8: its response; 9: two requests in one record */
	add_record(&c, curl_meta(EC_RECORD_DIR_SENT), "GET /split HTTP/1.1\r\nHost: exa");
	add_record(&c, curl_meta(EC_RECORD_DIR_SENT), "mple.com\r\nUser-Agent: t\r\n\r\n");
	add_record(&c, curl_meta(EC_RECORD_DIR_RECEIVED),
	           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	add_record(&c, curl_meta(EC_RECORD_DIR_SENT),
	           "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");

	/* 10: another process, no socket known: no tuple, fd -1 */
	m = curl_meta(EC_RECORD_DIR_SENT);
	m.family = 0;
	m.fd = -1;
	m.pid = m.tid = 4321;
	m.conn_id = 0x7777;
	memset(m.comm, 0, sizeof(m.comm));
	memcpy(m.comm, "wget", 4);
	m.cmdline = NULL;
	add_record(&c, m, "GET /nofd HTTP/1.1\r\nHost: y\r\n\r\n");

	/* 11: a response cut short: 60 of 1000 bytes */
	m = curl_meta(EC_RECORD_DIR_RECEIVED);
	m.conn_id = 2;
	m.src_port = 444;
	m.flags = EC_RECORDF_TRUNCATED;
	m.data_len = 1000;
	memset(big, 'x', sizeof(big));
	memcpy(big, "HTTP/1.1 404 Not Found\r\nContent-Length: 953\r\n\r\n", 47);
	add_record_len(&c, m, big, 60);

	/* 12: bad magic; 13: a cmdline length past the end; 14: data shorter than its length */
	add_damaged_record(&c, 0, "XC", 2);
	add_damaged_record(&c, 52, "\xff\xff", 2);
	add_damaged_record(&c, 24, "\0\0\0\x09", 4);

	/* 15-17: HTTP/2; the client's HEADERS frame is split over two records */
	m = curl_meta(EC_RECORD_DIR_SENT);
	m.conn_id = 3;
	m.src_port = 50003;
	add_record_len(&c, m, h2_client, sizeof(h2_client) - 10);
	add_record_len(&c, m, h2_client + sizeof(h2_client) - 10, 10);
	m = curl_meta(EC_RECORD_DIR_RECEIVED);
	m.conn_id = 3;
	m.dst_port = 50003;
	add_record_len(&c, m, h2_server, sizeof(h2_server));

	/*
	 * 18-19: the SSL object of a connection that ended mid-request is reused for a new one
	 * (another tuple); 20-21: the same without tuples, HTTP/2 (a new preface). The new
	 * connection must not continue the old one's unfinished request.
	 */
	m = curl_meta(EC_RECORD_DIR_SENT);
	m.conn_id = 9;
	m.src_port = 50009;
	add_record(&c, m, "GET /x HTT");
	m.src_port = 50010;
	add_record(&c, m, "GET /y HTTP/1.1\r\nHost: z\r\n\r\n");
	m.family = 0;
	m.conn_id = 10;
	add_record_len(&c, m, h2_client, sizeof(h2_client) - 10);
	add_record_len(&c, m, h2_client_indexing, sizeof(h2_client_indexing));

	/* 22-23: the rest of that connection, whose directions only the records' tell apart */
	m.direction = EC_RECORD_DIR_RECEIVED;
	add_record_len(&c, m, h2_server_indexing, sizeof(h2_server_indexing));
	m.direction = EC_RECORD_DIR_SENT;
	add_record_len(&c, m, h2_client_indexed, sizeof(h2_client_indexed));

	g_string_free(comment, TRUE);
	return c.file;
}

/* ------------------------------------------------------------------------------------------ */
/* Running tshark as nobody                                                                   */
/* ------------------------------------------------------------------------------------------ */

struct env {
	gchar *dir;    /* 0755, owned by root; the capture is readable by all */
	gchar *file;   /* the capture */
	gchar *home;   /* nobody's HOME and Wireshark config, writable by nobody */
	gchar *noplug; /* an empty plugin directory */
	bool drop;     /* running as root: run tshark as nobody */
	uid_t uid;
	gid_t gid;
	const char *stdin_path; /* for the child setup */
};

static void env_init(struct env *e, const GByteArray *capture)
{
	struct passwd *pw = getpwnam("nobody");
	GError *err = NULL;

	e->drop = geteuid() == 0;
	g_assert_true(!e->drop || pw);
	e->uid = e->drop ? pw->pw_uid : geteuid();
	e->gid = e->drop ? pw->pw_gid : getegid();
	e->dir = g_dir_make_tmp("ec-dissector-XXXXXX", &err);
	g_assert_no_error(err);
	g_assert_cmpint(g_chmod(e->dir, 0755), ==, 0);
	e->file = g_build_filename(e->dir, "test.pcapng", NULL);
	e->home = g_build_filename(e->dir, "home", NULL);
	e->noplug = g_build_filename(e->dir, "noplugins", NULL);
	g_assert_cmpint(g_mkdir(e->home, 0700), ==, 0);
	g_assert_cmpint(chown(e->home, e->uid, e->gid), ==, 0);
	g_assert_cmpint(g_mkdir(e->noplug, 0755), ==, 0);
	g_file_set_contents(e->file, (const gchar *)capture->data, capture->len, &err);
	g_assert_no_error(err);
	g_assert_cmpint(g_chmod(e->file, 0644), ==, 0);
	e->stdin_path = NULL;
}

static void env_clear(struct env *e)
{
	gchar *argv[] = {"rm", "-rf", e->dir, NULL};

	if (g_getenv("EC_TEST_KEEP"))
		g_printerr("kept %s\n", e->dir);
	else
		g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
		             NULL);
	g_free(e->dir);
	g_free(e->file);
	g_free(e->home);
	g_free(e->noplug);
}

/* In the child: become nobody, with the capture on stdin when asked. */
static void drop_to_nobody(gpointer data)
{
	const struct env *e = data;

	if (e->stdin_path) {
		int fd = open(e->stdin_path, O_RDONLY);

		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		close(fd);
	}
	if (e->drop && (setgroups(0, NULL) || setgid(e->gid) || setuid(e->uid)))
		_exit(126);
}

/*
 * Run tshark with ARGS ("@" stands for the capture) and the plugin from the build tree (or no
 * plugins at all); returns stdout. It must exit 0 and say nothing on stderr. A missing tshark,
 * or a plugin that is not built, fails the test.
 */
static gchar *tshark(struct env *e, bool with_plugin, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	gchar **envp = g_get_environ();
	gchar *out = NULL, *errout = NULL, *path = g_find_program_in_path("tshark");
	gchar *plugin =
	    g_build_filename(ECAPTURE_PLUGIN_BUILD_ROOT, "4.0", "epan", "ecapture.so", NULL);
	GError *err = NULL;
	gint status;

	if (!path)
		g_error("tshark is not installed");
	if (with_plugin &&
	    (!*ECAPTURE_PLUGIN_BUILD_ROOT || !g_file_test(plugin, G_FILE_TEST_EXISTS)))
		g_error("the plugin is not built: %s", plugin);
	envp = g_environ_setenv(envp, "HOME", e->home, TRUE);
	envp = g_environ_setenv(envp, "WIRESHARK_CONFIG_DIR", e->home, TRUE);
	envp = g_environ_setenv(envp, "WIRESHARK_PLUGIN_DIR",
	                        with_plugin ? ECAPTURE_PLUGIN_BUILD_ROOT : e->noplug, TRUE);
	g_ptr_array_add(argv, path);
	for (; *args; args++)
		g_ptr_array_add(argv, strcmp(*args, "@") ? (gpointer)*args : e->file);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(e->dir, (gchar **)argv->pdata, envp, G_SPAWN_DEFAULT, drop_to_nobody, e, &out,
	             &errout, &status, &err);
	g_assert_no_error(err);
	if (!g_spawn_check_wait_status(status, &err))
		g_error("tshark failed: %s\n%s", err->message, errout);
	/* the live path (dumpcap) reports what it captured on stderr */
	if (*errout && !(e->stdin_path && g_str_has_prefix(errout, "Capturing on")))
		g_error("tshark complained: %s", errout);
	g_free(errout);
	g_free(plugin);
	g_strfreev(envp);
	g_free(path);
	g_ptr_array_free(argv, TRUE);
	return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_comment_format(void)
{
	GString *s = g_string_new("x ");

	ec_meta_comment(s, "curl", 1234, 1235, 0, 5, "curl -H \"a\\b\" \\\"");
	g_assert_cmpstr(s->str, ==,
	                "x curl pid=1234 tid=1235 uid=0 fd=5 cmdline=\"curl -H \\\"a\\\\b\\\" "
	                "\\\\\\\"\"");
	g_string_truncate(s, 0);
	ec_meta_comment(s, "Web Content", 1, 2, 4294967295u, -1, NULL);
	g_assert_cmpstr(s->str, ==, "Web Content pid=1 tid=2 uid=4294967295");
	g_string_truncate(s, 0);
	/* a comm that fills all 16 bytes has no NUL: it is cut there */
	ec_meta_comment(s, "0123456789abcdefXYZ", 7, 7, 0, 0, "");
	g_assert_cmpstr(s->str, ==, "0123456789abcdef pid=7 tid=7 uid=0 fd=0 cmdline=\"\"");
	g_string_free(s, TRUE);
}

static void test_record_layout(void)
{
	/* clang-format off */
	static const uint8_t v4[] = {
	    0, 12, 0, 8, 'e', 'c', 'a', 'p', 't', 'u', 'r', 'e',
	    0, 20, 0, 4, 10, 0, 0, 1,
	    0, 21, 0, 4, 10, 0, 0, 2,
	    0, 24, 0, 4, 0, 0, 0, 2,
	    0, 25, 0, 4, 0, 0, 0xc3, 0x50,
	    0, 26, 0, 4, 0, 0, 0x01, 0xbb,
	    0, 0, 0, 0,
	    'E', 'C', 1, 1,
	    0, 0, 0x04, 0xd2, 0, 0, 0x04, 0xd3, 0, 0, 0x03, 0xe8, 0, 0, 0, 5,
	    0, 1, 0, 0, 0, 0, 0, 3,
	    0x55, 0x55, 0, 0, 0, 0, 0, 1,
	    'c', 'u', 'r', 'l', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 26, 'c', 'u', 'r', 'l', ' ', '-', 's', 'k', ' ', 'h', 't', 't', 'p', 's', ':', '/',
	    '/', '1', '0', '.', '0', '.', '0', '.', '2', '/',
	    'a', 'b', 'c',
	};
	static const uint8_t v6_head[] = {
	    0, 12, 0, 8, 'e', 'c', 'a', 'p', 't', 'u', 'r', 'e',
	    0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    0, 23, 0, 16, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	    0, 24, 0, 4, 0, 0, 0, 2,
	    0, 25, 0, 4, 0, 0, 0x01, 0xbb,
	    0, 26, 0, 4, 0, 0, 0xc3, 0x50,
	    0, 0, 0, 0,
	    'E', 'C', 1, 1, 0, 0, 0x04, 0xd2, 0, 0, 0x04, 0xd3, 0, 0, 0x03, 0xe8,
	    0xff, 0xff, 0xff, 0xff, 1, 1, 0, 1, 0, 0, 0x27, 0x10,
	};
	/* clang-format on */
	struct ec_record_meta m = curl_meta(EC_RECORD_DIR_SENT);
	GByteArray *b = g_byte_array_new();

	g_byte_array_append(b, (const guint8 *)"keep", 4);
	m.data_len = 3;
	ec_record_append(b, &m, "abc", 3);
	g_assert_cmpmem(b->data, 4, "keep", 4);
	g_assert_cmpmem(b->data + 4, b->len - 4, v4, sizeof(v4));

	/* IPv6, received, truncated, no cmdline, no data */
	g_byte_array_set_size(b, 0);
	m = curl_meta(EC_RECORD_DIR_RECEIVED);
	m.family = AF_INET6;
	memset(m.src_addr, 0, 16);
	m.src_addr[15] = 1;
	memset(m.dst_addr, 0, 16);
	m.dst_addr[0] = 0xfe;
	m.dst_addr[1] = 0x80;
	m.dst_addr[15] = 2;
	m.fd = -1;
	m.flags = EC_RECORDF_TRUNCATED;
	m.data_len = 10000;
	m.cmdline = NULL;
	ec_record_append(b, &m, NULL, 0);
	g_assert_cmpuint(b->len, ==, sizeof(v6_head) - 28 + EC_RECORD_FIXED_LEN);
	g_assert_cmpmem(b->data, sizeof(v6_head), v6_head, sizeof(v6_head));
	g_assert_cmpmem(b->data + b->len - 2, 2, "\0\0", 2); /* cmdline length 0 */

	/* no tuple: the name and the end tag only */
	g_byte_array_set_size(b, 0);
	m.family = 0;
	ec_record_append(b, &m, "z", 1);
	g_assert_cmpmem(b->data, 16,
	                "\0\x0c\0\x08"
	                "ecapture\0\0\0\0",
	                16);
	g_assert_cmpuint(b->len, ==, 16 + EC_RECORD_FIXED_LEN + 1);
	g_byte_array_unref(b);
}

static void test_cmdline_read(void)
{
	char mine[EC_CMDLINE_MAX + 1];
	gchar *raw = NULL;
	gsize len;

	g_assert_cmpuint(ec_cmdline_read((uint32_t)getpid(), mine), >, 0);
	g_assert_true(g_file_get_contents("/proc/self/cmdline", &raw, &len, NULL));
	g_assert_cmpuint(strlen(mine), ==, len - 1); /* NULs became spaces, the last one went */
	for (gsize i = 0; i + 1 < len; i++)
		g_assert_cmpint(mine[i], ==, raw[i] ? raw[i] : ' ');
	g_free(raw);
	g_assert_cmpuint(ec_cmdline_read(0, mine), ==, 0);           /* no such process */
	g_assert_cmpuint(ec_cmdline_read(2, mine), ==, 0);           /* kthreadd: empty */
	g_assert_cmpuint(ec_cmdline_read(4194304 + 1, mine), ==, 0); /* above pid_max */
}

/* A process whose command line is ARG repeated to about 100 KiB; its pid. */
static GPid spawn_long_cmdline(const char *arg)
{
	GString *big = g_string_new(NULL);
	GPid pid;

	while (big->len < 100 * 1024)
		g_string_append(big, arg);
	pid = ec_test_spawn_cmdline(big->str);
	g_string_free(big, TRUE);
	return pid;
}

/* The cost of S as the comment writes it. */
static size_t comment_cost(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s == '"' || *s == '\\') ? 2 : 1;
	return n;
}

/* A command line of 100 KiB is cut at EC_CMDLINE_MAX as written, with the marker, whole. */
static void test_cmdline_long(void)
{
	const char *args[] = {"x", "\"", "\xc3\xa9", "ab\\"};

	for (size_t i = 0; i < G_N_ELEMENTS(args); i++) {
		GPid pid = spawn_long_cmdline(args[i]);
		char buf[EC_CMDLINE_MAX + 1];
		size_t len = ec_cmdline_read((uint32_t)pid, buf);
		g_autoptr(GString) comment = g_string_new(NULL);

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		g_spawn_close_pid(pid);
		g_assert_cmpuint(len, ==, strlen(buf));
		g_assert_true(g_str_has_prefix(buf, "/bin/sh -c sleep 30 sh "));
		g_assert_true(g_str_has_suffix(buf, EC_CMDLINE_CUT));
		g_assert_cmpuint(comment_cost(buf), <=, EC_CMDLINE_MAX);
		g_assert_cmpuint(comment_cost(buf), >, EC_CMDLINE_MAX - 16);
		g_assert_true(g_utf8_validate(buf, -1, NULL));
		ec_meta_comment(comment, "sh", 1, 1, 0, 3, buf);
		g_assert_cmpuint(comment->len, <=, EC_CMDLINE_MAX + 100);
	}
}

/* Per packet: ecapture.pid, tid, uid, comm, fd, cmdline; "-" where a frame has none. */
static const char *const expected_meta =
    "1|1234|1235|1000|curl|5|curl -H \"X-A: b\\c\" https://10.0.0.2/\n"
    "2|1234|1234|1000|curl|5|curl -H \"X-A: b\\c\" https://10.0.0.2/\n"
    "3||||||\n"
    "4|77|78|0|Web pid=9||\n"
    "5||||||\n"
    "6|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "7|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "8|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "9|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "10|4321|4321|1000|wget|-1|\n"
    "11|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "12||||||\n"
    "13|1234|1235|1000|curl|5|\n"
    "14|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "15|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "16|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "17|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "18|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "19|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "20|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "21|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "22|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n"
    "23|1234|1235|1000|curl|5|curl -sk https://10.0.0.2/\n";

/* clang-format off */
static const char *const meta_args[] = {
    "-n", "-r", "@", "-T", "fields", "-E", "separator=|",
    "-e", "frame.number", "-e", "ecapture.pid", "-e", "ecapture.tid", "-e", "ecapture.uid",
    "-e", "ecapture.comm", "-e", "ecapture.fd", "-e", "ecapture.cmdline", NULL,
};
/* clang-format on */

static void test_packet_metadata(void)
{
	GByteArray *cap = build_capture();
	struct env e;
	gchar *out;

	env_init(&e, cap);
	out = tshark(&e, true, meta_args);
	g_assert_cmpstr(out, ==, expected_meta);
	g_free(out);

	/* a display filter on a comment field: exactly curl's frames */
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-r", "@", "-Y", "ecapture.comm == \"curl\"", "-T",
	                                   "fields", "-e", "frame.number", NULL});
	g_assert_cmpstr(out, ==,
	                "1\n2\n6\n7\n8\n9\n11\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n");
	g_free(out);
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-r", "@", "-Y",
	                                   "ecapture.pid == 1234 && !exported_pdu", "-T", "fields",
	                                   "-e", "frame.number", NULL});
	g_assert_cmpstr(out, ==, "1\n2\n");
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(cap);
}

/* The same fields through dumpcap, as a live capture gives them: one pass, packets streamed. */
static void test_live_path(void)
{
	GByteArray *cap = build_capture();
	struct env e;
	gchar *out, *expected;

	env_init(&e, cap);
	e.stdin_path = e.file;
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-i", "-", "-Y", "ecapture.comm == \"curl\"", "-T",
	                                   "fields", "-e", "frame.number", "-e", "ecapture.pid",
	                                   "-e", "http.request.uri", NULL});
	expected = g_strdup("1|1234|\n2|1234|\n6|1234|\n7|1234|/split\n8|1234|\n9|1234|/a,/b\n"
	                    "11|1234|\n13|1234|\n14|1234|\n15|1234|\n16|1234|\n17|1234|\n"
	                    "18|1234|\n19|1234|/y\n20|1234|\n21|1234|\n22|1234|\n23|1234|\n");
	for (char *p = expected; *p; p++)
		if (*p == '|')
			*p = '\t';
	g_assert_cmpstr(out, ==, expected);
	g_free(expected);
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(cap);
}

/* clang-format off */
static const char *const record_args[] = {
    "-n", "-r", "@", "-Y", "exported_pdu", "-T", "fields", "-E", "separator=|",
    "-E", "aggregator=,",
    "-e", "frame.number", "-e", "ecapture.pid", "-e", "ecapture.direction",
    "-e", "ecapture.truncated", "-e", "ecapture.length", "-e", "http.request.method",
    "-e", "http.request.uri", "-e", "http.response.code", "-e", "http2.headers.path",
    "-e", "http2.headers.status", "-e", "ecapture.reassembled_in",
    "-e", "http2.headers.authority", "-e", "http2.headers.server", NULL,
};
/* clang-format on */

/*
 * Frame by frame: the split request is whole in its second record, two requests in one record
 * are both there, the HTTP/2 HEADERS split over two records is decoded. Where a part went is
 * only known on a second pass.
 */
static void check_records(const char *out, bool two_pass)
{
	gchar *expected = g_strdup_printf("6|1234|0|0|30||||||%s||\n"
	                                  "7|1234|0|0|27|GET|/split||||||\n"
	                                  "8|1234|1|0|43|||200|||||\n"
	                                  "9|1234|0|0|56|GET,GET|/a,/b||||||\n"
	                                  "10|4321|0|0|31|GET|/nofd||||||\n"
	                                  "11|1234|1|1|1000|||404|||||\n"
	                                  "12||||||||||||\n"
	                                  "13|1234|0|0|3||||||||\n"
	                                  "14|1234|0|0|9||||||||\n"
	                                  "15|1234|0|0|48||||||%s||\n"
	                                  "16|1234|0|0|10||||/h2|||example|\n"
	                                  "17|1234|1|0|19|||||200|||\n"
	                                  "18|1234|0|0|10||||||||\n"
	                                  "19|1234|0|0|28|GET|/y||||||\n"
	                                  "20|1234|0|0|48||||||||\n"
	                                  "21|1234|0|0|54||||/|||example|\n"
	                                  "22|1234|1|0|29|||||200|||x\n"
	                                  "23|1234|0|0|13||||/|||example|\n",
	                                  two_pass ? "7" : "", two_pass ? "16" : "");

	g_assert_cmpstr(out, ==, expected);
	g_free(expected);
}

/* The expert messages of the records that have any besides HTTP's own. */
static void check_experts(struct env *e)
{
	static const char *const expected =
	    "11|Only 60 of 1000 data bytes captured,HTTP/1.1 404 Not Found\\r\\n\n"
	    "12|Not an eCapture record (bad magic)\n"
	    "13|Command line of 65535 bytes runs past the record's end\n"
	    "14|3 data bytes follow, but the length says 9\n";
	gchar *out = tshark(
	    e, true,
	    (const char *const[]){"-n", "-r", "@", "-Y", "frame.number >= 11 && frame.number <= 14",
	                          "-T", "fields", "-E", "separator=|", "-E", "aggregator=,", "-e",
	                          "frame.number", "-e", "_ws.expert.message", NULL});

	g_assert_cmpstr(out, ==, expected);
	g_free(out);
}

static void test_records(void)
{
	const char *two_pass[G_N_ELEMENTS(record_args) + 1];
	GByteArray *cap = build_capture();
	struct env e;
	gchar *out;

	env_init(&e, cap);
	out = tshark(&e, true, record_args);
	check_records(out, false);
	g_free(out);

	/* two passes: the second replays what the first decided */
	two_pass[0] = "-2";
	memcpy(two_pass + 1, record_args, sizeof(record_args));
	out = tshark(&e, true, two_pass);
	check_records(out, true);
	g_free(out);

	/* the damaged records are errors, the cut one a warning; nothing else is malformed */
	check_experts(&e);
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-r", "@", "-Y",
	                                   "_ws.expert.severity == error || _ws.malformed", "-T",
	                                   "fields", "-e", "frame.number", NULL});
	g_assert_cmpstr(out, ==, "12\n13\n14\n");
	g_free(out);
	out = tshark(&e, true, (const char *const[]){"-n", "-r", "@", "-V", NULL});
	g_assert_nonnull(
	    strstr(out, "eCapture, curl[1234] \u2192 10.0.0.2:443 SSL_write 30 bytes"));
	g_assert_nonnull(strstr(out, "[Packet size limited during capture: HTTP truncated]"));
	g_assert_null(strstr(out, "Malformed Packet"));
	g_assert_null(strstr(out, "Dissector bug"));
	g_assert_null(strstr(out, "Unencrypted HTTP"));
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(cap);
}

/* The Info column: the process and call, then what the application dissector says. */
static void test_columns(void)
{
	GByteArray *cap = build_capture();
	struct env e;
	gchar *out, **lines;

	env_init(&e, cap);
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-r", "@", "-Y", "frame.number in {6, 7, 10, 17}",
	                                   "-T", "fields", "-E", "separator=|", "-e",
	                                   "_ws.col.Protocol", "-e", "_ws.col.Info", NULL});
	lines = g_strsplit(out, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 5);
	g_assert_cmpstr(lines[0], ==,
	                "eCapture|curl[1234] \u2192 10.0.0.2:443 SSL_write 30 bytes "
	                "[part of a reassembled PDU]");
	g_assert_true(g_str_has_prefix(lines[1], "HTTP|curl[1234] \u2192 10.0.0.2:443 SSL_write "
	                                         "27 bytes"));
	g_assert_nonnull(strstr(lines[1], "GET /split HTTP/1.1"));
	g_assert_true(g_str_has_prefix(lines[2], "HTTP|wget[4321] SSL_write 31 bytes"));
	g_assert_true(g_str_has_prefix(lines[3], "HTTP2|curl[1234] \u2190 10.0.0.2:443 SSL_read"));
	g_strfreev(lines);
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(cap);
}

/*
 * Twenty requests and their responses (bodies by Content-Length and chunked) as two streams
 * cut at random places into records, the directions interleaved: every message comes out
 * whole and in order, on one pass and on two.
 */
static void test_random_splits(void)
{
	GRand *rnd = g_rand_new_with_seed(20240611);
	struct capture c = {.file = g_byte_array_new(), .ts = 1700000000000000000ull};
	GString *req = g_string_new(NULL), *resp = g_string_new(NULL);
	GString *uris = g_string_new(NULL), *codes = g_string_new(NULL);
	size_t at[2] = {0, 0};
	const GString *stream[2] = {req, resp};
	struct env e;
	gchar *out;

	for (int i = 0; i < 20; i++) {
		int code = 200 + i;

		if (i % 3 == 0)
			g_string_append_printf(req,
			                       "POST /r%d HTTP/1.1\r\nHost: h\r\n"
			                       "Content-Length: %d\r\n\r\n%0*d",
			                       i, 10 + i, 10 + i, i);
		else
			g_string_append_printf(req, "GET /r%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
		if (i % 2)
			g_string_append_printf(
			    resp,
			    "HTTP/1.1 %d OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			    "5\r\nhello\r\n%x\r\n%0*d\r\n0\r\n\r\n",
			    code, 20 + i, 20 + i, i);
		else
			g_string_append_printf(resp,
			                       "HTTP/1.1 %d OK\r\nContent-Length: %d\r\n\r\n%0*d",
			                       code, 30 + i, 30 + i, i);
		g_string_append_printf(uris, "%s/r%d", i ? "," : "", i);
		g_string_append_printf(codes, "%s%d", i ? "," : "", code);
	}

	ec_pcapng_shb(c.file, NULL, NULL, NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_WIRESHARK_UPPER_PDU, 262144, "ecapture", NULL);
	while (at[0] < req->len || at[1] < resp->len) {
		int dir = at[0] < req->len && (at[1] >= resp->len || g_rand_boolean(rnd)) ? 0 : 1;
		size_t left = stream[dir]->len - at[dir];
		size_t n = MIN(left, (size_t)g_rand_int_range(rnd, 1, 120));

		add_record_len(&c, curl_meta((uint8_t)dir), stream[dir]->str + at[dir], n);
		at[dir] += n;
	}

	env_init(&e, c.file);
	for (int pass = 1; pass <= 2; pass++) {
		const char *args[] = {pass == 2 ? "-2" : "-n",
		                      "-n",
		                      "-r",
		                      "@",
		                      "-T",
		                      "fields",
		                      "-E",
		                      "separator=|",
		                      "-E",
		                      "aggregator=,",
		                      "-e",
		                      "http.request.uri",
		                      "-e",
		                      "http.response.code",
		                      NULL};
		gchar **lines;
		GString *got_uris = g_string_new(NULL), *got_codes = g_string_new(NULL);

		out = tshark(&e, true, args);
		lines = g_strsplit(out, "\n", -1);
		for (gchar **l = lines; *l; l++) {
			gchar **f = g_strsplit(*l, "|", 2);

			if (f[0] && *f[0])
				g_string_append_printf(got_uris, "%s%s", got_uris->len ? "," : "",
				                       f[0]);
			if (f[0] && f[1] && *f[1])
				g_string_append_printf(got_codes, "%s%s", got_codes->len ? "," : "",
				                       f[1]);
			g_strfreev(f);
		}
		g_assert_cmpstr(got_uris->str, ==, uris->str);
		g_assert_cmpstr(got_codes->str, ==, codes->str);
		g_string_free(got_uris, TRUE);
		g_string_free(got_codes, TRUE);
		g_strfreev(lines);
		g_free(out);
	}
	env_clear(&e);
	g_string_free(req, TRUE);
	g_string_free(resp, TRUE);
	g_string_free(uris, TRUE);
	g_string_free(codes, TRUE);
	g_byte_array_unref(c.file);
	g_rand_free(rnd);
}

/*
 * Damage: every prefix of a record and records with random bytes changed, on connections
 * that also carry good records. tshark must get through all of it, on one pass and two, with
 * no dissector bug and nothing on stderr.
 */
static void test_damaged_records(void)
{
	static const char *const texts[] = {
	    "GET /d HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\n\r\nbody",
	    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
	};
	GRand *rnd = g_rand_new_with_seed(7);
	struct capture c = {.file = g_byte_array_new(), .ts = 1700000000000000000ull};
	GByteArray *r = g_byte_array_new();
	struct env e;
	gchar *out;

	ec_pcapng_shb(c.file, NULL, NULL, NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_WIRESHARK_UPPER_PDU, 262144, "ecapture", NULL);
	for (int i = 0; i < 400; i++) {
		struct ec_record_meta m = curl_meta((uint8_t)(i % 2));
		const char *t = texts[i % 2];
		size_t len = strlen(t);

		m.conn_id = (uint64_t)(i % 5);
		m.family = i % 7 ? AF_INET : 0;
		m.data_len = (uint32_t)len;
		g_byte_array_set_size(r, 0);
		ec_record_append(r, &m, t, len);
		if (i < 150) {
			/* a prefix: cut anywhere, tags included */
			g_byte_array_set_size(r, (guint)g_rand_int_range(rnd, 0, (gint32)r->len));
		} else if (i % 4) {
			/*
			 * One to four bytes of the record changed, mostly in its header (not in
			 * the tags: a bad port type is an assertion in Wireshark's own exported
			 * PDU dissector, which never sees one from ecapturedump).
			 */
			guint tags =
			    r->len - (guint)(EC_RECORD_FIXED_LEN + strlen(m.cmdline) + len);

			for (int k = g_rand_int_range(rnd, 1, 5); k > 0; k--) {
				guint pos =
				    tags +
				    (guint)g_rand_int_range(
				        rnd, 0, g_rand_boolean(rnd) ? 56 : (gint32)(r->len - tags));

				r->data[pos] = (uint8_t)g_rand_int(rnd);
			}
		}
		ec_pcapng_epb(c.file, 1, c.ts += 1000, r->data, r->len, r->len,
		              EC_PCAPNG_DIR_UNKNOWN, NULL, 0);
	}
	env_init(&e, c.file);
	out = tshark(&e, true, (const char *const[]){"-n", "-r", "@", "-V", NULL});
	g_assert_null(strstr(out, "Dissector bug"));
	g_assert_nonnull(strstr(out, "Not an eCapture record"));
	g_free(out);
	out = tshark(&e, true, (const char *const[]){"-2", "-n", "-r", "@", "-V", NULL});
	g_assert_null(strstr(out, "Dissector bug"));
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(r);
	g_byte_array_unref(c.file);
	g_rand_free(rnd);
}

/* Stock tshark without the plugin: the records are exported PDUs for "ecapture", no errors. */
static void test_without_plugin(void)
{
	GByteArray *cap = build_capture();
	struct env e;
	gchar *out;

	env_init(&e, cap);
	out =
	    tshark(&e, false,
	           (const char *const[]){"-n", "-r", "@", "-T", "fields", "-E", "separator=|", "-e",
	                                 "frame.number", "-e", "exported_pdu.prot_name", NULL});
	g_assert_cmpstr(out, ==,
	                "1|\n2|\n3|\n4|\n5|\n6|ecapture\n7|ecapture\n8|ecapture\n9|ecapture\n"
	                "10|ecapture\n11|ecapture\n12|ecapture\n13|ecapture\n14|ecapture\n"
	                "15|ecapture\n16|ecapture\n17|ecapture\n18|ecapture\n19|ecapture\n"
	                "20|ecapture\n21|ecapture\n22|ecapture\n23|ecapture\n");
	g_free(out);
	out = tshark(&e, false, (const char *const[]){"-G", "plugins", NULL});
	g_assert_null(strstr(out, "ecapture.so"));
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(cap);
}

/* Nothing in OUT that a terminal would act on: the shared rule finds nothing to escape. */
static void assert_no_raw_controls(const char *out)
{
	size_t len = strlen(out), n;

	for (size_t i = 0; i < len; i += n)
		if (ec_escape_next(out + i, len - i, "\n\t", &n))
			g_error("raw control or invalid byte 0x%02x at %zu of:\n%s",
			        (unsigned char)out[i], i, out);
}

/*
 * A crafted file (not written by us): a comment and a record whose comm and cmdline hold raw
 * ESC, C1 CSI as a byte and as UTF-8, U+202E and a byte that is not UTF-8. The plugin's fields,
 * its tree (tshark -V) and the Info column show them escaped.
 */
static void test_hostile_text(void)
{
	static const char hostile[] = "e\x1b[2Jv\x9b"
	                              "1m\xc2\x9b"
	                              "2J\xe2\x80\xaeil\xff";
	static const char escaped[] = "e\\x1b[2Jv\\x9b1m\\xc2\\x9b2J\\xe2\\x80\\xaeil\\xff";
	struct capture c = {.file = g_byte_array_new(), .ts = 1700000000000000000ull};
	struct ec_record_meta m = curl_meta(EC_RECORD_DIR_SENT);
	g_autofree char *comment =
	    g_strdup_printf("%s pid=1 tid=1 uid=0 fd=3 cmdline=\"%s\"", hostile, hostile);
	g_autofree char *want = g_strdup_printf("%s|%s\n%.*s|%s\n", escaped, escaped,
	                                        (int)strlen(escaped) - 6, escaped, escaped);
	struct env e;
	gchar *out;

	ec_pcapng_shb(c.file, NULL, NULL, "test_dissector");
	ec_pcapng_idb(c.file, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	ec_pcapng_idb(c.file, EC_LINKTYPE_WIRESHARK_UPPER_PDU, 262144, "ecapture", NULL);
	add_packet(&c, "\x17\x03\x03\x00\x01x", true, comment);
	memcpy(m.comm, hostile, sizeof(m.comm)); /* the kernel's 16 bytes, cut in a sequence */
	m.cmdline = hostile;
	add_record(&c, m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	env_init(&e, c.file);
	out = tshark(&e, true,
	             (const char *const[]){"-n", "-r", "@", "-T", "fields", "-E", "separator=|",
	                                   "-e", "ecapture.comm", "-e", "ecapture.cmdline", NULL});
	assert_no_raw_controls(out);
	g_assert_cmpstr(out, ==, want);
	g_free(out);
	out =
	    tshark(&e, true, (const char *const[]){"-n", "-r", "@", "-V", "-O", "ecapture", NULL});
	assert_no_raw_controls(out);
	g_assert_nonnull(strstr(out, escaped));
	g_free(out);
	out = tshark(
	    &e, true,
	    (const char *const[]){"-n", "-r", "@", "-T", "fields", "-e", "_ws.col.Info", NULL});
	assert_no_raw_controls(out);
	g_free(out);
	env_clear(&e);
	g_byte_array_unref(c.file);
}

int main(int argc, char **argv)
{
	ec_test_require_tools((const char *const[]){"tshark", NULL});
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/record_writer/comment_format", test_comment_format);
	g_test_add_func("/record_writer/record_layout", test_record_layout);
	g_test_add_func("/record_writer/cmdline_read", test_cmdline_read);
	g_test_add_func("/record_writer/cmdline_long", test_cmdline_long);
	g_test_add_func("/dissector/packet_metadata", test_packet_metadata);
	g_test_add_func("/dissector/live_path", test_live_path);
	g_test_add_func("/dissector/records", test_records);
	g_test_add_func("/dissector/columns", test_columns);
	g_test_add_func("/dissector/random_splits", test_random_splits);
	g_test_add_func("/dissector/damaged_records", test_damaged_records);
	g_test_add_func("/dissector/without_plugin", test_without_plugin);
	g_test_add_func("/dissector/hostile_text", test_hostile_text);
	return g_test_run();
}
