/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the engine: its state, shared by engine*.c. Not for other users of the engine. */
#ifndef EC_ENGINE_INT_H
#define EC_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <glib.h>
#include <bpf/libbpf.h>

#include "probes/bpf_shared.h"
#include "capture_opts.h"
#include "output/output.h"
#include "ecapture/events.h"

struct ec_flows;
struct ec_keystore;
struct ec_owners;
struct ec_packets;
struct ec_pkt_filter;

/* An interface we capture on, as it appears in the pcapng section. */
struct out_if {
	unsigned int ifindex;
	uint32_t idb;
	uint16_t linktype;
	struct ec_pkt_filter *filter; /* NULL: every packet */
};

struct engine {
	const struct ec_capture_opts *opts;
	struct ec_bpf_shared shared;
	struct ec_packets *packets;
	GArray *modules; /* struct loaded_module (engine.c), in load order */
	struct ring_buffer *rb;
	struct ec_output out;
	int keylog_fd;
	GString *keylog_buf;
	GString *scratch;   /* key log lines, comments: reused, never freed per event */
	GByteArray *record; /* one record being built */
	GByteArray *audit;  /* an audit record's data being built */
	struct ec_flows *flows;
	struct ec_keystore *keys;
	struct ec_owners *owners;
	GArray *ifs;          /* struct out_if */
	uint32_t records_idb; /* IDB of the plaintext records, if any */
	int64_t mono_to_real;
	uint64_t hold_ns;
	int sigfd;
	int epfd;
	bool stop;
};

/* on_packet.c: packets, held per flow until their keys are out. */
void ec_engine_on_packet(struct engine *e, const struct ec_packet_event *ev, size_t size);
void ec_engine_on_flow_gone(struct engine *e, const struct ec_flow_event *ev, size_t size);
/* A traced session claims the flow with this client random / flow key; release if keys are in. */
void ec_engine_flow_keys_ready(struct engine *e, const uint8_t *client_random, uint64_t now);
void ec_engine_flow_claim(struct engine *e, const struct ec_flow_key *flow);
void ec_engine_tick(struct engine *e, uint64_t now);
void ec_engine_release_all(struct engine *e, uint64_t now);

/* on_keys.c: keys and connection ownership. */
void ec_engine_on_keys(struct engine *e, const struct ec_tls_keys_event *ev, size_t size);
void ec_engine_on_conn(struct engine *e, const struct ec_conn_event *ev, size_t size);
void ec_engine_on_secret(struct engine *e, const struct ec_tls_secret_event *ev, size_t size);

/* on_data.c: plaintext, as pcapng records or as text. */
void ec_engine_on_data(struct engine *e, const struct ec_tls_data_event *ev, size_t size);
/* Text mode: "--- 2026-11-23 20:40:01.123456 " for an event taken at TS_NS (BPF clock). */
void ec_engine_text_header(const struct engine *e, uint64_t ts_ns, GString *out);
/* on_audit.c: shell commands and database queries. */
void ec_engine_on_audit(struct engine *e, const struct ec_audit_event *ev, size_t size);

#endif
