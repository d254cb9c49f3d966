/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS secrets by client random (keystore.c), each (client random, label) handed out once. */
#ifndef EC_KEYSTORE_H
#define EC_KEYSTORE_H

#include <stdint.h>
#include <glib.h>

#include "keys/keylog.h"

/*
 * Secrets by client random, bounded to MAX_ENTRIES sessions: beyond that the least recently
 * merged sessions are forgotten (O(1) per merge). A forgotten session that shows up again is
 * new to the store, so its labels are handed out again.
 */
struct ec_keystore;

struct ec_keystore *ec_keystore_new(guint max_entries);
void ec_keystore_free(struct ec_keystore *ks);

/*
 * Merge S into the entry of S->client_random (created when S has anything). Returns the labels
 * of S never returned before for that client random: each (client random, label) pair is
 * returned once. A label already known keeps its first value. NOW_NS is the time of the merge
 * (kept with the entry); every merge makes the entry the most recent.
 */
uint32_t ec_keystore_merge(struct ec_keystore *ks, const struct ec_tls_secrets *s, uint64_t now_ns);

/* Everything known for CLIENT_RANDOM (the union of its merges), or NULL. */
const struct ec_tls_secrets *ec_keystore_lookup(struct ec_keystore *ks,
                                                const uint8_t client_random[32]);

/*
 * Forget the sessions last merged before BEFORE_NS (with NOW_NS values from a monotonic clock);
 * returns how many.
 */
guint ec_keystore_expire(struct ec_keystore *ks, uint64_t before_ns);

/* Sessions held. */
guint ec_keystore_size(const struct ec_keystore *ks);

#endif
