// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's packet path without BPF or root: real packet and key events go into the
 * handlers, the pcapng writer's output is parsed back block by block, and the map writes are
 * recorded. A new connection's packets wait for the keys of its ClientHello random and come
 * after the DSB holding them; an unclaimed connection is dropped after the key wait; a claimed
 * one with no keys is written undecrypted after the wait.
 */
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "engine/engine_int.h"
#include "engine/interfaces.h"
#include "output/pcapng.h"
#include "output/writer.h"
#include "rfc8448.h"

#define BT_IDB  1u
#define BT_EPB  6u
#define BT_DSB  10u
#define HOLD_MS 3000
#define T0      1000000000ull

struct map_call {
	struct ec_flow_key key;
	enum ec_flow_state state;
};

static int record_flow_state(void *ctx, const struct ec_flow_key *key, enum ec_flow_state state)
{
	struct map_call c = {.key = *key, .state = state};

	g_array_append_val((GArray *)ctx, c);
	return 0;
}

static int no_pid(void *ctx, uint32_t pid)
{
	(void)ctx;
	(void)pid;
	return 0;
}

static int no_config(void *ctx, const struct ec_config *cfg)
{
	(void)ctx;
	(void)cfg;
	return 0;
}

struct fixture {
	struct ec_capture_opts opts;
	struct engine e;
	GArray *calls; /* struct map_call */
};

static void setup(struct fixture *f, gconstpointer data)
{
	struct ec_engine_maps maps = {.set_flow_state = record_flow_state,
	                              .filter_pid = no_pid,
	                              .unfilter_pid = no_pid,
	                              .set_config = no_config};
	struct ec_writer *w = ec_pcapng_writer_new();
	g_autoptr(GError) err = NULL;

	(void)data;
	ec_capture_opts_init(&f->opts);
	f->opts.hold_ms = HOLD_MS;
	f->calls = g_array_new(FALSE, TRUE, sizeof(struct map_call));
	maps.ctx = f->calls;
	ec_writer_use_fd(w, -1); /* never flushed: the test reads the buffer */
	memset(&f->e, 0, sizeof(f->e));
	ec_engine_init(&f->e, &f->opts, w, &maps);
	g_assert_cmpint(ec_engine_add_netif(&f->e, 7, "lo", EC_LINKTYPE_RAW, &err), ==, 0);
	ec_engine_declare_interfaces(&f->e);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	ec_engine_fini(&f->e);
	g_array_unref(f->calls);
	ec_capture_opts_clear(&f->opts);
}

static GByteArray *unhex(const char *hex)
{
	GByteArray *b = g_byte_array_new();

	for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
		uint8_t v =
		    (uint8_t)(g_ascii_xdigit_value(hex[i]) << 4 | g_ascii_xdigit_value(hex[i + 1]));

		g_byte_array_append(b, &v, 1);
	}
	return b;
}

static struct ec_flow_key flow_key(uint16_t client_port)
{
	struct ec_flow_key k = {
	    .family = 2, .port_a = g_htons(client_port), .port_b = g_htons(443)};

	k.addr_a[0] = k.addr_b[0] = 127;
	k.addr_a[3] = k.addr_b[3] = 1;
	return k;
}

/* A packet of FLOW: 40 bytes of IPv4/TCP header (content not looked at), then PAYLOAD. */
static struct ec_packet_event *packet(const struct ec_flow_key *flow, uint64_t ts, bool syn,
                                      const GByteArray *payload, size_t *size)
{
	uint32_t plen = payload ? payload->len : 0;
	struct ec_packet_event *ev;

	*size = sizeof(*ev) + 40 + plen;
	ev = g_malloc0(*size);
	ev->hdr.type = EC_EV_PACKET;
	ev->hdr.ts_ns = ts;
	ev->flow = *flow;
	ev->ifindex = 7;
	ev->len = ev->caplen = 40 + plen;
	ev->payload_off = 40;
	ev->payload_len = (uint16_t)plen;
	ev->dir = EC_DIR_EGRESS;
	ev->flow_state = EC_FLOW_CANDIDATE;
	ev->flags = EC_PKTF_FROM_A | (syn ? EC_PKTF_SYN : 0);
	memset(ev->data, 0x45, 1);
	ev->data[9] = (uint8_t)ts; /* tells the packets apart */
	if (plen)
		memcpy(ev->data + 40, payload->data, plen);
	return ev;
}

static void put_secret(uint8_t *dst, const char *hex)
{
	g_autoptr(GByteArray) b = unhex(hex);

	memcpy(dst, b->data, b->len);
}

/* The keys event OpenSSL's probe sends for the RFC 8448 session. */
static void send_keys(struct engine *e, uint64_t ts)
{
	struct ec_tls_keys_event ev = {0};

	ev.hdr.type = EC_EV_TLS_KEYS;
	ev.hdr.ts_ns = ts;
	ev.proc.pid = 1;
	memcpy(ev.proc.comm, "client", 6);
	ev.version = 0x0304;
	ev.cipher_id = 0x03001301;
	put_secret(ev.client_random, RFC8448_CLIENT_RANDOM);
	put_secret(ev.handshake_secret, RFC8448_HANDSHAKE_SECRET);
	put_secret(ev.handshake_traffic_hash, RFC8448_HELLO_HASH);
	put_secret(ev.client_app_traffic_secret, RFC8448_C_AP_TRAFFIC);
	put_secret(ev.server_app_traffic_secret, RFC8448_S_AP_TRAFFIC);
	put_secret(ev.exporter_master_secret, RFC8448_EXP_MASTER);
	ec_engine_on_keys(e, &ev, sizeof(ev));
}

struct block {
	uint32_t type;
	const uint8_t *body; /* after type and length */
	uint32_t body_len;
};

/* The blocks of the writer's buffer after the IDB the fixture declared. */
static GArray *blocks(const struct engine *e)
{
	const GByteArray *buf = e->out->out.buf;
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct block));

	for (guint off = 0; off < buf->len;) {
		struct block b;
		uint32_t total;

		g_assert_cmpuint(buf->len - off, >=, 12);
		memcpy(&b.type, buf->data + off, 4);
		memcpy(&total, buf->data + off + 4, 4);
		g_assert_cmpuint(total % 4, ==, 0);
		g_assert_cmpuint(total, <=, buf->len - off);
		b.body = buf->data + off + 8;
		b.body_len = total - 12;
		if (b.type != BT_IDB)
			g_array_append_val(out, b);
		off += total;
	}
	return out;
}

/* An EPB on interface 0 whose data is EV's. */
static void assert_epb_of(const struct block *b, const struct ec_packet_event *ev)
{
	uint32_t if_id, caplen;

	g_assert_cmphex(b->type, ==, BT_EPB);
	memcpy(&if_id, b->body, 4);
	memcpy(&caplen, b->body + 12, 4);
	g_assert_cmpuint(if_id, ==, 0);
	g_assert_cmpuint(caplen, ==, ev->caplen);
	g_assert_cmpmem(b->body + 20, caplen, ev->data, ev->caplen);
}

static void test_released_after_keys(struct fixture *f, gconstpointer data)
{
	struct ec_flow_key k = flow_key(40000);
	g_autoptr(GByteArray) hello = unhex(RFC8448_RECORD_CLIENT_HELLO);
	size_t s1, s2;
	g_autofree struct ec_packet_event *syn = packet(&k, T0, true, NULL, &s1);
	g_autofree struct ec_packet_event *ch = packet(&k, T0 + 1000, false, hello, &s2);
	g_autoptr(GArray) bl = NULL;
	const struct block *b;
	uint32_t kind, len;

	(void)data;
	ec_engine_on_packet(&f->e, syn, s1);
	ec_engine_on_packet(&f->e, ch, s2);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 0); /* held: no keys yet */
	g_array_unref(g_steal_pointer(&bl));

	send_keys(&f->e, T0 + 2000);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 3);
	b = &g_array_index(bl, struct block, 0);
	g_assert_cmphex(b->type, ==, BT_DSB);
	memcpy(&kind, b->body, 4);
	memcpy(&len, b->body + 4, 4);
	g_assert_cmphex(kind, ==, 0x544c534bu);
	g_assert_cmpmem(b->body + 8, len, RFC8448_KEYLOG, strlen(RFC8448_KEYLOG));
	assert_epb_of(&g_array_index(bl, struct block, 1), syn);
	assert_epb_of(&g_array_index(bl, struct block, 2), ch);
	g_assert_cmpuint(f->calls->len, ==, 1);
	g_assert_cmpint(g_array_index(f->calls, struct map_call, 0).state, ==, EC_FLOW_TRACED);
	g_assert_cmpmem(&g_array_index(f->calls, struct map_call, 0).key, sizeof(k), &k, sizeof(k));
}

static void test_unclaimed_dropped(struct fixture *f, gconstpointer data)
{
	struct ec_flow_key k = flow_key(40001);
	g_autoptr(GByteArray) hello = unhex(RFC8448_RECORD_CLIENT_HELLO);
	size_t s1;
	g_autofree struct ec_packet_event *ch = packet(&k, T0, true, hello, &s1);
	g_autoptr(GArray) bl = NULL;

	(void)data;
	ec_engine_on_packet(&f->e, ch, s1);
	ec_engine_tick(&f->e, T0 + HOLD_MS * 1000000ull - 1);
	g_assert_cmpuint(f->calls->len, ==, 0); /* still waiting */
	ec_engine_tick(&f->e, T0 + HOLD_MS * 1000000ull);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 0);
	g_assert_cmpuint(f->calls->len, ==, 1);
	g_assert_cmpint(g_array_index(f->calls, struct map_call, 0).state, ==, EC_FLOW_IGNORED);
	/* Later packets of the dropped flow are not written either (this SYN starts a new one). */
	ec_engine_on_packet(&f->e, ch, s1);
	g_array_unref(g_steal_pointer(&bl));
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 0);
	g_assert_cmpuint(f->e.unclaimed, ==, 1);
	g_assert_cmpuint(f->e.loss.pkts_left_out, ==, 1); /* the dropped flow's held packet */
	g_assert_cmpuint(f->e.loss.keys_missing, ==, 0);
}

static void test_claimed_without_keys(struct fixture *f, gconstpointer data)
{
	struct ec_flow_key k = flow_key(40002);
	g_autoptr(GByteArray) hello = unhex(RFC8448_RECORD_CLIENT_HELLO);
	struct ec_conn_event conn = {.hdr = {.type = EC_EV_CONN, .ts_ns = T0}};
	size_t s1;
	g_autofree struct ec_packet_event *ch = packet(&k, T0 + 10, true, hello, &s1);
	g_autoptr(GArray) bl = NULL;

	(void)data;
	conn.proc.pid = (uint32_t)getpid();
	conn.proc.tid = conn.proc.pid;
	memcpy(conn.proc.comm, "curl", 4);
	conn.flow = k;
	conn.fd = 5;
	conn.local_is_a = 1;
	ec_engine_on_conn(&f->e, &conn, sizeof(conn));
	ec_engine_on_packet(&f->e, ch, s1);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 0);
	g_array_unref(g_steal_pointer(&bl));

	ec_engine_tick(&f->e, T0 + 10 + HOLD_MS * 1000000ull);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 1); /* no DSB: undecrypted */
	assert_epb_of(&g_array_index(bl, struct block, 0), ch);
	g_assert_cmpuint(f->calls->len, ==, 1);
	g_assert_cmpint(g_array_index(f->calls, struct map_call, 0).state, ==, EC_FLOW_TRACED);
	/* written, but undecrypted: a loss the report names */
	g_assert_cmpuint(f->e.loss.keys_missing, ==, 1);
	g_assert_cmpuint(f->e.loss.pkts_left_out, ==, 0);
}

/*
 * A PID filter changed while a connection is open: its packets stop being written at once (the
 * connection named and counted once), and go on when the filter lets its process in again.
 */
static void test_filter_open_flow(struct fixture *f, gconstpointer data)
{
	struct ec_flow_key k = flow_key(40003);
	struct ec_conn_event conn = {.hdr = {.type = EC_EV_CONN, .ts_ns = T0}};
	size_t s1;
	g_autofree struct ec_packet_event *p = packet(&k, T0 + 10, false, NULL, &s1);
	pid_t other = getppid(), self = getpid();
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) bl = NULL;

	(void)data;
	conn.proc.pid = (uint32_t)self;
	conn.proc.tid = conn.proc.pid;
	memcpy(conn.proc.comm, "curl", 4);
	conn.flow = k;
	conn.fd = 5;
	conn.local_is_a = 1;
	ec_engine_on_conn(&f->e, &conn, sizeof(conn));
	p->flow_state = EC_FLOW_TRACED;
	ec_engine_on_packet(&f->e, p, s1);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 1);
	g_array_unref(g_steal_pointer(&bl));

	g_assert_cmpint(ec_capture_set_pids((struct ec_capture *)&f->e, &other, 1, &err), ==, 0);
	ec_engine_on_packet(&f->e, p, s1);
	ec_engine_on_packet(&f->e, p, s1);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 1); /* left out: nothing more written */
	g_array_unref(g_steal_pointer(&bl));
	g_assert_cmpuint(f->e.left.filtered, ==, 1); /* the connection, once */
	g_assert_cmpuint(f->e.left.filtered_pkts, ==, 2);

	g_assert_cmpint(ec_capture_set_pids((struct ec_capture *)&f->e, &self, 1, &err), ==, 0);
	ec_engine_on_packet(&f->e, p, s1);
	bl = blocks(&f->e);
	g_assert_cmpuint(bl->len, ==, 2); /* let in again: written from its next packet */
	g_assert_cmpuint(f->e.left.let_back, ==, 1);
	g_assert_cmpuint(f->e.left.filtered, ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/engine/hold/released_after_keys", struct fixture, NULL, setup,
	           test_released_after_keys, teardown);
	g_test_add("/engine/hold/unclaimed_dropped", struct fixture, NULL, setup,
	           test_unclaimed_dropped, teardown);
	g_test_add("/engine/hold/filter_open_flow", struct fixture, NULL, setup,
	           test_filter_open_flow, teardown);
	g_test_add("/engine/hold/claimed_without_keys", struct fixture, NULL, setup,
	           test_claimed_without_keys, teardown);
	return g_test_run();
}
