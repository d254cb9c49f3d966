/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an audit module (shell, database server) traces: its targets (struct ec_audit_target,
 * indexed by the cookie's target id) and the probe points in each file (a target may probe a
 * library too, as bash its libreadline), all for one entry and one return program.
 */
#ifndef EC_AUDIT_PLAN_H
#define EC_AUDIT_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include <glib.h>
#include <linux/types.h>

#include "ecapture/events.h"
#include "probes/uprobe_attach.h"
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

/* The files to probe, each with its probe points. */
guint ec_audit_plan_n_files(const struct ec_audit_plan *p);
const char *ec_audit_plan_file_path(const struct ec_audit_plan *p, guint i);
const struct ec_uprobe_points *ec_audit_plan_file_points(const struct ec_audit_plan *p, guint i);

#endif
