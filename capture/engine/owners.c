// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/owners.h"

#include <string.h>

#include "output/record_writer.h"

/*
 * A process's command line, read once and shared by the cache and every flow of that process
 * (counted references): its bytes count against the owners' budget until the last one goes.
 */
struct cmdline {
	struct ec_owners *owners;
	guint refs;
	guint size; /* what it counts against the budget */
	char text[];
};

struct flow_owners {
	struct ec_flow_key key;
	bool claimed; /* a traced TLS library's connection uses it */
	bool have[2]; /* [0]: endpoint a, [1]: endpoint b */
	struct ec_owner end[2];
	struct cmdline *cmdline[2]; /* end[i].cmdline's holder, or NULL */
	/* The traced processes whose TLS library claimed each end (connection events): what the
	 * filters judge (left_out.c); a socket's owner above may be a process nobody traces. */
	bool traced[2];
	struct ec_owner tracer[2]; /* no command line */
	struct ec_flow_mark mark;
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
	uint32_t pid;
	char comm[EC_COMM_LEN];  /* tells a reused pid from the process we read */
	struct cmdline *cmdline; /* NULL: unreadable, or not kept (over the budget) */
	GList link;              /* in cmdline_order; data points back here */
};

struct ec_owners {
	GHashTable *flows;    /* struct ec_flow_key * -> struct flow_owners * */
	GHashTable *conns;    /* struct conn_key * -> struct conn_entry * */
	GHashTable *cmdlines; /* pid -> struct cmdline_entry * */
	GQueue flow_order;    /* keys, oldest first, for eviction */
	GQueue conn_order;
	GQueue cmdline_order; /* cache entries, least recently read first */
	guint max;
	size_t cmdline_budget; /* bytes of command lines alive at most */
	size_t cmdline_bytes;  /* ... alive now, in the cache or in flows */
	uint64_t cmdlines_not_kept;
	char read_buf[EC_CMDLINE_MAX + 1];
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

static struct cmdline *cmdline_new(struct ec_owners *o, const char *text, size_t len)
{
	size_t size = sizeof(struct cmdline) + len + 1;
	struct cmdline *c = g_malloc(size);

	c->owners = o;
	c->refs = 1;
	c->size = (guint)size;
	memcpy(c->text, text, len + 1);
	o->cmdline_bytes += size;
	return c;
}

static struct cmdline *cmdline_ref(struct cmdline *c)
{
	if (c)
		c->refs++;
	return c;
}

static void cmdline_unref(struct cmdline *c)
{
	if (!c || --c->refs)
		return;
	c->owners->cmdline_bytes -= c->size;
	g_free(c);
}

static void flow_owners_free(gpointer p)
{
	struct flow_owners *f = p;

	cmdline_unref(f->cmdline[0]);
	cmdline_unref(f->cmdline[1]);
	g_free(f);
}

static void cmdline_entry_free(gpointer p)
{
	struct cmdline_entry *c = p;

	cmdline_unref(c->cmdline);
	g_free(c);
}

struct ec_owners *ec_owners_new(guint max_entries, size_t cmdline_bytes)
{
	struct ec_owners *o = g_new0(struct ec_owners, 1);

	o->flows = g_hash_table_new_full(flow_hash, flow_equal, NULL, flow_owners_free);
	o->conns = g_hash_table_new_full(conn_hash, conn_equal, NULL, g_free);
	o->cmdlines =
	    g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, cmdline_entry_free);
	g_queue_init(&o->flow_order);
	g_queue_init(&o->conn_order);
	g_queue_init(&o->cmdline_order);
	o->max = MAX(max_entries, 1);
	o->cmdline_budget = cmdline_bytes;
	return o;
}

void ec_owners_free(struct ec_owners *o)
{
	if (!o)
		return;
	g_hash_table_destroy(o->flows);
	g_hash_table_destroy(o->conns);
	g_hash_table_destroy(o->cmdlines); /* the entries hold their own links */
	g_queue_clear(&o->flow_order);
	g_queue_clear(&o->conn_order);
	g_free(o);
}

const char *ec_owners_cmdline(struct ec_owners *o, uint32_t pid)
{
	struct cmdline_entry *c = g_hash_table_lookup(o->cmdlines, GUINT_TO_POINTER(pid));

	return c && c->cmdline ? c->cmdline->text : NULL;
}

static void cmdline_evict_oldest(struct ec_owners *o)
{
	struct cmdline_entry *c = g_queue_peek_head(&o->cmdline_order);

	g_queue_unlink(&o->cmdline_order, &c->link);
	g_hash_table_remove(o->cmdlines, GUINT_TO_POINTER(c->pid));
}

/*
 * P's command line, read into the cache: the least recently read entries go first when the cache
 * is full or the command lines alive would pass the budget. Those the flows still hold stay
 * until their flows go: if they alone fill the budget, this one is not kept (counted).
 */
static struct cmdline *cmdline_read(struct ec_owners *o, const struct ec_proc *p)
{
	size_t len = ec_cmdline_read(p->pid, o->read_buf);
	size_t need = sizeof(struct cmdline) + len + 1;

	if (!len)
		return NULL;
	while (o->cmdline_bytes + need > o->cmdline_budget && !g_queue_is_empty(&o->cmdline_order))
		cmdline_evict_oldest(o);
	if (o->cmdline_bytes + need > o->cmdline_budget) {
		o->cmdlines_not_kept++;
		return NULL;
	}
	return cmdline_new(o, o->read_buf, len);
}

static struct cmdline *learn(struct ec_owners *o, const struct ec_proc *p)
{
	struct cmdline_entry *c = g_hash_table_lookup(o->cmdlines, GUINT_TO_POINTER(p->pid));

	if (c && strncmp(c->comm, p->comm, EC_COMM_LEN) == 0)
		return c->cmdline;
	if (c) { /* the pid was reused: the same entry, read again */
		g_queue_unlink(&o->cmdline_order, &c->link);
		cmdline_unref(c->cmdline);
		c->cmdline = NULL;
	} else {
		while (g_hash_table_size(o->cmdlines) >= o->max)
			cmdline_evict_oldest(o);
		c = g_new0(struct cmdline_entry, 1);
		c->pid = p->pid;
		c->link.data = c;
		g_hash_table_insert(o->cmdlines, GUINT_TO_POINTER(p->pid), c);
	}
	memcpy(c->comm, p->comm, EC_COMM_LEN);
	/* Not in the queue while reading: the budget's eviction must not take this entry. */
	c->cmdline = cmdline_read(o, p);
	g_queue_push_tail_link(&o->cmdline_order, &c->link);
	return c->cmdline;
}

/* Read a process's command line once, while it is still running (a new process: a new read). */
const char *ec_owners_learn_cmdline(struct ec_owners *o, const struct ec_proc *p)
{
	struct cmdline *c = learn(o, p);

	return c ? c->text : NULL;
}

size_t ec_owners_cmdline_bytes(const struct ec_owners *o)
{
	return o->cmdline_bytes;
}

uint64_t ec_owners_cmdlines_not_kept(const struct ec_owners *o)
{
	return o->cmdlines_not_kept;
}

/* Bound a table by dropping its oldest entries (ORDER holds their keys). */
static void trim(GHashTable *table, GQueue *order, guint max)
{
	while (g_hash_table_size(table) > max && !g_queue_is_empty(order))
		g_hash_table_remove(table, g_queue_pop_head(order));
}

static struct flow_owners *flow_get(struct ec_owners *o, const struct ec_flow_key *flow)
{
	struct flow_owners *f = g_hash_table_lookup(o->flows, flow);

	if (!f) {
		f = g_new0(struct flow_owners, 1);
		f->key = *flow;
		g_hash_table_insert(o->flows, &f->key, f);
		g_queue_push_tail(&o->flow_order, &f->key);
		trim(o->flows, &o->flow_order, o->max);
	}
	return f;
}

void ec_owners_add_sock(struct ec_owners *o, const struct ec_sock_owner_event *ev)
{
	struct flow_owners *f = flow_get(o, &ev->flow);
	int side = ev->local_is_a ? 0 : 1;
	struct ec_owner *end = &f->end[side];

	f->have[side] = true;
	end->proc = ev->proc;
	end->fd = ev->fd;
	end->shared = ev->shared;
	end->other_pid = ev->shared ? ev->other_pid : 0;
	cmdline_unref(f->cmdline[side]);
	/* A shared end names no process: no command line either. */
	f->cmdline[side] = ev->shared ? NULL : cmdline_ref(learn(o, &ev->proc));
	end->cmdline = f->cmdline[side] ? f->cmdline[side]->text : NULL;
}

void ec_owners_add(struct ec_owners *o, const struct ec_conn_event *ev)
{
	struct conn_key ck = {.pid = ev->proc.pid, .ssl = ev->ssl};
	struct conn_entry *c;

	struct flow_owners *f = flow_get(o, &ev->flow);
	int side = ev->local_is_a ? 0 : 1;

	f->claimed = true;
	f->traced[side] = true;
	f->tracer[side].proc = ev->proc;
	f->tracer[side].fd = ev->fd;
	f->mark.filter_gen = 0; /* a new traced owner: the filters' verdict is made again */
	learn(o, &ev->proc); /* for its records (ec_owners_cmdline), read while it runs */
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

struct ec_flow_mark *ec_owners_mark(struct ec_owners *o, const struct ec_flow_key *flow,
                                    const struct ec_owner *ends[2])
{
	struct flow_owners *f = g_hash_table_lookup(o->flows, flow);

	if (!f || !f->claimed) /* sockets' owners alone: no traced process's connection */
		return NULL;
	for (int i = 0; i < 2; i++)
		ends[i] = f->traced[i] ? &f->tracer[i] : NULL;
	return &f->mark;
}

bool ec_owners_known(struct ec_owners *o, const struct ec_flow_key *flow)
{
	struct flow_owners *f = g_hash_table_lookup(o->flows, flow);

	return f && f->claimed;
}

const struct ec_conn *ec_owners_conn(struct ec_owners *o, uint32_t pid, uint64_t ssl)
{
	struct conn_key ck = {.pid = pid, .ssl = ssl};
	struct conn_entry *c = g_hash_table_lookup(o->conns, &ck);

	return c ? &c->conn : NULL;
}
