// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connections. A record always names its process and connection (pid, conn_id); the 5-tuple
 * only when ecapturedump knew the socket. So (pid, conn_id) is the identity: records with and
 * without a tuple stay in one stream, and when both ends of a connection are traced each
 * process has its own. conn_id is the SSL object's address, which a process reuses for a later
 * connection: a different tuple, or the HTTP/2 preface in the middle of a stream, starts a new
 * connection (a new "generation") under the same key.
 *
 * Each connection gets a conversation of its own, keyed by (pid, conn_id, generation), and
 * pinfo->conv_elements points the application dissectors at it. Were they to use the TCP
 * conversation of the 5-tuple, they would share their state (HTTP/2 header tables above all)
 * with the decrypted TLS packets of the same connection in the same capture.
 */
#include "ec_stream.h"
#include "ecapture/record.h"

struct conn_key {
	uint32_t pid;
	uint64_t conn_id;
};

struct conn_track {
	uint32_t gen;
	struct ec_rec_conn *cur;
};

static wmem_map_t *tracks; /* struct conn_key -> struct conn_track, per file */

static guint key_hash(gconstpointer p)
{
	const struct conn_key *k = p;

	return (guint)(k->conn_id ^ (k->conn_id >> 32)) ^ (k->pid * 0x9E3779B1u);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	const struct conn_key *x = a, *y = b;

	return x->pid == y->pid && x->conn_id == y->conn_id;
}

static struct ec_rec_conn *conn_new(packet_info *pinfo, const struct ec_rec *r, uint32_t gen)
{
	struct ec_rec_conn *c = wmem_new0(wmem_file_scope(), struct ec_rec_conn);
	conversation_element_t key[] = {
	    {.type = CE_STRING, .str_val = "ecapture"},
	    {.type = CE_UINT, .uint_val = r->pid},
	    {.type = CE_UINT64, .uint64_val = r->conn_id},
	    {.type = CE_UINT, .uint_val = gen},
	    {.type = CE_CONVERSATION_TYPE, .conversation_type_val = CONVERSATION_TCP},
	};

	c->conv = find_conversation_full(pinfo->num, key);
	if (!c->conv)
		c->conv = conversation_new_full(pinfo->num, key);
	return c;
}

/* The record's tags name both ends of a TCP connection. */
static bool has_tags(const packet_info *pinfo)
{
	return pinfo->ptype == PT_TCP &&
	       (pinfo->src.type == AT_IPv4 || pinfo->src.type == AT_IPv6) &&
	       pinfo->dst.type == pinfo->src.type;
}

/* The process's end and the other end of a record, from its tags. */
static void tag_ends(const packet_info *pinfo, uint8_t dir, const address **local,
                     const address **remote, uint32_t *lport, uint32_t *rport)
{
	bool sent = dir == EC_RECORD_DIR_SENT;

	*local = sent ? &pinfo->src : &pinfo->dst;
	*remote = sent ? &pinfo->dst : &pinfo->src;
	*lport = sent ? pinfo->srcport : pinfo->destport;
	*rport = sent ? pinfo->destport : pinfo->srcport;
}

/* R's tags name another connection than C's. */
static bool other_tuple(const packet_info *pinfo, const struct ec_rec_conn *c, uint8_t dir)
{
	const address *local, *remote;
	uint32_t lport, rport;

	if (!c->has_tuple || !has_tags(pinfo))
		return false;
	tag_ends(pinfo, dir, &local, &remote, &lport, &rport);
	return !addresses_equal(local, &c->local) || !addresses_equal(remote, &c->remote) ||
	       lport != c->local_port || rport != c->remote_port;
}

struct ec_rec_conn *ec_conn_for(packet_info *pinfo, const struct ec_rec *r, tvbuff_t *data)
{
	struct conn_key k = {.pid = r->pid, .conn_id = r->conn_id};
	struct conn_track *t = wmem_map_lookup(tracks, &k);

	if (!t) {
		struct conn_key *pk = wmem_new(wmem_file_scope(), struct conn_key);

		*pk = k;
		t = wmem_new0(wmem_file_scope(), struct conn_track);
		t->cur = conn_new(pinfo, r, 0);
		wmem_map_insert(tracks, pk, t);
	} else if (other_tuple(pinfo, t->cur, r->direction) ||
	           (t->cur->seen_data && ec_app_is_h2_preface(data))) {
		t->cur = conn_new(pinfo, r, ++t->gen);
	}
	t->cur->seen_data = true;
	return t->cur;
}

enum ec_ends ec_conn_learn(packet_info *pinfo, struct ec_rec_conn *c, const struct ec_rec *r)
{
	const address *local, *remote;

	if (!has_tags(pinfo))
		return c->has_tuple ? EC_ENDS_CONN : EC_ENDS_SYNTHETIC;
	if (!c->has_tuple) {
		tag_ends(pinfo, r->direction, &local, &remote, &c->local_port, &c->remote_port);
		copy_address_wmem(wmem_file_scope(), &c->local, local);
		copy_address_wmem(wmem_file_scope(), &c->remote, remote);
		c->has_tuple = true;
	}
	return EC_ENDS_TAGS;
}

void ec_conn_apply(packet_info *pinfo, const struct ec_rec_conn *c, uint8_t dir, enum ec_ends how)
{
	bool sent = dir == EC_RECORD_DIR_SENT;

	pinfo->conv_elements = c->conv->key_ptr;
	switch (how) {
	case EC_ENDS_TAGS:
		break;
	case EC_ENDS_CONN:
		copy_address_shallow(&pinfo->src, sent ? &c->local : &c->remote);
		copy_address_shallow(&pinfo->dst, sent ? &c->remote : &c->local);
		copy_address_shallow(&pinfo->net_src, &pinfo->src);
		copy_address_shallow(&pinfo->net_dst, &pinfo->dst);
		pinfo->ptype = PT_TCP;
		pinfo->srcport = sent ? c->local_port : c->remote_port;
		pinfo->destport = sent ? c->remote_port : c->local_port;
		break;
	case EC_ENDS_SYNTHETIC:
		/*
		 * Dissectors that keep state per direction (HTTP/2's header tables) tell the
		 * directions apart by comparing source and destination; with no addresses, only
		 * the ports can differ.
		 */
		pinfo->srcport = sent ? 2 : 1;
		pinfo->destport = sent ? 1 : 2;
		break;
	}
}

void ec_conn_register(void)
{
	tracks = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), key_hash, key_equal);
}
