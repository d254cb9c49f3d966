// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/owners.h"

#include <string.h>

#include "output/record_writer.h"

struct flow_owners {
	struct ec_flow_key key;
	bool have[2]; /* [0]: endpoint a, [1]: endpoint b */
	struct ec_owner end[2];
};

struct conn_key {
	uint32_t pid;
	uint32_t pad;
	uint64_t ssl;
};

struct conn_entry {
	struct conn_key key;
	struct ec_conn conn;
};

struct cmdline_entry {
	char comm[EC_COMM_LEN]; /* tells a reused pid from the process we read */
	char *cmdline;
};

struct ec_owners {
	GHashTable *flows;    /* struct ec_flow_key * -> struct flow_owners * */
	GHashTable *conns;    /* struct conn_key * -> struct conn_entry * */
	GHashTable *cmdlines; /* pid -> struct cmdline_entry * */
	GQueue flow_order;    /* keys, oldest first, for eviction */
	GQueue conn_order;
	guint max;
};

static guint bytes_hash(const void *p, size_t n)
{
	guint h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 16777619u;
	return h;
}

static guint flow_hash(gconstpointer p)
{
	return bytes_hash(p, sizeof(struct ec_flow_key));
}

static gboolean flow_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ec_flow_key)) == 0;
}

static guint conn_hash(gconstpointer p)
{
	return bytes_hash(p, sizeof(struct conn_key));
}

static gboolean conn_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct conn_key)) == 0;
}

static void flow_owners_free(gpointer p)
{
	struct flow_owners *f = p;

	g_free((char *)f->end[0].cmdline);
	g_free((char *)f->end[1].cmdline);
	g_free(f);
}

static void cmdline_free(gpointer p)
{
	struct cmdline_entry *c = p;

	g_free(c->cmdline);
	g_free(c);
}

struct ec_owners *ec_owners_new(guint max_entries)
{
	struct ec_owners *o = g_new0(struct ec_owners, 1);

	o->flows = g_hash_table_new_full(flow_hash, flow_equal, NULL, flow_owners_free);
	o->conns = g_hash_table_new_full(conn_hash, conn_equal, NULL, g_free);
	o->cmdlines = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, cmdline_free);
	g_queue_init(&o->flow_order);
	g_queue_init(&o->conn_order);
	o->max = max_entries;
	return o;
}

void ec_owners_free(struct ec_owners *o)
{
	if (!o)
		return;
	g_hash_table_destroy(o->flows);
	g_hash_table_destroy(o->conns);
	g_hash_table_destroy(o->cmdlines);
	g_queue_clear(&o->flow_order);
	g_queue_clear(&o->conn_order);
	g_free(o);
}

const char *ec_owners_cmdline(struct ec_owners *o, uint32_t pid)
{
	struct cmdline_entry *c = g_hash_table_lookup(o->cmdlines, GUINT_TO_POINTER(pid));

	return c ? c->cmdline : NULL;
}

/* Read a process's command line once, while it is still running (a new process: a new read). */
const char *ec_owners_learn_cmdline(struct ec_owners *o, const struct ec_proc *p)
{
	struct cmdline_entry *c = g_hash_table_lookup(o->cmdlines, GUINT_TO_POINTER(p->pid));

	if (c && strncmp(c->comm, p->comm, EC_COMM_LEN) == 0)
		return c->cmdline;
	if (g_hash_table_size(o->cmdlines) >= o->max)
		g_hash_table_remove_all(o->cmdlines);
	c = g_new0(struct cmdline_entry, 1);
	memcpy(c->comm, p->comm, EC_COMM_LEN);
	c->cmdline = ec_cmdline_read(p->pid);
	g_hash_table_replace(o->cmdlines, GUINT_TO_POINTER(p->pid), c);
	return c->cmdline;
}

/* Bound a table by dropping its oldest entries (ORDER holds their keys). */
static void trim(GHashTable *table, GQueue *order, guint max)
{
	while (g_hash_table_size(table) > max && !g_queue_is_empty(order))
		g_hash_table_remove(table, g_queue_pop_head(order));
}

void ec_owners_add(struct ec_owners *o, const struct ec_conn_event *ev)
{
	struct flow_owners *f = g_hash_table_lookup(o->flows, &ev->flow);
	struct conn_key ck = {.pid = ev->proc.pid, .ssl = ev->ssl};
	struct conn_entry *c;
	int side = ev->local_is_a ? 0 : 1;

	if (!f) {
		f = g_new0(struct flow_owners, 1);
		f->key = ev->flow;
		g_hash_table_insert(o->flows, &f->key, f);
		g_queue_push_tail(&o->flow_order, &f->key);
		trim(o->flows, &o->flow_order, o->max);
	}
	f->have[side] = true;
	f->end[side].proc = ev->proc;
	f->end[side].fd = ev->fd;
	g_free((char *)f->end[side].cmdline);
	f->end[side].cmdline = g_strdup(ec_owners_learn_cmdline(o, &ev->proc));

	c = g_hash_table_lookup(o->conns, &ck);
	if (!c) {
		c = g_new0(struct conn_entry, 1);
		c->key = ck;
		g_hash_table_insert(o->conns, &c->key, c);
		g_queue_push_tail(&o->conn_order, &c->key);
		trim(o->conns, &o->conn_order, o->max);
	}
	c->conn.flow = ev->flow;
	c->conn.local_is_a = ev->local_is_a;
	c->conn.fd = ev->fd;
}

const struct ec_owner *ec_owners_for_packet(struct ec_owners *o, const struct ec_flow_key *flow,
                                            bool from_a)
{
	struct flow_owners *f = g_hash_table_lookup(o->flows, flow);
	int sender = from_a ? 0 : 1;

	if (!f)
		return NULL;
	if (f->have[sender])
		return &f->end[sender];
	if (f->have[!sender])
		return &f->end[!sender];
	return NULL;
}

bool ec_owners_known(struct ec_owners *o, const struct ec_flow_key *flow)
{
	return g_hash_table_contains(o->flows, flow);
}

const struct ec_conn *ec_owners_conn(struct ec_owners *o, uint32_t pid, uint64_t ssl)
{
	struct conn_key ck = {.pid = pid, .ssl = ssl};
	struct conn_entry *c = g_hash_table_lookup(o->conns, &ck);

	return c ? &c->conn : NULL;
}
