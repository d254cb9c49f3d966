// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The packet path: a traced flow's packets go straight out; a new flow's are held until the keys
 * of its TLS session are written (Wireshark must read them before the handshake), then written
 * with their owner's metadata. Unclaimed flows are dropped after the hold time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/flows.h"
#include "engine/interfaces.h"
#include "engine/owners.h"
#include "keys/keylog.h"
#include "keys/keystore.h"
#include "keys/tls_parse.h"
#include "output/pkt_filter.h"
#include "output/record_writer.h"
#include "output/writer.h"

/* A held packet: its ring buffer event, after an 8-byte header, 8-byte aligned. */
struct held_hdr {
	uint32_t size;
	uint32_t pad;
};

/* The comment of a packet whose socket more than one process uses: it names none of them. */
#define SHARED_WHY "ecapture: owner ambiguous: more than one process uses this socket"

/*
 * Write one packet, commented with WHY if given (a connection written without keys nothing
 * claimed), else with the process of its socket when known.
 */
static void put_packet(struct engine *e, const struct ec_packet_event *ev, const char *why)
{
	struct out_if *oi = ec_engine_find_netif(e, ev->ifindex);
	const struct ec_owner *ow;
	const char *comment = NULL;

	if (!oi || (oi->filter && !ec_pkt_filter_match(oi->filter, ev->data, ev->caplen, ev->len)))
		return;
	if (!ec_engine_flow_wanted(e, &ev->flow))
		return; /* a filter change left its owners out (left_out.c) */
	ow = why ? NULL : ec_owners_for_packet(e->owners, &ev->flow, ev->flags & EC_PKTF_FROM_A);
	if (ow && ow->shared) {
		g_string_truncate(e->scratch, 0);
		g_string_append_printf(e->scratch, SHARED_WHY " (pids %u and %u)", ow->other_pid,
		                       ow->proc.pid);
		comment = e->scratch->str;
	} else if (ow) {
		g_string_truncate(e->scratch, 0);
		ec_meta_comment(e->scratch, ow->proc.comm, ow->proc.pid, ow->proc.tid, ow->proc.uid,
		                ow->fd, ow->cmdline);
		comment = e->scratch->str;
	} else {
		comment = why;
	}
	/* Losses found since the last packet written go with this one (frame.drop_count). */
	ec_writer_packet(e->out, oi->id, ev->hdr.ts_ns + e->mono_to_real, ev->data, ev->caplen,
	                 ev->len, ev->dir == EC_DIR_INGRESS, comment, ec_lost_take(&oi->lost));
	ec_engine_flush_if_full(e); /* a release writes many */
}

void ec_engine_flush_if_full(struct engine *e)
{
	if (e->out->out.buf && e->out->out.buf->len >= EC_OUTPUT_BATCH_MAX)
		ec_writer_flush(e->out);
}

static void hold(struct engine *e, struct ec_flow *f, const struct ec_packet_event *ev, size_t size)
{
	static const uint8_t zeros[8];
	struct held_hdr h = {.size = size};
	size_t pad = (8 - (size & 7)) & 7;

	g_byte_array_append(f->held, (const uint8_t *)&h, sizeof(h));
	g_byte_array_append(f->held, (const uint8_t *)ev, size);
	g_byte_array_append(f->held, zeros, pad);
	ec_flows_held_add(e->flows, f, sizeof(h) + size + pad);
}

/* Write F's held packets (commented with WHY where the process is unknown); F goes straight out. */
static void release(struct engine *e, struct ec_flow *f, uint64_t now, const char *why)
{
	for (guint off = 0; off < f->held->len;) {
		const struct held_hdr *h = (const void *)(f->held->data + off);

		put_packet(e, (const void *)(h + 1), why);
		off += sizeof(*h) + ((h->size + 7) & ~7u);
	}
	ec_flows_decide(e->flows, f, EC_HOLD_RELEASED, now);
	/* Gone: the LRU evicted the flow, the kernel no longer takes its packets. */
	if (e->maps.set_flow_state(e->maps.ctx, &f->key, EC_FLOW_TRACED) && errno == ENOENT)
		e->loss.flows_evicted++;
}

static void drop(struct engine *e, struct ec_flow *f, uint64_t now)
{
	e->loss.pkts_left_out += f->held_pkts;
	ec_flows_decide(e->flows, f, EC_HOLD_DROPPED, now);
	e->maps.set_flow_state(e->maps.ctx, &f->key, EC_FLOW_IGNORED);
}

static void try_release(struct engine *e, struct ec_flow *f, uint64_t now)
{
	const struct ec_tls_secrets *s;

	if (!f->have_random)
		return;
	s = ec_keystore_lookup(e->keys, f->client_random);
	if (s && ec_tls_secrets_complete(s))
		release(e, f, now, NULL);
}

/* Learn what the plaintext start of the connection says: ClientHello random, chosen suite. */
static void inspect_payload(struct engine *e, struct ec_flow *f, const struct ec_packet_event *ev)
{
	const uint8_t *p;
	size_t avail;
	uint8_t random[EC_RANDOM_LEN];

	if (!ev->payload_len || ev->payload_off >= ev->caplen || f->cipher_suite)
		return;
	p = ev->data + ev->payload_off;
	avail = MIN((size_t)ev->payload_len, (size_t)(ev->caplen - ev->payload_off));
	if (!f->have_random) {
		if (ec_tls_client_hello_random(p, avail, random)) {
			ec_flows_set_random(e->flows, f, random);
			f->client_end = (ev->flags & EC_PKTF_FROM_A) ? 0 : 1;
			if (!f->claimed) /* a TLS connection no traced library owns yet: whose? */
				ec_engine_flow_sockets(e, f);
		}
		return;
	}
	ec_tls_server_hello(p, avail, &f->cipher_suite, &f->tls_version);
}

void ec_engine_on_packet(struct engine *e, const struct ec_packet_event *ev, size_t size)
{
	struct ec_flow *f;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->caplen) {
		e->loss.malformed++;
		return;
	}
	if (ev->flow_state == EC_FLOW_TRACED) {
		put_packet(e, ev, NULL);
		return;
	}

	f = ec_flows_lookup(e->flows, &ev->flow);
	if (!f || ((ev->flags & EC_PKTF_SYN) && f->hold != EC_HOLD_WAITING)) {
		f = ec_flows_start(e->flows, &ev->flow, ev->hdr.ts_ns);
		f->claimed = ec_owners_known(e->owners, &ev->flow);
	}
	switch (f->hold) {
	case EC_HOLD_RELEASED:
		put_packet(e, ev, NULL);
		return;
	case EC_HOLD_DROPPED:
		e->loss.pkts_left_out++;
		return;
	case EC_HOLD_WAITING:
		break;
	}
	inspect_payload(e, f, ev);
	hold(e, f, ev, size);
	try_release(e, f, ev->hdr.ts_ns);
}

void ec_engine_on_flow_gone(struct engine *e, const struct ec_flow_event *ev, size_t size)
{
	struct ec_flow *f;

	if (size < sizeof(*ev)) {
		e->loss.malformed++;
		return;
	}
	f = ec_flows_lookup(e->flows, &ev->flow);
	if (ev->reason == EC_GONE_PREAMBLE) {
		e->preambles_cut++;
		if (f)
			f->preamble_cut = true;
	}
	if (f && f->hold == EC_HOLD_WAITING) {
		e->loss.pkts_left_out += f->held_pkts;
		ec_flows_decide(e->flows, f, EC_HOLD_DROPPED, ev->hdr.ts_ns);
	}
}

void ec_engine_flow_keys_ready(struct engine *e, const uint8_t *client_random, uint64_t now)
{
	struct ec_flow *f = ec_flows_by_random(e->flows, client_random);

	if (f && f->hold == EC_HOLD_WAITING) {
		f->claimed = true;
		try_release(e, f, now);
	}
}

bool ec_engine_flow_claim(struct engine *e, const struct ec_flow_key *flow)
{
	struct ec_flow *f = ec_flows_lookup(e->flows, flow);

	if (f && f->hold == EC_HOLD_WAITING)
		f->claimed = true;
	if (!f || !f->preamble_cut || f->claimed)
		return false;
	f->claimed = true; /* told once */
	return true;
}

#define UNCLAIMED_WHY "ecapture: no traced TLS library gave keys for this connection"

/*
 * A waiting flow whose time is up: one that a traced TLS session claimed is written out even
 * without complete keys (the user sees it, undecrypted). A TLS connection the filters leave out
 * is counted as such (left_out.c). One nothing claimed (its client's library is not traced, or
 * was not yet, or is not supported) is counted and named in the log with its process and
 * reason, and written undecrypted if the user asked for it; anything else was never ours.
 */
static void give_up_flow(struct engine *e, struct ec_flow *f, uint64_t now)
{
	if (f->claimed) {
		g_debug("flow released without complete keys");
		e->loss.keys_missing++;
		release(e, f, now, NULL);
		return;
	}
	if (f->have_random && ec_engine_flow_filtered(e, f)) {
		drop(e, f, now); /* the user's own filters left it out: not unclaimed */
		return;
	}
	if (f->have_random) {
		if (e->unclaimed++ < EC_UNCLAIMED_NAMED) {
			g_autoptr(GString) who = g_string_new(NULL);
			bool unsupported = ec_engine_flow_who(e, f, who);

			e->left.unsupported += unsupported;
			g_string_truncate(e->scratch, 0);
			ec_append_endpoint(e->scratch, f->key.family, f->key.addr_a,
			                   ntohs(f->key.port_a));
			g_string_append(e->scratch, " - ");
			ec_append_endpoint(e->scratch, f->key.family, f->key.addr_b,
			                   ntohs(f->key.port_b));
			if (unsupported)
				g_message(
				    "%s: no keys for the TLS connection %s: library not supported "
				    "(a program with OpenSSL linked in, as node bundles it) (%s)",
				    who->str, e->scratch->str,
				    e->opts->write_unclaimed ? "written undecrypted" : "left out");
			else
				g_message(
				    "%s%sno keys for the TLS connection %s: no traced library "
				    "claimed it within %llu ms (%s)",
				    who->str, who->len ? ": " : "", e->scratch->str,
				    (unsigned long long)(e->hold_ns / 1000000),
				    e->opts->write_unclaimed ? "written undecrypted" : "left out");
		}
		if (e->opts->write_unclaimed) {
			release(e, f, now, UNCLAIMED_WHY);
			return;
		}
	}
	drop(e, f, now);
}

#define DECIDED_KEEP_NS (2ull * 1000 * 1000 * 1000) /* tombstones outlive in-flight packets */

void ec_engine_tick(struct engine *e, uint64_t now)
{
	struct ec_flow *f;

	while ((f = ec_flows_oldest_waiting(e->flows))) {
		if (f->created_ns + e->hold_ns > now) {
			if (ec_flows_held_bytes(e->flows) <= e->opts->hold_max_bytes)
				break;
			e->loss.hold_overflow++;
		}
		give_up_flow(e, f, now);
	}
	if (now > DECIDED_KEEP_NS)
		ec_flows_expire(e->flows, now - DECIDED_KEEP_NS);
}

void ec_engine_release_all(struct engine *e, uint64_t now)
{
	struct ec_flow *f;

	while ((f = ec_flows_oldest_waiting(e->flows)))
		give_up_flow(e, f, now);
}
