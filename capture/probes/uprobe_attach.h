/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way uprobes are attached: an entry and a return program put on the probe points of a
 * file (file offsets, each with a cookie that tells the programs what fired), in every process
 * or in those of the PID filter. With uprobe_multi (kernel >= 6.6, programs loaded for it by
 * probes/bpf_loader.c) that is one link per file, direction and process; otherwise one
 * perf-event uprobe per point.
 */
#ifndef EC_UPROBE_ATTACH_H
#define EC_UPROBE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include <glib.h>

enum ec_uprobe_dir {
	EC_UPROBE_ENTRY,
	EC_UPROBE_RETURN,
};

/* The probe points of one file. */
struct ec_uprobe_points {
	GArray *offs[2];    /* uint64_t file offsets, by enum ec_uprobe_dir */
	GArray *cookies[2]; /* uint64_t, one per offset */
};

void ec_uprobe_points_init(struct ec_uprobe_points *p);
void ec_uprobe_points_clear(struct ec_uprobe_points *p);

/* Whether P has a point at OFF in direction DIR. */
bool ec_uprobe_points_has(const struct ec_uprobe_points *p, enum ec_uprobe_dir dir, uint64_t off);

void ec_uprobe_points_add(struct ec_uprobe_points *p, enum ec_uprobe_dir dir, uint64_t off,
                          uint64_t cookie);

/* A function to probe, by its symbol. */
struct ec_uprobe_fn {
	const char *name;
	uint32_t kind; /* goes into the cookie with the target id */
	bool entry;    /* probe the entry */
	bool ret;      /* probe the return */
	bool optional; /* a file without it is fine */
};

/*
 * Add to P the entries and returns of FNS (only the entries if ENTRIES_ONLY) found in the symbol
 * tables of PATH, with the cookies EC_COOKIE(ID, kind). A missing function that is not
 * optional: -1 with ERR set.
 */
int ec_uprobe_points_add_fns(struct ec_uprobe_points *p, const char *path,
                             const struct ec_uprobe_fn *fns, size_t n_fns, uint32_t id,
                             bool entries_only, GError **err);

struct ec_uprobes;

/*
 * Kernels without uprobe cookies (< 5.15): the program PROG loaded for COOKIE alone
 * (probes/bpf_loader.c), or NULL with ERR set.
 */
typedef struct bpf_program *(*ec_uprobe_prog_for)(void *ctx, struct bpf_program *prog,
                                                  uint64_t cookie, GError **err);

/*
 * MULTI: the programs were loaded with expected_attach_type uprobe_multi. PROG_FOR (with CTX):
 * no cookies, each point gets the program PROG_FOR gives for its cookie; NULL: cookies.
 */
struct ec_uprobes *ec_uprobes_new(bool multi, ec_uprobe_prog_for prog_for, void *ctx);

/*
 * Put ENTRY on the entry points and RET on the return points of P in PATH, in each process of
 * PIDS (pid_t), or in every process when PIDS is NULL or empty: with a filter, the other
 * processes never pay for a breakpoint. All or none: on error nothing of this call stays.
 */
int ec_uprobes_attach(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                      const char *path, const struct ec_uprobe_points *p, const GArray *pids,
                      GError **err);

/* Detach everything attached so far. */
void ec_uprobes_detach_all(struct ec_uprobes *u);

/* Detach everything and free U (NULL: nothing). */
void ec_uprobes_free(struct ec_uprobes *u);

#endif
