/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS plaintext of one connection of one process, as two byte streams (sent, received):
 * which connection a record belongs to, what it carries, and how far each stream has got.
 */
#ifndef EC_STREAM_H
#define EC_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "ec_plugin.h"

#include <epan/conversation.h>

enum ec_app {
	EC_APP_NONE, /* not recognised (yet): shown as data */
	EC_APP_HTTP,
	EC_APP_HTTP2,
	EC_APP_PGSQL, /* the rest are client/server protocols told by port or first message */
	EC_APP_MYSQL,
	EC_APP_RESP,
	EC_APP_COUNT,
};

/* What a connection's plaintext speaks, and which end of it the traced process is. */
struct ec_app_guess {
	enum ec_app app;
	bool serves; /* the process is the protocol's server (PostgreSQL's backend, ...) */
};

/* One direction's stream, as far as the first pass has read it. */
struct ec_dir {
	uint64_t seq;       /* stream offset of the next record's first byte */
	uint32_t msp_id;    /* reassembly of the unfinished PDU; 0: none */
	uint64_t msp_start; /* stream offset of that PDU's first byte */
	uint64_t msp_end;   /* where it ends; 0: unknown, try again with the next record */
};

/* One connection of one process: its conversation, endpoints and streams. */
struct ec_rec_conn {
	conversation_t *conv; /* ours alone: not the TCP conversation of the same 5-tuple */
	enum ec_app app;
	bool serves; /* the process is the application protocol's server */
	bool seen_data;
	bool has_tuple;
	address local, remote; /* the process's end and the other */
	uint32_t local_port, remote_port;
	struct ec_dir dir[2]; /* by enum ec_record_dir */
};

/* Where a record's endpoints came from; the same on every pass. */
enum ec_ends {
	EC_ENDS_TAGS,      /* its own exported-PDU tags */
	EC_ENDS_CONN,      /* none in the record: the connection's, learned earlier */
	EC_ENDS_SYNTHETIC, /* none known: empty addresses, ports that tell the directions apart */
};

/* First pass: the connection of record R, a new one when R shows the ID was reused. */
struct ec_rec_conn *ec_conn_for(packet_info *pinfo, const struct ec_rec *r, tvbuff_t *data);

/* First pass: where R's endpoints come from; learns the connection's from R's tags. */
enum ec_ends ec_conn_learn(packet_info *pinfo, struct ec_rec_conn *c, const struct ec_rec *r);

/* Every pass: point PINFO's conversation and endpoints at C for a record in direction DIR. */
void ec_conn_apply(packet_info *pinfo, const struct ec_rec_conn *c, uint8_t dir, enum ec_ends how);

void ec_conn_register(void);

/*
 * The application protocol of connection C, whose record in direction DIR holds DATA, if it
 * can be told: by the first bytes, else by a port the tcp.port table gives to a protocol we
 * hand plaintext to (so "Decode As" and protocol port preferences count), else by a database
 * client's first message.
 */
struct ec_app_guess ec_app_detect(tvbuff_t *data, const struct ec_rec_conn *c, uint8_t dir);

/* The dissector of APP; NULL when this Wireshark has none. */
dissector_handle_t ec_app_handle(enum ec_app app);

/* Find the application dissectors (at handoff). */
void ec_app_handoff(void);

/* DATA starts with the whole HTTP/2 client connection preface. */
bool ec_app_is_h2_preface(tvbuff_t *data);

#endif
