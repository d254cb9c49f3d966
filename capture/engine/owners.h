/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who owns which end of the traced connections, learned from the probes' connection events:
 * per flow (both ends, when both are local and traced) and per (process, SSL object). Also a
 * cache of command lines, read from /proc once per process and shared by its flows, bounded in
 * bytes.
 */
#ifndef EC_OWNERS_H
#define EC_OWNERS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <glib.h>

#include "ecapture/events.h"

struct ec_owner {
	struct ec_proc proc;
	int32_t fd;
	const char *cmdline; /* NULL if unknown */
};

/* A process's TLS connection: its socket, and which end of the flow is the process's. */
struct ec_conn {
	struct ec_flow_key flow;
	bool local_is_a;
	int32_t fd;
};

struct ec_owners;

/*
 * At most MAX_ENTRIES flows, connections and cached command lines each, and CMDLINE_BYTES of
 * command lines alive (each at most EC_CMDLINE_MAX, shared by the cache and the flows of its
 * process).
 */
struct ec_owners *ec_owners_new(guint max_entries, size_t cmdline_bytes);
void ec_owners_free(struct ec_owners *o);

void ec_owners_add(struct ec_owners *o, const struct ec_conn_event *ev);

/*
 * The process a packet of FLOW belongs to: the owner of the sending end (FROM_A: the sender is
 * endpoint a) when it is local and known, else the owner of the receiving end; NULL if neither.
 */
const struct ec_owner *ec_owners_for_packet(struct ec_owners *o, const struct ec_flow_key *flow,
                                            bool from_a);

/*
 * What the engine decided about a flow under the filters as they were at FILTER_GEN (control.c):
 * reset when an end's owner changes, so the verdict is made again.
 */
struct ec_flow_mark {
	uint32_t filter_gen; /* 0: no verdict yet */
	bool passes;         /* an owner of the flow passes the filters */
	bool told;           /* its being left out was logged */
	bool told_back;      /* its being let in again was logged */
};

/*
 * FLOW's mark, its known ends' owners in ENDS (NULL where unknown), or NULL if no traced
 * process owns an end of it.
 */
struct ec_flow_mark *ec_owners_mark(struct ec_owners *o, const struct ec_flow_key *flow,
                                    const struct ec_owner *ends[2]);

/* Whether any traced process owns an end of FLOW. */
bool ec_owners_known(struct ec_owners *o, const struct ec_flow_key *flow);

const struct ec_conn *ec_owners_conn(struct ec_owners *o, uint32_t pid, uint64_t ssl);

/* The command line of PID (cached), or NULL. */
const char *ec_owners_cmdline(struct ec_owners *o, uint32_t pid);

/* The command line of process P, read from /proc now if not cached yet; NULL if unreadable. */
const char *ec_owners_learn_cmdline(struct ec_owners *o, const struct ec_proc *p);

/* The bytes of command lines alive now (within the budget). */
size_t ec_owners_cmdline_bytes(const struct ec_owners *o);

/* Command lines read but not kept: those the flows held filled the budget. */
uint64_t ec_owners_cmdlines_not_kept(const struct ec_owners *o);

#endif
