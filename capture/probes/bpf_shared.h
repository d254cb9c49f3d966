/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The maps every BPF object of a capture shares (bpf/maps.bpf.h). The first object loaded
 * creates them; every later object is pointed at the same maps before it loads.
 */
#ifndef EC_BPF_SHARED_H
#define EC_BPF_SHARED_H

#include <stddef.h>
#include <bpf/libbpf.h>
#include <glib.h>

enum ec_shared_map {
	EC_MAP_EVENTS,
	EC_MAP_FLOWS,
	EC_MAP_CONFIG,
	EC_MAP_FILTER_PIDS,
	EC_MAP_STATS,
	EC_MAP_TLS_CALLS,
	EC_MAP_TLS_FDS,
	EC_MAP_COUNT,
};

struct ec_bpf_shared {
	int fd[EC_MAP_COUNT]; /* -1 until created */
	size_t ringbuf_bytes;
};

void ec_bpf_shared_init(struct ec_bpf_shared *s, size_t ringbuf_bytes);

/* Before bpf_object__load: reuse the maps that exist, size the ones this object will create. */
int ec_bpf_shared_prepare(struct ec_bpf_shared *s, struct bpf_object *obj, GError **err);

/* After a successful load: remember the maps this object created. */
int ec_bpf_shared_adopt(struct ec_bpf_shared *s, struct bpf_object *obj, GError **err);

void ec_bpf_shared_close(struct ec_bpf_shared *s);

#endif
