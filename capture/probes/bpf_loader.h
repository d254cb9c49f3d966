/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one loader of the capture's BPF objects (every module's, and the packet capture's in
 * probes/tc_packets.c): probe what the kernel offers (ec_bpf_kernel), open the object a skeleton
 * built into the binary, leave out the program variants this kernel does not take, size its maps,
 * set its feature flags, point it at the shared maps (probes/bpf_shared.h), load it with its
 * uprobe programs made for uprobe_multi links or for perf uprobes, and hand out the attacher that
 * fits (probes/uprobe_attach.h): without uprobe cookies (< 5.15) it loads a program per probe
 * point's cookie on demand.
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
	const char *const *skip; /* programs not loaded (NULL-terminated; NULL: none), variants */
};

/* A loaded object. */
struct ec_bpf_loaded {
	struct bpf_object *obj;
	struct bpf_program *entry, *ret; /* NULL when the spec names none */
	struct ec_uprobes *uprobes;      /* attaches the way the programs were loaded for */
	const struct ec_bpf_object_spec *spec;
	GHashTable *clones; /* kernels without uprobe cookies: cookie (hex) -> its own object */
};

/*
 * What this kernel offers the programs, probed once (never chosen by version number): each
 * missing feature has a fallback, chosen at load (read-only data, which programs load) or at
 * attach time; only BTF, the ring buffer and uprobes are required.
 */
struct ec_bpf_kernel {
	bool btf;          /* /sys/kernel/btf/vmlinux (CO-RE) */
	bool ringbuf;      /* BPF_MAP_TYPE_RINGBUF (5.8) */
	bool uprobes;      /* the uprobe perf event type */
	bool uprobe_multi; /* uprobe_multi links (6.6); else one perf uprobe per point */
	bool cookie;       /* bpf_get_attach_cookie (5.15); else one program per probe point */
	bool task_pt_regs; /* bpf_task_pt_regs (5.15); else the registers from the kernel stack */
	bool atomic_fetch; /* BPF atomic fetch (5.12); else the tc programs without it */
	bool tcx;          /* tcx links (6.6); else a clsact qdisc */
	bool sock_tp;      /* the sock_send/recv_length tracepoints (6.3); else sys_enter */
	bool memcg; /* BPF memory charged to the memory cgroup (5.11); else to RLIMIT_MEMLOCK */
	unsigned long long memlock_kib; /* without memcg: this process's limit (0: unlimited) */
	char why_multi[96];             /* why not uprobe_multi */
};

/* This kernel's features (probed at the first call; the probes need the capture's rights). */
const struct ec_bpf_kernel *ec_bpf_kernel(void);

/* FALSE with ERR set (one line: what is missing and what to do) if no capture can run here. */
gboolean ec_bpf_kernel_usable(GError **err);

/* What this kernel gets, one line per choice ("uprobes: perf (uprobe_multi unsupported: ...)"). */
char *ec_bpf_kernel_describe(void);

/* ERR: "cannot load the WHAT BPF programs: <errno text>", and when RC is -EPERM on a kernel that
 * charges BPF memory to RLIMIT_MEMLOCK (before 5.11), what the limit is and how to raise it. */
void ec_bpf_load_error(GError **err, const char *what, int rc);

/* Point OBJ's programs at what this kernel has, before load: its read-only feature flags. */
void ec_bpf_kernel_apply(struct bpf_object *obj);

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
