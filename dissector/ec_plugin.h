/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of the eCapture plugin share: the protocol, the process fields that both the
 * packet comments and the records fill, and each part's registration.
 */
#ifndef EC_PLUGIN_H
#define EC_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wireshark.h>
#include <epan/packet.h>

#include "ws_compat.h"

extern int proto_ecapture;

/* Process fields: ecapture.pid, tid, uid, comm, cmdline, fd. */
extern int hf_ec_pid;
extern int hf_ec_tid;
extern int hf_ec_uid;
extern int hf_ec_comm;
extern int hf_ec_cmdline;
extern int hf_ec_fd;

/* A record's header, validated (see ecapture/record.h). */
struct ec_rec {
	uint8_t type, direction, source;
	uint16_t flags;
	uint32_t pid, tid, uid;
	int32_t fd;
	uint32_t data_len; /* as the process saw it */
	uint64_t conn_id;
	const char *comm; /* escaped (ec_text_escaped), packet scope */
};

void ec_fields_register(void);

/*
 * LEN bytes of S as a field or column may show them (ecapture/escape.h, the writer's rule):
 * controls, bidirectional controls and bytes that are not UTF-8 as \xNN, so a crafted file
 * cannot put them on a terminal (tshark -V, -T fields) or into the GUI. The C0 controls in KEEP
 * stay; with C_STYLE, newline, carriage return and tab among them are shown as \n, \r, \t.
 * Valid UTF-8, allocated in SCOPE.
 */
const char *ec_text_escaped(wmem_allocator_t *scope, const char *s, size_t len, const char *keep,
                            bool c_style);
void ec_meta_register(void);
void ec_meta_handoff(void);
/*
 * A packet named by our comment: its TCP conversation is dissected as TLS from its start, or, when
 * its first payload is not TLS (a preamble), by the port's dissector.
 */
void ec_tls_conv_follow(packet_info *pinfo);
void ec_tls_conv_handoff(void);
void ec_record_register(void);
void ec_record_handoff(void);
void ec_stream_register(void);
void ec_stream_handoff(void);
void ec_audit_register(void);

/*
 * The data of a valid shell command or SQL query record (TVB: its audit header and text):
 * fields under RT, the Info column, a summary on TI.
 */
void ec_audit_dissect(tvbuff_t *tvb, packet_info *pinfo, proto_tree *rt, proto_item *ti,
                      const struct ec_rec *r);

/* What became of a record's data. */
enum ec_shown {
	EC_SHOWN_DATA, /* raw data: no application protocol known */
	EC_SHOWN_PART, /* kept for a PDU that ends in a later record */
	EC_SHOWN_APP,  /* went to the application dissector */
};

/*
 * Hand the data of a valid TLS record (DATA: its bytes, reported length the process's length)
 * to the application dissector of its connection, reassembled per connection and direction.
 * ITEM_TREE gets the reassembly items; TREE the application's.
 */
enum ec_shown ec_stream_dissect(tvbuff_t *data, packet_info *pinfo, proto_tree *tree,
                                proto_tree *item_tree, const struct ec_rec *r);

#endif
