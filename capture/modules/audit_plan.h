/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an audit module (shell, database server) traces: its targets (struct ec_audit_target,
 * indexed by the cookie's target id) and the probe points in each file, attached all at once
 * with one entry and one return program. With uprobe_multi (kernel >= 6.6) that is two links per
 * file; otherwise one perf-event uprobe per point.
 */
#ifndef EC_AUDIT_PLAN_H
#define EC_AUDIT_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include <glib.h>
#include <linux/types.h>

#include "ecapture/events.h"
#include "targets/sym_table.h"

struct ec_audit_plan;

struct ec_audit_plan *ec_audit_plan_new(void);
void ec_audit_plan_free(struct ec_audit_plan *p);

/*
 * A new target for the program at PATH (for messages: WHAT, e.g. "bash 5.2"); its
 * configuration is zeroed. Returns the target id, or -1 when EC_AUDIT_MAX_TARGETS are in use.
 */
int ec_audit_plan_add_target(struct ec_audit_plan *p, const char *path, const char *what);
struct ec_audit_target *ec_audit_plan_target(struct ec_audit_plan *p, int id);
guint ec_audit_plan_n_targets(const struct ec_audit_plan *p);
const char *ec_audit_plan_target_what(const struct ec_audit_plan *p, int id);

/*
 * Probe SYM of the file PATH as KIND for target ID: at its entry and/or return. Records the
 * symbol's st_value in the target's fn_vaddr[KIND] when PATH is the target's own file.
 */
int ec_audit_plan_probe(struct ec_audit_plan *p, int id, const char *path, const struct ec_sym *sym,
                        uint32_t kind, bool entry, bool ret, GError **err);

/* Write every target into the BPF array map MAP (ec_audit_targets). */
int ec_audit_plan_write_targets(const struct ec_audit_plan *p, struct bpf_map *map, GError **err);

/*
 * Attach every probe point: ENTRY/RET loaded for uprobe_multi if MULTI; only in the processes of
 * PIDS (pid_t) if it is not empty. Nothing stays attached on error.
 */
int ec_audit_plan_attach(struct ec_audit_plan *p, struct bpf_program *entry,
                         struct bpf_program *ret, bool multi, GArray *pids, GError **err);

/* Detach everything attached. */
void ec_audit_plan_detach(struct ec_audit_plan *p);

/* An audit module's BPF object: one entry and one return program. */
struct ec_audit_obj {
	struct bpf_object *obj;
	struct bpf_program *entry, *ret;
	bool multi; /* the programs were loaded for uprobe_multi links */
};

/* A map whose size is chosen at load time. */
struct ec_audit_map_size {
	const char *name;
	uint32_t max_entries;
};

struct ec_bpf_shared;

/*
 * Open the BPF object ELF (SIZE bytes, a skeleton's elf_bytes) as NAME, size its maps, share the
 * common ones through SHARED and load it, its programs ENTRY and RET for uprobe_multi if the
 * kernel has it (else for perf-event uprobes).
 */
int ec_audit_obj_load(struct ec_audit_obj *o, const void *elf, size_t size, const char *name,
                      const char *entry, const char *ret, const struct ec_audit_map_size *sizes,
                      size_t n_sizes, struct ec_bpf_shared *shared, GError **err);
void ec_audit_obj_close(struct ec_audit_obj *o);

#endif
