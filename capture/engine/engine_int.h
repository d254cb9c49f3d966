/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the engine: its state, shared by the files of engine/ and by the unit tests that drive
 * its handlers. Not for other users of the engine (engine.h).
 */
#ifndef EC_ENGINE_INT_H
#define EC_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/types.h>
#include <glib.h>
#include <bpf/libbpf.h>

#include "probes/bpf_shared.h"
#include "capture_opts.h"
#include "control.h"
#include "engine/maps.h"
#include "ecapture/events.h"

struct ec_flow;
struct ec_flows;
struct ec_holds;
struct ec_keylog_file;
struct ec_keystore;
struct ec_owners;
struct ec_packets;
struct ec_pkt_filter;
struct ec_writer;
struct ec_module_ops;

/* A loaded module and its state. */
struct loaded_module {
	const struct ec_module_ops *ops;
	void *state;
};

/*
 * Losses the kernel counted for one stream (an interface's packets, the records): as last read
 * (loss.c), and as told so far in the packets or records written.
 */
struct ec_lost {
	uint64_t read;
	uint64_t told;
};

/* The losses to tell with the next packet or record written: those not told yet. */
static inline uint64_t ec_lost_take(struct ec_lost *l)
{
	uint64_t n = l->read - l->told;

	l->told = l->read;
	return n;
}

/* A network interface we capture on, as the writer knows it. */
struct out_if {
	unsigned int ifindex;
	uint32_t id; /* the writer's interface id, once declared (ec_engine_declare_interfaces) */
	uint16_t linktype;
	char name[IF_NAMESIZE];
	struct ec_pkt_filter *filter; /* NULL: every packet */
	struct ec_lost lost;          /* its packets the kernel lost */
};

/* A process holds still at most this long while its new library gets probes (process_hold.h). */
#define EC_HOLD_MAX_MS 3000
/*
 * The start, and a Reload, wait this long at most for the calibrations they began: a real
 * library calibrates in well under a second; a slow one goes on in the background.
 */
#define EC_START_WAIT_MS 1000

/* What the engine itself lost or left out; loss.c reports it with the kernel's counts. */
struct ec_engine_loss {
	uint64_t keys_missing;  /* traced connections written without keys: their hold expired */
	uint64_t hold_overflow; /* waiting connections given up early: held memory over the bound */
	uint64_t flows_evicted; /* kernel flow entries gone before their verdict: packets unseen */
	uint64_t malformed;     /* events shorter than their type */
	uint64_t not_held;      /* another user's processes not held (a new library got probes) */
	uint64_t hold_expired;  /* processes let go by the hold's bound, before their probes */
	uint64_t pkts_left_out; /* packets of held connections not written: not ours (no loss) */
};

/*
 * Connections left out, or written without keys, for a reason that is no loss (left_out.c): each
 * told once (the first EC_LEFT_OUT_TOLD by name), counted, the counts in the end report.
 */
struct ec_left_out {
	uint64_t filtered;      /* connections the PID/UID filters leave out */
	uint64_t filtered_pkts; /* packets of open connections not written since a filter left
	                           them out */
	uint64_t told;          /* of those named in the log */
	uint64_t unsupported;   /* of the unclaimed: a program whose TLS library is not supported */
	uint64_t opened_before; /* filtered out at their start, let in later: not decryptable */
	uint64_t let_back;      /* left out while open, let in again: not decryptable from there */
	uint64_t walks;         /* walks of /proc made to name a connection's process */
	uint64_t counted;       /* the sum of the counts last logged (ec_engine_left_out_poll) */
	uint64_t counted_ns;    /* ... when */
};

/* Unclaimed connections named one by one in the log; the rest are only counted. */
#define EC_UNCLAIMED_NAMED 20

struct engine {
	const struct ec_capture_opts *opts;
	struct ec_bpf_shared shared;
	struct ec_packets *packets;
	GArray *modules; /* struct loaded_module (engine.c), in load order */
	struct ring_buffer *rb;
	/* What the handlers use (state.c): nothing of it needs BPF. */
	struct ec_writer *out;
	struct ec_keylog_file *keylog; /* NULL: no key log file */
	struct ec_engine_maps maps;
	GString *scratch; /* key log lines, comments: reused, never freed per event */
	GByteArray *text; /* an audit record's text being unmetafied */
	struct ec_flows *flows;
	struct ec_keystore *keys;
	struct ec_owners *owners;
	struct ec_holds *holds; /* processes held while their new library gets its probes */
	GArray *ifs;            /* struct out_if */
	int64_t mono_to_real;
	uint64_t hold_ns;
	guint unclaimed;     /* TLS connections no traced library gave keys for */
	guint preambles_cut; /* connections not TLS from the start and no ClientHello in bound */
	struct ec_engine_loss loss;
	struct ec_left_out left;
	int sock_diag_fd; /* left_out.c: asks whose a new connection's socket is; -1: not open */
	bool sock_diag_failed;
	GHashTable *kept_out;   /* left_out.c: connections the filters left out at their start */
	GQueue *kept_out_order; /* ... their keys, oldest first (bounded) */
	struct ec_lost records_lost; /* records the kernel lost (plaintext, commands) */
	uint64_t start_real_ns;      /* when the capture started (wall clock), for the statistics */
	uint64_t loss_checked_ns;    /* loss.c: the last look at the counters (monotonic) */
	uint64_t loss_warned_ns;     /* ... the last warning */
	uint64_t loss_warned;        /* ... the losses it named */
	/* control.c: the filters as they are now, and what the front end last heard. */
	struct ec_config config;
	uint32_t filter_gen; /* changes with every filter change, never 0 (struct ec_flow_mark) */
	GArray *filter_pids; /* pid_t in the kernel's PID filter now */
	GHashTable *procs_seen; /* pids of keys, connections, records (bounded) */
	bool procs_capped;
	uint64_t n_keys; /* sessions whose keys were written */
	uint64_t status_ns;
	bool hooks_polled; /* the front end's fd is in the epoll set */
	int calib_fd;      /* calibrations ended (layouts/calibrations.h); -1: not polled */
	/* Processes held while a new library of theirs is calibrated: let go once none waits. */
	bool holds_waiting;
	uint64_t holds_waiting_ns;  /* since when (monotonic) */
	guint holds_expired_before; /* ec_holds_expired() when they started waiting */
	GString *holds_waiting_who; /* those processes named, for the log (bounded) */
	int sigfd;
	int epfd;
	bool stop;
};

/*
 * state.c: the handlers' state for OPTS, writing to OUT (owned from now on) and to the kernel
 * through MAPS. ec_engine_fini() frees what ec_engine_init() made, and OUT.
 */
void ec_engine_init(struct engine *e, const struct ec_capture_opts *opts, struct ec_writer *out,
                    const struct ec_engine_maps *maps);
void ec_engine_fini(struct engine *e);

/* on_packet.c: packets, held per flow until their keys are out. */
void ec_engine_on_packet(struct engine *e, const struct ec_packet_event *ev, size_t size);
void ec_engine_on_flow_gone(struct engine *e, const struct ec_flow_event *ev, size_t size);
/* A traced session claims the flow with this client random / flow key; release if keys are in. */
void ec_engine_flow_keys_ready(struct engine *e, const uint8_t *client_random, uint64_t now);
/*
 * A traced TLS session uses FLOW. True (once) if the TC program had given FLOW up: its plaintext
 * preamble went past its bound before the ClientHello.
 */
bool ec_engine_flow_claim(struct engine *e, const struct ec_flow_key *flow);
void ec_engine_tick(struct engine *e, uint64_t now);
/* Write the output out if it holds EC_OUTPUT_BATCH_MAX (a failure shows at the next flush). */
void ec_engine_flush_if_full(struct engine *e);
void ec_engine_release_all(struct engine *e, uint64_t now);

/*
 * left_out.c: the filters on open connections, and the connections left out by reason. Whether
 * a packet of FLOW is written under the filters as they are now (no owner known: yes).
 */
bool ec_engine_flow_wanted(struct engine *e, const struct ec_flow_key *flow);
/*
 * A new TLS flow no traced library claimed yet: whose its sockets are (while a filter is set,
 * or while unclaimed connections are still named).
 */
void ec_engine_flow_sockets(struct engine *e, struct ec_flow *f);
/*
 * The process holding F's socket, "comm[pid]" appended to WHO (nothing if none is found); true
 * if its program has a TLS library built in that is not supported (node's OpenSSL).
 */
bool ec_engine_flow_who(struct engine *e, struct ec_flow *f, GString *who);
/* Whether a flow no traced library claimed is one the filters leave out (told, counted). */
bool ec_engine_flow_filtered(struct engine *e, struct ec_flow *f);
/* The filters changed (control.c). */
void ec_engine_filters_changed(struct engine *e);
/* "; N connection(s) left out by ..." for the end report and the statistics. */
void ec_engine_describe_left_out(GString *s, const struct engine *e);
/* The counts by reason in the log while they change (the toolbar's log): every 30 s at most. */
void ec_engine_left_out_poll(struct engine *e, uint64_t now);

/* loss.c: every kind of loss, warned about while it happens and reported at the end. */
void ec_engine_loss_poll(struct engine *e, uint64_t now);
void ec_engine_loss_report(struct engine *e);

/* The running total of every loss, kernel's (K) and engine's. */
uint64_t ec_engine_loss_total(const struct engine *e, const uint64_t k[EC_STAT_MAX]);

/* control.c: the front end's filters, reload and status. */
int ec_engine_write_filters(struct engine *e, GError **err);
void ec_engine_status_poll(struct engine *e, uint64_t now);
void ec_engine_proc_seen(struct engine *e, uint32_t pid);
int ec_engine_adopt(struct engine *e, pid_t pid);
/* Calibrations ended: the modules trace the files that waited for them. -1 with ERR: stop. */
int ec_engine_resume(struct engine *e, GError **err);
/* Does PID pass the PID/UID filters as they are now? */
bool ec_engine_passes_filters(const struct engine *e, pid_t pid);

/* on_keys.c: keys and connection ownership. */
void ec_engine_on_keys(struct engine *e, const struct ec_tls_keys_event *ev, size_t size);
void ec_engine_on_conn(struct engine *e, const struct ec_conn_event *ev, size_t size);
void ec_engine_on_sock_owner(struct engine *e, const struct ec_sock_owner_event *ev, size_t size);
void ec_engine_on_secret(struct engine *e, const struct ec_tls_secret_event *ev, size_t size);

/* on_data.c: plaintext, as records. */
void ec_engine_on_data(struct engine *e, const struct ec_tls_data_event *ev, size_t size);
/* on_audit.c: shell commands and database queries. */
void ec_engine_on_audit(struct engine *e, const struct ec_audit_event *ev, size_t size);

#endif
