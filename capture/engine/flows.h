/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Userspace side of candidate TCP flows: the packets of a new connection are held here, as the
 * raw ring buffer events they came in (on_packet.c writes them on release), until the keys of its
 * TLS session have been written (so Wireshark reads the keys before the handshake) or until the
 * flow is given up. Decided flows stay a short while as tombstones, so packets still in the ring
 * buffer follow their flow's verdict.
 */
#ifndef EC_FLOWS_H
#define EC_FLOWS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include <glib.h>

#include "ecapture/events.h"

enum ec_hold {
	EC_HOLD_WAITING,  /* packets held until keys or timeout */
	EC_HOLD_RELEASED, /* written out; later packets go straight out */
	EC_HOLD_DROPPED,  /* not ours; later packets are discarded */
};

struct ec_flow {
	struct ec_flow_key key;
	enum ec_hold hold;
	GByteArray *held; /* raw packet events (on_packet.c's held_hdr framing), in arrival order */
	guint held_pkts;
	uint64_t created_ns;
	uint64_t decided_ns;
	bool have_random;
	bool claimed;      /* a traced TLS session has this client random */
	bool preamble_cut; /* given up: no ClientHello within the plaintext preamble's bound */
	uint8_t client_random[EC_RANDOM_LEN];
	uint16_t cipher_suite; /* from the ServerHello; 0 until seen */
	uint16_t tls_version;  /* from the ServerHello; 0 until seen */
	/* While a PID/UID filter is set: each end's socket as it started (left_out.c). */
	uint8_t sock_have;       /* bit 0: endpoint a's socket is here, bit 1: b's */
	uint8_t client_end;      /* 0: endpoint a sent the ClientHello, 1: b */
	pid_t holder;            /* the process found holding its socket (left_out.c); 0: none */
	bool holder_unsupported; /* ... its program has OpenSSL linked in (node) */
	char holder_name[48];    /* ... "comm[pid]", escaped */
	uint32_t sock_uid[2];
	uint64_t sock_inode[2];
	GList node; /* in the waiting or the decided queue */
};

struct ec_flows;

struct ec_flows *ec_flows_new(void);
void ec_flows_free(struct ec_flows *t);

struct ec_flow *ec_flows_lookup(struct ec_flows *t, const struct ec_flow_key *key);

/* A new waiting flow for KEY; an older flow with that key (a reused 5-tuple) is replaced. */
struct ec_flow *ec_flows_start(struct ec_flows *t, const struct ec_flow_key *key, uint64_t now);

/* Record the ClientHello random of F and index F by it. */
void ec_flows_set_random(struct ec_flows *t, struct ec_flow *f, const uint8_t *random);
struct ec_flow *ec_flows_by_random(struct ec_flows *t, const uint8_t *random);

/* Account LEN more bytes appended to F->held. */
void ec_flows_held_add(struct ec_flows *t, struct ec_flow *f, size_t len);
size_t ec_flows_held_bytes(const struct ec_flows *t);

/* Decide F (RELEASED or DROPPED): its held blocks are freed, so write them out first. */
void ec_flows_decide(struct ec_flows *t, struct ec_flow *f, enum ec_hold verdict, uint64_t now);

/* The waiting flow that started first, or NULL. */
struct ec_flow *ec_flows_oldest_waiting(struct ec_flows *t);

/* Forget decided flows decided before NOT_AFTER. */
void ec_flows_expire(struct ec_flows *t, uint64_t not_after);

guint ec_flows_count(const struct ec_flows *t);
/* How many flows wait for their keys. */
guint ec_flows_waiting(const struct ec_flows *t);

#endif
