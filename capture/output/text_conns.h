/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text output's connections: what it keeps per (process, library connection object) while
 * the connection lasts: the HTTP/2 reader of each direction (made when the client preface is
 * seen) and, when records are grouped per connection, the text of its records not written
 * yet. At most EC_TEXT_CONNS_MAX connections: a new one ends the least recently used.
 *
 * A connection ends when its object carries another connection (its 5-tuple changes), when
 * it is the least recently used one and a new one needs its place, or at the end of the
 * capture: then its held records are written and its readers freed.
 */
#ifndef EC_TEXT_CONNS_H
#define EC_TEXT_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "output/h2_text.h"
#include "output/record_writer.h"

#define EC_TEXT_CONNS_MAX 64
/* Text of one connection's records held when grouping, at most. */
#define EC_TEXT_GROUP_MAX (256u * 1024u)

struct ec_text_conn {
	bool used;
	uint32_t pid;
	uint64_t conn_id;
	int family; /* 0: 5-tuple not known */
	uint8_t addr[2][16];
	uint16_t port[2];
	uint64_t last_use;
	struct ec_h2_dir *h2[2]; /* by enum ec_record_dir; NULL: not HTTP/2 */
	GString *group;          /* grouping: the text of its records not written yet */
};

struct ec_text_conns {
	bool group; /* records of a connection are written together */
	uint64_t clock;
	struct ec_text_conn c[EC_TEXT_CONNS_MAX];
};

/*
 * The connection of record M, made if new (ending the one whose place it takes: its held text
 * goes to OUT). NULL when M names no connection object.
 */
struct ec_text_conn *ec_text_conn_get(struct ec_text_conns *t, const struct ec_record_meta *m,
                                      GByteArray *out);

/* TEXT, one record of C (NULL: of none), to OUT now, or held with C's when grouping. */
void ec_text_conn_put(struct ec_text_conns *t, struct ec_text_conn *c, const GString *text,
                      GByteArray *out);

/* End every connection: held text to OUT (NULL: dropped), readers freed. */
void ec_text_conns_end_all(struct ec_text_conns *t, GByteArray *out);

/* Every connection's HTTP/2 readers lost bytes (records were lost, whose is not known). */
void ec_text_conns_lost(struct ec_text_conns *t);

#endif
