/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Putting an entry and a return program on a set of functions of one file, the cookie of each
 * probe telling the programs which function fired. With uprobe_multi (kernel >= 6.6, programs
 * loaded for it) that is two links per file; otherwise one perf-event uprobe per function.
 */
#ifndef EC_UPROBE_ATTACH_H
#define EC_UPROBE_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include <glib.h>

struct ec_uprobe_fn {
	const char *name;
	uint32_t kind; /* goes into the cookie with the library id */
	bool entry;    /* probe the entry */
	bool ret;      /* probe the return */
	bool optional; /* a library without it is fine */
};

struct ec_uprobes;

/* MULTI: the programs were loaded with expected_attach_type uprobe_multi. */
struct ec_uprobes *ec_uprobes_new(bool multi);

/*
 * Probe FNS in PATH (only in process PID if PID > 0), cookies EC_COOKIE(LIB_ID, kind). All of
 * them or none: on error nothing of this call stays attached.
 */
int ec_uprobes_attach(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                      const char *path, const struct ec_uprobe_fn *fns, size_t n_fns,
                      uint32_t lib_id, pid_t pid, GError **err);

/*
 * Put PROG, an entry-type uprobe program, at N file OFFSETS of PATH (only in process PID if
 * PID > 0), with one cookie each: for probe points that are no function entry (the RET
 * instructions of Go functions), or functions found without a symbol table. All or none.
 */
int ec_uprobes_attach_offsets(struct ec_uprobes *u, struct bpf_program *prog, const char *path,
                              const uint64_t *offsets, const uint64_t *cookies, size_t n,
                              pid_t pid, GError **err);

/* Detach everything. */
void ec_uprobes_free(struct ec_uprobes *u);

#endif
