/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one loader of the capture's BPF objects (every module's; the packet capture has its own,
 * probes/tc_packets.c): open the object a skeleton built into the binary, size its maps, point
 * it at the shared maps (probes/bpf_shared.h), load it with its uprobe programs made for
 * uprobe_multi links or for perf uprobes, and hand out the attacher that fits
 * (probes/uprobe_attach.h).
 */
#ifndef EC_BPF_LOADER_H
#define EC_BPF_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include <glib.h>

#include "probes/bpf_shared.h"
#include "probes/uprobe_attach.h"

/* A map whose size is chosen at load time. */
struct ec_bpf_map_size {
	const char *name;
	uint32_t max_entries;
};

/* What to load. */
struct ec_bpf_object_spec {
	const char *what;                       /* "OpenSSL": for messages */
	const char *name;                       /* the object's name ("openssl_bpf") */
	const void *(*elf_bytes)(size_t *size); /* the skeleton's object */
	const char *entry, *ret;                /* its entry and return programs (NULL: none) */
	const struct ec_bpf_map_size *sizes;    /* maps sized at load */
	size_t n_sizes;
};

/* A loaded object. */
struct ec_bpf_loaded {
	struct bpf_object *obj;
	struct bpf_program *entry, *ret; /* NULL when the spec names none */
	struct ec_uprobes *uprobes;      /* attaches the way the programs were loaded for */
};

/*
 * Load SPEC into *L on the capture's shared maps, its uprobe programs loaded for uprobe_multi
 * where the kernel takes them (6.6+), else for one perf uprobe per probe point.
 * ECAPTURE_NO_UPROBE_MULTI=1 makes it perf uprobes on any kernel (the tests use it).
 * Returns 0, or -1 with ERR set and *L cleared.
 */
int ec_bpf_load(struct ec_bpf_loaded *l, const struct ec_bpf_object_spec *spec,
                struct ec_bpf_shared *shared, GError **err);

/* Detach everything attached through L->uprobes and unload; *L is cleared (a no-op then). */
void ec_bpf_unload(struct ec_bpf_loaded *l);

/* L's map NAME, or NULL with ERR set. */
struct bpf_map *ec_bpf_map(const struct ec_bpf_loaded *l, const char *name, GError **err);

#endif
