// SPDX-License-Identifier: GPL-2.0-or-later
/* Plaintext from the probes: a record per read or write, described for the writer. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "ecapture/record.h"
#include "engine/engine_int.h"
#include "engine/owners.h"
#include "output/record_writer.h"
#include "output/writer.h"

/* The sender and receiver of this chunk, from the connection's flow key. */
static void fill_tuple(struct ec_record_meta *m, const struct ec_conn *c, bool sent)
{
	const struct ec_flow_key *k = &c->flow;
	/* The process's end is a or b; it sent the data, or received it. */
	bool src_is_a = (c->local_is_a == sent);

	m->family = k->family == 2 ? AF_INET : AF_INET6;
	memcpy(m->src_addr, src_is_a ? k->addr_a : k->addr_b, 16);
	memcpy(m->dst_addr, src_is_a ? k->addr_b : k->addr_a, 16);
	m->src_port = ntohs(src_is_a ? k->port_a : k->port_b);
	m->dst_port = ntohs(src_is_a ? k->port_b : k->port_a);
}

static void fill_meta(struct engine *e, const struct ec_tls_data_event *ev,
                      struct ec_record_meta *m)
{
	const struct ec_conn *c = ec_owners_conn(e->owners, ev->proc.pid, ev->ssl);
	bool truncated = (ev->flags & EC_DATAF_TRUNCATED) && ev->offset + ev->len >= EC_DATA_MAX;

	memset(m, 0, sizeof(*m));
	m->type = EC_RECORD_TLS_DATA;
	m->direction = ev->dir;
	m->source = ev->source;
	m->flags = truncated ? EC_RECORDF_TRUNCATED : 0;
	m->pid = ev->proc.pid;
	m->tid = ev->proc.tid;
	m->uid = ev->proc.uid;
	m->fd = c ? c->fd : ev->fd;
	m->data_len = truncated ? ev->total_len - ev->offset : ev->len;
	m->conn_id = ev->ssl;
	memcpy(m->comm, ev->proc.comm, sizeof(m->comm));
	m->cmdline = ec_owners_cmdline(e->owners, ev->proc.pid);
	if (c)
		fill_tuple(m, c, ev->dir == EC_RECORD_DIR_SENT);
}

void ec_engine_on_data(struct engine *e, const struct ec_tls_data_event *ev, size_t size)
{
	struct ec_record_meta m;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->len) {
		e->loss.malformed++;
		return;
	}
	fill_meta(e, ev, &m);
	ec_writer_tls_data(e->out, ev->hdr.ts_ns + e->mono_to_real, &m, ev->data, ev->len,
	                   ec_lost_take(&e->records_lost));
}
