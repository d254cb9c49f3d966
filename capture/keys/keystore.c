// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The key store: secrets by client random, each (client random, label) handed out once. A hash
 * table finds the entry; a queue in merge order (oldest first) bounds the size, the entry moving
 * to the tail on each merge, so both are O(1).
 */
#include "keys/keystore.h"

#include <string.h>

struct entry {
	struct ec_tls_secrets s; /* s.have: every label ever returned for this random */
	uint64_t merged_ns;      /* time of the last merge */
	GList link;              /* in ec_keystore.lru; data points back here */
};

struct ec_keystore {
	GHashTable *by_random; /* client_random (in the entry) -> struct entry */
	GQueue lru;            /* least recently merged first */
	guint max_entries;
};

/* Client randoms are random, except that old TLS clients put the time in the first 4 bytes. */
static guint random_hash(gconstpointer key)
{
	uint32_t w[8], h = 0;

	memcpy(w, key, sizeof(w));
	for (int i = 0; i < 8; i++)
		h = (h ^ w[i]) * 0x9E3779B1u;
	return h;
}

static gboolean random_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 32) == 0;
}

struct ec_keystore *ec_keystore_new(guint max_entries)
{
	struct ec_keystore *ks = g_new0(struct ec_keystore, 1);

	ks->by_random = g_hash_table_new_full(random_hash, random_equal, NULL, g_free);
	g_queue_init(&ks->lru);
	ks->max_entries = MAX(max_entries, 1);
	return ks;
}

void ec_keystore_free(struct ec_keystore *ks)
{
	if (!ks)
		return;
	g_hash_table_destroy(ks->by_random); /* frees the entries, and with them the queue links */
	g_free(ks);
}

static void evict_oldest(struct ec_keystore *ks)
{
	GList *oldest = ks->lru.head;
	struct entry *e = oldest->data;

	g_queue_unlink(&ks->lru, oldest);
	g_hash_table_remove(ks->by_random, e->s.client_random);
}

uint32_t ec_keystore_merge(struct ec_keystore *ks, const struct ec_tls_secrets *s, uint64_t now_ns)
{
	struct entry *e = g_hash_table_lookup(ks->by_random, s->client_random);
	uint32_t fresh;

	if (!e) {
		if (!s->have)
			return 0;
		e = g_new0(struct entry, 1);
		memcpy(e->s.client_random, s->client_random, sizeof(e->s.client_random));
		e->link.data = e;
		g_hash_table_insert(ks->by_random, e->s.client_random, e);
	} else {
		g_queue_unlink(&ks->lru, &e->link);
	}
	g_queue_push_tail_link(&ks->lru, &e->link);
	e->merged_ns = now_ns;

	fresh = s->have & ~e->s.have & (EC_KL_BIT(EC_KL_COUNT) - 1);
	for (int l = 0; l < EC_KL_COUNT; l++) {
		if (!(fresh & EC_KL_BIT(l)))
			continue;
		e->s.len[l] = MIN(s->len[l], sizeof(e->s.secret[l]));
		memcpy(e->s.secret[l], s->secret[l], e->s.len[l]);
	}
	e->s.have |= fresh;

	while (ks->lru.length > ks->max_entries)
		evict_oldest(ks);
	return fresh;
}

const struct ec_tls_secrets *ec_keystore_lookup(struct ec_keystore *ks,
                                                const uint8_t client_random[32])
{
	struct entry *e = g_hash_table_lookup(ks->by_random, client_random);

	return e ? &e->s : NULL;
}

guint ec_keystore_expire(struct ec_keystore *ks, uint64_t before_ns)
{
	guint n = 0;

	/* the queue is in merge order, so with a monotonic clock the old ones are at the head */
	while (ks->lru.head && ((struct entry *)ks->lru.head->data)->merged_ns < before_ns) {
		evict_oldest(ks);
		n++;
	}
	return n;
}

guint ec_keystore_size(const struct ec_keystore *ks)
{
	return ks->lru.length;
}
