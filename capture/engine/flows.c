// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/flows.h"

#include <string.h>

struct ec_flows {
	GHashTable *by_key;    /* struct ec_flow_key * -> struct ec_flow * (owns the flows) */
	GHashTable *by_random; /* client random -> struct ec_flow * (waiting flows only) */
	GQueue waiting;        /* oldest first */
	GQueue decided;        /* decided first, first */
	size_t held_bytes;
};

static guint key_hash(gconstpointer p)
{
	const struct ec_flow_key *k = p;
	guint h = 2166136261u; /* FNV-1a over the fixed-size key */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ ((const uint8_t *)k)[i]) * 16777619u;
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ec_flow_key)) == 0;
}

static guint random_hash(gconstpointer p)
{
	guint h;

	/* Client randoms are random: any 4 of their bytes make a good hash. */
	memcpy(&h, (const uint8_t *)p + 4, sizeof(h));
	return h;
}

static gboolean random_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, EC_RANDOM_LEN) == 0;
}

static void unlink_flow(struct ec_flows *t, struct ec_flow *f)
{
	g_queue_unlink(f->hold == EC_HOLD_WAITING ? &t->waiting : &t->decided, &f->node);
	if (f->have_random && ec_flows_by_random(t, f->client_random) == f)
		g_hash_table_remove(t->by_random, f->client_random);
	if (f->held) {
		t->held_bytes -= f->held->len;
		g_byte_array_unref(f->held);
		f->held = NULL;
	}
}

static void flow_free(gpointer p)
{
	g_free(p);
}

struct ec_flows *ec_flows_new(void)
{
	struct ec_flows *t = g_new0(struct ec_flows, 1);

	t->by_key = g_hash_table_new_full(key_hash, key_equal, NULL, flow_free);
	t->by_random = g_hash_table_new(random_hash, random_equal);
	g_queue_init(&t->waiting);
	g_queue_init(&t->decided);
	return t;
}

void ec_flows_free(struct ec_flows *t)
{
	GHashTableIter it;
	gpointer v;

	if (!t)
		return;
	g_hash_table_iter_init(&it, t->by_key);
	while (g_hash_table_iter_next(&it, NULL, &v))
		unlink_flow(t, v);
	g_hash_table_destroy(t->by_key);
	g_hash_table_destroy(t->by_random);
	g_free(t);
}

struct ec_flow *ec_flows_lookup(struct ec_flows *t, const struct ec_flow_key *key)
{
	return g_hash_table_lookup(t->by_key, key);
}

struct ec_flow *ec_flows_start(struct ec_flows *t, const struct ec_flow_key *key, uint64_t now)
{
	struct ec_flow *old = ec_flows_lookup(t, key);
	struct ec_flow *f;

	if (old) {
		unlink_flow(t, old);
		g_hash_table_remove(t->by_key, key);
	}
	f = g_new0(struct ec_flow, 1);
	f->key = *key;
	f->hold = EC_HOLD_WAITING;
	f->held = g_byte_array_new();
	f->created_ns = now;
	f->node.data = f;
	g_queue_push_tail_link(&t->waiting, &f->node);
	g_hash_table_insert(t->by_key, &f->key, f);
	return f;
}

void ec_flows_set_random(struct ec_flows *t, struct ec_flow *f, const uint8_t *random)
{
	memcpy(f->client_random, random, EC_RANDOM_LEN);
	f->have_random = true;
	g_hash_table_replace(t->by_random, f->client_random, f);
}

struct ec_flow *ec_flows_by_random(struct ec_flows *t, const uint8_t *random)
{
	return g_hash_table_lookup(t->by_random, random);
}

void ec_flows_held_add(struct ec_flows *t, struct ec_flow *f, size_t len)
{
	t->held_bytes += len;
	f->held_pkts++;
}

size_t ec_flows_held_bytes(const struct ec_flows *t)
{
	return t->held_bytes;
}

void ec_flows_decide(struct ec_flows *t, struct ec_flow *f, enum ec_hold verdict, uint64_t now)
{
	g_return_if_fail(f->hold == EC_HOLD_WAITING && verdict != EC_HOLD_WAITING);
	unlink_flow(t, f);
	f->hold = verdict;
	f->decided_ns = now;
	g_queue_push_tail_link(&t->decided, &f->node);
}

struct ec_flow *ec_flows_oldest_waiting(struct ec_flows *t)
{
	GList *head = g_queue_peek_head_link(&t->waiting);

	return head ? head->data : NULL;
}

void ec_flows_expire(struct ec_flows *t, uint64_t not_after)
{
	GList *head;

	while ((head = g_queue_peek_head_link(&t->decided))) {
		struct ec_flow *f = head->data;

		if (f->decided_ns >= not_after)
			break;
		unlink_flow(t, f);
		g_hash_table_remove(t->by_key, &f->key);
	}
}

guint ec_flows_count(const struct ec_flows *t)
{
	return g_hash_table_size(t->by_key);
}

guint ec_flows_waiting(const struct ec_flows *t)
{
	return t->waiting.length;
}
