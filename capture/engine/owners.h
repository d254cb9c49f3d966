/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who owns which end of the followed connections: per flow, the process seen sending and
 * receiving on each local end's socket (the kernel's socket owner events), or that more than one
 * does (shared: no owner); whether a traced TLS library claimed the flow, and per (process, SSL
 * object) which connection that library's object uses (the probes' connection events). Also a
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
	struct ec_proc proc; /* shared: the last process seen using the socket */
	int32_t fd;
	const char *cmdline; /* NULL if unknown */
	bool shared;         /* more than one process uses this end's socket: no owner */
	uint32_t other_pid;  /* shared: the one seen before PROC (0 if unknown) */
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

/* A traced TLS library's connection object uses the socket of EV's flow: it claims the flow. */
void ec_owners_add(struct ec_owners *o, const struct ec_conn_event *ev);

/* A process sends and receives on one end of a flow, or (shared) a second one does. */
void ec_owners_add_sock(struct ec_owners *o, const struct ec_sock_owner_event *ev);

/*
 * The owner of the socket a packet of FLOW came from (FROM_A: the sender is endpoint a) when
 * that end is local and seen, else the owner of the receiving end (a packet from a remote host
 * belongs to the local socket that receives it); NULL if neither. One whose shared is set names
 * no process: the packet says so.
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
 * FLOW's mark, the traced processes whose TLS library claimed each end in ENDS (NULL where
 * none), or NULL if no traced process's TLS library claimed FLOW.
 */
struct ec_flow_mark *ec_owners_mark(struct ec_owners *o, const struct ec_flow_key *flow,
                                    const struct ec_owner *ends[2]);

/* Whether a traced TLS library claimed FLOW (a connection event named its socket). */
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
