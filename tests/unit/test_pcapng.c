// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng encoders, checked by the real reader: files of hand-built frames go through tshark, and
 * a TLS 1.3 session (RFC 8448's records) must decrypt from the keys of a Decryption Secrets Block.
 */
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "output/pcapng.h"
#include "rfc8448.h"
#include "require_tools.h"

/* ------------------------------------------------------------------------------------------ */
/* Frame building                                                                             */
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

static void put_eth(GByteArray *b, uint8_t src_last, uint8_t dst_last)
{
	const uint8_t dst[6] = {0x02, 0, 0, 0, 0, dst_last}, src[6] = {0x02, 0, 0, 0, 0, src_last};

	g_byte_array_append(b, dst, 6);
	g_byte_array_append(b, src, 6);
	put16be(b, 0x0800);
}

/* An IPv4 header (no options) with a valid checksum, for PAYLOAD_LEN bytes after it. */
static void put_ipv4(GByteArray *b, uint8_t proto, uint32_t src, uint32_t dst, size_t payload_len)
{
	guint at = b->len;
	uint32_t sum = 0;
	uint16_t csum;

	g_byte_array_append(b, (const guint8 *)"\x45\x00", 2);
	put16be(b, (uint16_t)(20 + payload_len));
	put32be(b, 0x12344000);                            /* id 0x1234, DF */
	g_byte_array_append(b, (const guint8 *)"\x40", 1); /* TTL 64 */
	g_byte_array_append(b, &proto, 1);
	put16be(b, 0);
	put32be(b, src);
	put32be(b, dst);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(b->data[at + i] << 8 | b->data[at + i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	csum = htons((uint16_t)~sum);
	memcpy(b->data + at + 10, &csum, 2);
}

static void put_tcp(GByteArray *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack)
{
	put16be(b, sport);
	put16be(b, dport);
	put32be(b, seq);
	put32be(b, ack);
	put16be(b, 0x5018); /* 5 words, PSH|ACK */
	put16be(b, 65535);
	put32be(b, 0); /* checksum (unchecked by default), urgent */
}

#define IP_A 0x0a000001u /* 10.0.0.1 */
#define IP_B 0x0a000002u /* 10.0.0.2 */

/* Ethernet + IPv4 + TCP around PAYLOAD. */
static GByteArray *tcp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                             uint32_t seq, uint32_t ack, const void *payload, size_t len)
{
	GByteArray *b = g_byte_array_new();

	put_eth(b, (uint8_t)src, (uint8_t)dst);
	put_ipv4(b, 6, src, dst, 20 + len);
	put_tcp(b, sport, dport, seq, ack);
	g_byte_array_append(b, payload, (guint)len);
	return b;
}

/* ------------------------------------------------------------------------------------------ */
/* Running tshark                                                                             */
/* ------------------------------------------------------------------------------------------ */

struct tmpdir {
	gchar *dir;
	gchar *file;
};

static void tmpdir_init(struct tmpdir *t)
{
	GError *err = NULL;

	t->dir = g_dir_make_tmp("ec-pcapng-XXXXXX", &err);
	g_assert_no_error(err);
	t->file = g_build_filename(t->dir, "test.pcapng", NULL);
}

static void tmpdir_clear(struct tmpdir *t)
{
	gchar *cfg = g_build_filename(t->dir, "config", NULL);

	g_unlink(t->file);
	g_rmdir(cfg); /* tshark may leave its (empty) config directory */
	g_rmdir(t->dir);
	g_free(cfg);
	g_free(t->dir);
	g_free(t->file);
}

static void write_file(const struct tmpdir *t, const GByteArray *b)
{
	GError *err = NULL;

	g_file_set_contents(t->file, (const gchar *)b->data, b->len, &err);
	g_assert_no_error(err);
}

/*
 * Run PROG with ARGS ("@" stands for the test file); returns stdout. Asserts it exited 0 and said
 * nothing on stderr but the usual root warning. Wireshark preferences come from an empty
 * directory, so the machine's do not matter. A missing program fails the test.
 */
static gchar *run(const struct tmpdir *t, const char *prog, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	gchar *cfg = g_build_filename(t->dir, "config", NULL);
	gchar **env = g_environ_setenv(g_get_environ(), "WIRESHARK_CONFIG_DIR", cfg, TRUE);
	gchar *out = NULL, *errout = NULL, *path = g_find_program_in_path(prog);
	gchar **lines;
	GError *err = NULL;
	gint status;

	if (!path)
		g_error("%s is not installed", prog);
	g_ptr_array_add(argv, path);
	for (; *args; args++)
		g_ptr_array_add(argv, strcmp(*args, "@") ? (gpointer)*args : t->file);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(NULL, (gchar **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout,
	             &status, &err);
	g_assert_no_error(err);
	if (!g_spawn_check_wait_status(status, &err))
		g_error("%s failed: %s\n%s", prog, err->message, errout);
	lines = g_strsplit(errout, "\n", -1);
	for (gchar **l = lines; *l; l++)
		if (**l && !g_str_has_prefix(*l, "Running as user"))
			g_error("%s complained: %s", prog, *l);
	g_strfreev(lines);
	g_free(errout);
	g_strfreev(env);
	g_free(cfg);
	g_free(path);
	g_ptr_array_free(argv, TRUE);
	return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Walk the blocks of B: lengths agree, are multiples of 4 and cover the buffer exactly. */
static guint count_blocks(const GByteArray *b, uint32_t type)
{
	guint n = 0;

	for (size_t at = 0; at < b->len;) {
		uint32_t t, len, trail;

		g_assert_cmpuint(b->len - at, >=, 12);
		memcpy(&t, b->data + at, 4);
		memcpy(&len, b->data + at + 4, 4);
		g_assert_cmpuint(len % 4, ==, 0);
		g_assert_cmpuint(len, >=, 12);
		g_assert_cmpuint(len, <=, b->len - at);
		memcpy(&trail, b->data + at + len - 4, 4);
		g_assert_cmpuint(trail, ==, len);
		n += t == type;
		at += len;
	}
	return n;
}

static void test_layout(void)
{
	GByteArray *b = g_byte_array_new();
	const uint8_t data[5] = {1, 2, 3, 4, 5};
	uint32_t v;

	/* no options at all: the minimal blocks */
	ec_pcapng_shb(b, NULL, NULL, NULL);
	g_assert_cmpuint(b->len, ==, 28);
	memcpy(&v, b->data + 8, 4);
	g_assert_cmphex(v, ==, 0x1A2B3C4D);
	ec_pcapng_idb(b, EC_LINKTYPE_RAW, 65535, NULL, NULL);
	g_assert_cmpuint(b->len, ==, 28 + 20 + 8 + 4); /* + if_tsresol, endofopt */
	g_byte_array_set_size(b, 0);
	ec_pcapng_epb(b, 0, 0, data, 5, 5, EC_PCAPNG_DIR_UNKNOWN, "", 0);
	g_assert_cmpuint(b->len, ==, 32 + 8); /* 5 bytes padded to 8, no options */
	g_assert_cmpmem(b->data + 28, 8, "\1\2\3\4\5\0\0\0", 8);
	g_byte_array_set_size(b, 0);
	ec_pcapng_epb(b, 0, 0, data, 4, 4, EC_PCAPNG_DIR_INBOUND, NULL, 0);
	g_assert_cmpuint(b->len, ==, 32 + 4 + 8 + 4);
	g_byte_array_set_size(b, 0);
	ec_pcapng_epb(b, 0, 0, data, 4, 4, EC_PCAPNG_DIR_UNKNOWN, NULL, 7);
	g_assert_cmpuint(b->len, ==, 32 + 4 + 12 + 4); /* epb_dropcount (8 bytes), endofopt */
	{
		const uint8_t opt[12] = {4, 0, 8, 0, 7}; /* code 4, length 8, 7 (little-endian) */

		g_assert_cmpmem(b->data + 32, 12, opt, 12);
	}
	ec_pcapng_dsb(b, "x\n", 2);
	ec_pcapng_dsb(b, "", 0);
	g_assert_cmpuint(count_blocks(b, 0x0000000A), ==, 2);
	g_assert_cmpuint(count_blocks(b, 0x00000006), ==, 1);
	g_byte_array_unref(b);
}

/* Appending keeps what was there: blocks can be formatted into a hold buffer and moved later. */
static void test_append(void)
{
	GByteArray *b = g_byte_array_new(), *hold = g_byte_array_new();
	char big[300];

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ec_pcapng_shb(b, "x86_64", "Linux", "test");
	ec_pcapng_idb(b, EC_LINKTYPE_ETHERNET, 262144, "eth0", "first");
	for (int i = 0; i < 100; i++)
		ec_pcapng_epb(hold, 0, (uint64_t)i, big, (uint32_t)(i * 3), 1500,
		              (enum ec_pcapng_dir)(i % 3), i % 2 ? big + i : NULL, 0);
	g_byte_array_append(b, hold->data, hold->len);
	g_assert_cmpuint(count_blocks(b, 0x0A0D0D0A), ==, 1);
	g_assert_cmpuint(count_blocks(b, 0x00000006), ==, 100);
	g_byte_array_unref(hold);
	g_byte_array_unref(b);
}

/* Interfaces, timestamps, lengths, directions and comments, as tshark 4.0 reads them. */
static void test_tshark_fields(void)
{
	/* clang-format off */
	static const char *const fields[] = {
	    "-n", "-r", "@", "-T", "fields", "-E", "separator=|",
	    "-e", "frame.interface_name", "-e", "frame.interface_description",
	    "-e", "frame.packet_flags_direction", "-e", "frame.comment",
	    "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len",
	    "-e", "ip.src", "-e", "tcp.dstport", "-e", "udp.dstport", "-e", "frame.drop_count", NULL,
	};
	/* clang-format on */
	static const char *const expected =
	    "lo||0x00000001|pid 4242 (curl)|1700000000.123456789|58|58|10.0.0.1|443||\n"
	    "tun0|tunnel|0x00000002||1700000001.000000001|60|40|10.0.0.2||53|\n"
	    "lo||||1700000002.999999999|58|58|10.0.0.1|443||123\n";
	static const char *const infos[] = {
	    "File timestamp precision:  nanoseconds (9)\n",
	    "Number of packets:   3\n",
	    "Capture hardware:    x86_64\n",
	    "Capture oper-sys:    Linux 6.18\n",
	    "Capture application: ecapturedump test\n",
	    "Number of interfaces in file: 2\n",
	    "Name = lo\n",
	    "Name = tun0\n",
	    "Description = tunnel\n",
	    "Encapsulation = Ethernet (1 - ether)\n",
	    "Encapsulation = Raw IP (7 - rawip)\n",
	    "Number of decryption secrets in file: 1\n",
	};
	struct tmpdir t;
	GByteArray *b = g_byte_array_new(), *udp = g_byte_array_new(), *f;
	uint8_t payload[32];
	gchar *out;

	tmpdir_init(&t);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	f = tcp_frame(IP_A, IP_B, 50000, 443, 1000, 2000, "GET /", 4);
	put_ipv4(udp, 17, IP_B, IP_A, 8 + sizeof(payload));
	put16be(udp, 40000);
	put16be(udp, 53);
	put16be(udp, 8 + sizeof(payload));
	put16be(udp, 0);
	g_byte_array_append(udp, payload, sizeof(payload));
	g_assert_cmpuint(f->len, ==, 58);
	g_assert_cmpuint(udp->len, ==, 60);

	ec_pcapng_shb(b, "x86_64", "Linux 6.18", "ecapturedump test");
	ec_pcapng_idb(b, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	ec_pcapng_idb(b, EC_LINKTYPE_RAW, 65535, "tun0", "tunnel");
	ec_pcapng_dsb(b, RFC8448_KEYLOG, strlen(RFC8448_KEYLOG));
	ec_pcapng_epb(b, 0, 1700000000123456789ull, f->data, f->len, f->len, EC_PCAPNG_DIR_INBOUND,
	              "pid 4242 (curl)", 0);
	ec_pcapng_epb(b, 1, 1700000001000000001ull, udp->data, 40, udp->len, EC_PCAPNG_DIR_OUTBOUND,
	              NULL, 0);
	/* 123 packets of lo lost before this one (epb_dropcount) */
	ec_pcapng_epb(b, 0, 1700000002999999999ull, f->data, f->len, f->len, EC_PCAPNG_DIR_UNKNOWN,
	              "", 123);
	write_file(&t, b);

	out = run(&t, "tshark", fields);
	g_assert_cmpstr(out, ==, expected);
	g_free(out);
	/* the whole file reads cleanly: no malformed packets, no errors */
	out = run(&t, "tshark", (const char *const[]){"-n", "-r", "@", "-V", NULL});
	g_assert_null(strstr(out, "Malformed"));
	g_assert_null(strstr(out, "Expert Info (Error"));
	g_free(out);
	/* the section header options and the secrets block are read */
	out = run(&t, "capinfos", (const char *const[]){"@", NULL});
	for (size_t i = 0; i < G_N_ELEMENTS(infos); i++)
		if (!strstr(out, infos[i]))
			g_error("capinfos does not say \"%s\":\n%s", infos[i], out);
	g_free(out);

	tmpdir_clear(&t);
	g_byte_array_unref(f);
	g_byte_array_unref(udp);
	g_byte_array_unref(b);
}

/* The option CODE of the block at B (options from OFF on): its value, its length in *LEN. */
static const uint8_t *find_opt(const GByteArray *b, size_t off, uint16_t code, uint16_t *len)
{
	uint32_t total;

	memcpy(&total, b->data + 4, 4);
	while (off + 4 <= total - 4) {
		uint16_t c, l;

		memcpy(&c, b->data + off, 2);
		memcpy(&l, b->data + off + 2, 2);
		if (c == 0)
			break;
		if (c == code) {
			*len = l;
			return b->data + off + 4;
		}
		off += 4 + ((l + 3u) & ~3u);
	}
	return NULL;
}

static uint64_t opt_u64(const GByteArray *b, uint16_t code)
{
	uint16_t len = 0;
	const uint8_t *v = find_opt(b, 20, code, &len);
	uint64_t x;

	g_assert_nonnull(v);
	g_assert_cmpuint(len, ==, 8);
	memcpy(&x, v, 8);
	return x;
}

/* An ISB carries what was taken and lost, the capture's times and the comment; Wireshark reads it.
 */
static void test_isb(void)
{
	const struct ec_pcapng_isb_stats st = {
	    .start_ns = 1700000000000000001ull,
	    .end_ns = 1700000009000000002ull,
	    .ifrecv = 1000,
	    .ifdrop = 37,
	    .osdrop = 36,
	};
	const char *comment =
	    "ecapturedump lost: 36 packets (ring buffer full), 1 malformed events";
	GByteArray *isb = g_byte_array_new(), *b = g_byte_array_new();
	uint32_t v[2];
	uint16_t len = 0;
	const uint8_t *c;
	struct tmpdir t;
	gchar *out;

	ec_pcapng_isb(isb, 0, &st, comment);
	g_assert_cmpuint(count_blocks(isb, 5), ==, 1);
	memcpy(v, isb->data + 8, 4);
	g_assert_cmpuint(v[0], ==, 0); /* interface id */
	memcpy(v, isb->data + 12, 8);
	g_assert_cmpuint(((uint64_t)v[0] << 32) | v[1], ==, st.end_ns);
	g_assert_cmpuint(opt_u64(isb, 4), ==, 1000);
	g_assert_cmpuint(opt_u64(isb, 5), ==, 37);
	g_assert_cmpuint(opt_u64(isb, 7), ==, 36);
	c = find_opt(isb, 20, 2, &len);
	g_assert_nonnull(c);
	memcpy(v, c, 8);
	g_assert_cmpuint(((uint64_t)v[0] << 32) | v[1], ==, st.start_ns);
	c = find_opt(isb, 20, 1, &len);
	g_assert_nonnull(c);
	g_assert_cmpmem(c, len, comment, strlen(comment));

	tmpdir_init(&t);
	ec_pcapng_shb(b, NULL, NULL, "ecapturedump test");
	ec_pcapng_idb(b, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	g_byte_array_append(b, isb->data, isb->len);
	write_file(&t, b);
	out = run(&t, "capinfos", (const char *const[]){"@", NULL});
	if (!strstr(out, "Number of stat entries = 1\n"))
		g_error("capinfos does not read the ISB:\n%s", out);
	g_free(out);
	tmpdir_clear(&t);
	g_byte_array_unref(isb);
	g_byte_array_unref(b);
}

/*
 * RFC 8448's TLS 1.3 session in TCP segments, with its key log in a DSB ahead of the packets:
 * tshark can only show the encrypted handshake messages and the application data if it took
 * the keys from the DSB. Without the DSB (WITH_DSB false) it must see none of them.
 */
static gchar *tls13_capture(bool with_dsb)
{
	static const struct {
		bool from_client;
		const char *hex;
	} records[] = {
	    {true, RFC8448_RECORD_CLIENT_HELLO},   {false, RFC8448_RECORD_SERVER_HELLO},
	    {false, RFC8448_RECORD_SERVER_FLIGHT}, {true, RFC8448_RECORD_CLIENT_FINISHED},
	    {false, RFC8448_RECORD_TICKET},        {true, RFC8448_RECORD_CLIENT_DATA},
	    {false, RFC8448_RECORD_SERVER_DATA},
	};
	/* clang-format off */
	static const char *const fields[] = {
	    "-n", "-r", "@", "-d", "tcp.port==4433,tls", "-T", "fields",
	    "-E", "separator=|", "-E", "aggregator=,",
	    "-e", "tls.handshake.type", "-e", "data.data", NULL,
	};
	/* clang-format on */
	uint32_t seq[2] = {1000, 5000}; /* client, server */
	struct tmpdir t;
	GByteArray *b = g_byte_array_new();
	gchar *out;

	tmpdir_init(&t);
	ec_pcapng_shb(b, NULL, NULL, NULL);
	ec_pcapng_idb(b, EC_LINKTYPE_ETHERNET, 262144, "lo", NULL);
	if (with_dsb)
		ec_pcapng_dsb(b, RFC8448_KEYLOG, strlen(RFC8448_KEYLOG));
	for (size_t i = 0; i < G_N_ELEMENTS(records); i++) {
		GByteArray *rec = rfc8448_bytes(records[i].hex), *f;
		bool c = records[i].from_client;

		f = c ? tcp_frame(IP_A, IP_B, 50000, 4433, seq[0], seq[1], rec->data, rec->len)
		      : tcp_frame(IP_B, IP_A, 4433, 50000, seq[1], seq[0], rec->data, rec->len);
		seq[!c] += rec->len;
		ec_pcapng_epb(b, 0, 1700000000000000000ull + i * 1000, f->data, f->len, f->len,
		              c ? EC_PCAPNG_DIR_OUTBOUND : EC_PCAPNG_DIR_INBOUND, NULL, 0);
		g_byte_array_unref(f);
		g_byte_array_unref(rec);
	}
	write_file(&t, b);
	out = run(&t, "tshark", fields);
	tmpdir_clear(&t);
	g_byte_array_unref(b);
	return out;
}

static void test_dsb_decrypts_tls13(void)
{
	gchar *out = tls13_capture(true);
	gchar *expected = g_strdup_printf("1|\n"
	                                  "2|\n"
	                                  "8,11,15,20|\n"
	                                  "20|\n"
	                                  "4|\n"
	                                  "|%s\n"
	                                  "|%s\n",
	                                  RFC8448_APP_DATA, RFC8448_APP_DATA);

	g_assert_cmpstr(out, ==, expected);
	g_free(expected);
	g_free(out);

	/* the control: the same packets without the DSB stay opaque */
	out = tls13_capture(false);
	g_assert_cmpstr(out, ==, "1|\n2|\n|\n|\n|\n|\n|\n");
	g_free(out);
}

int main(int argc, char **argv)
{
	ec_test_require_tools((const char *const[]){"tshark", "capinfos", NULL});
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcapng/layout", test_layout);
	g_test_add_func("/pcapng/append", test_append);
	g_test_add_func("/pcapng/tshark_fields", test_tshark_fields);
	g_test_add_func("/pcapng/dsb_decrypts_tls13", test_dsb_decrypts_tls13);
	g_test_add_func("/pcapng/isb", test_isb);
	return g_test_run();
}
