/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS family: what every uprobe-based TLS module (OpenSSL, GnuTLS, NSS, Go) shares. Find
 * the files, plan each one as a target (its probe points, its layout for the probes), load the
 * BPF object, attach, describe, destroy. A module supplies a description: what to find and how
 * to plan one file. The target's index is the id in the probes' cookies.
 */
#ifndef EC_TLS_FAMILY_H
#define EC_TLS_FAMILY_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "capture_opts.h"
#include "modules/module.h"
#include "probes/bpf_loader.h"
#include "targets/target_file.h"

/* One file to trace. */
struct ec_tls_target {
	const struct ec_target_file *file;
	struct ec_uprobe_points points;
	void *layout;     /* written at the target's id into the module's layout map (g_free) */
	const char *note; /* after the path in the "tracing" message (NULL: nothing) */
	char *version;    /* what the file says it is, e.g. "OpenSSL 3.0.17 1 Jul 2025" (g_free) */
	char *keys;       /* where its keys come from, e.g. "layout calibrated" (g_free) */
	bool plaintext;   /* set before plan(): the capture wants plaintext */
	/* Without plaintext: the entries of the data calls, probed only in the processes that ask
	 * (ec_data_calls_event: they handshake inside those calls). */
	struct ec_uprobe_points data_points;
};

/*
 * Add the data calls FNS of T's file (as target ID): with plaintext, entries and returns to
 * T->points; else their entries to T->data_points. -1 with ERR as ec_uprobe_points_add_fns.
 */
int ec_tls_target_add_data_fns(struct ec_tls_target *t, const struct ec_uprobe_fn *fns,
                               size_t n_fns, uint32_t id, GError **err);

struct ec_tls_module_desc {
	const char *label;        /* "OpenSSL": in the capture's description */
	const char *unit, *units; /* "library", "libraries" */
	const char *tracing;      /* "tracing " TRACING path: "", "GnuTLS " */
	unsigned tls_lib;         /* its EC_TLSLIB_ flag */
	unsigned source;          /* its EC_RECORD_SRC_: the source its probes' events carry */
	struct ec_bpf_object_spec object;
	const char *layout_map; /* an array map of layouts by target id (NULL: none) */
	bool required;          /* an error when no file could be probed */
	/* The candidate files (struct ec_target_file *); NULL with ERR on an error. */
	GPtrArray *(*find)(const struct ec_capture_opts *o, GError **err);
	/*
	 * The candidate files process PID maps now, for libraries that appear after the capture
	 * started (NULL: the module does not follow them).
	 */
	GPtrArray *(*find_in_process)(pid_t pid);
	/*
	 * Plan T->file as target ID: its points (cookies EC_COOKIE(ID, kind)), layout and note.
	 * 1: to be traced. 0: not for this module, skipped quietly. -1 with ERR: it cannot be
	 * traced (ec_target_unusable decides what that means).
	 */
	int (*plan)(struct ec_tls_target *t, uint32_t id, GError **err);
};

bool ec_tls_module_wanted(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o);

/* struct ec_module_ops' load for D; NULL with ERR unset when no file was found or usable. */
void *ec_tls_module_load(const struct ec_tls_module_desc *d, struct ec_bpf_shared *shared,
                         const struct ec_capture_opts *o, GError **err);

/* struct ec_module_ops' adopt: trace the files of D that process PID maps and were not traced. */
int ec_tls_module_adopt(void *state, const struct ec_capture_opts *o, pid_t pid,
                        struct ec_holds *hold, GError **err);

/* struct ec_module_ops' resume: trace the files whose calibration has ended. */
int ec_tls_module_resume(void *state, const struct ec_capture_opts *o, GError **err);

/* struct ec_module_ops' data_calls: probe the data calls of target LIB_ID in process PID. */
int ec_tls_module_data_calls(void *state, const struct ec_capture_opts *o, pid_t pid,
                             uint32_t source, uint32_t lib_id, GError **err);

/* struct ec_module_ops' list for D: every file found, planned, without loading anything. */
int ec_tls_module_list(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o,
                       GPtrArray *rows, GError **err);

/* struct ec_module_ops' attach, describe and destroy for any TLS module. */
int ec_tls_module_attach(void *state, const struct ec_capture_opts *o, GError **err);
char *ec_tls_module_describe(void *state);
guint ec_tls_module_n_traced(void *state);
void ec_tls_module_destroy(void *state);

/* The struct ec_module_ops VAR, named NAME, of the TLS module DESC. */
#define EC_TLS_MODULE(var, name_, desc)                                                            \
	static bool var##_wanted(const struct ec_capture_opts *o)                                  \
	{                                                                                          \
		return ec_tls_module_wanted(&(desc), o);                                           \
	}                                                                                          \
	static void *var##_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,     \
	                        GError **err)                                                      \
	{                                                                                          \
		return ec_tls_module_load(&(desc), shared, o, err);                                \
	}                                                                                          \
	static int var##_list(const struct ec_capture_opts *o, GPtrArray *rows, GError **err)      \
	{                                                                                          \
		return ec_tls_module_list(&(desc), o, rows, err);                                  \
	}                                                                                          \
	const struct ec_module_ops var = {                                                         \
	    .name = name_,                                                                         \
	    .tls = true,                                                                           \
	    .wanted = var##_wanted,                                                                \
	    .load = var##_load,                                                                    \
	    .list = var##_list,                                                                    \
	    .adopt = ec_tls_module_adopt,                                                          \
	    .resume = ec_tls_module_resume,                                                        \
	    .data_calls = ec_tls_module_data_calls,                                                \
	    .attach = ec_tls_module_attach,                                                        \
	    .describe = ec_tls_module_describe,                                                    \
	    .n_traced = ec_tls_module_n_traced,                                                    \
	    .destroy = ec_tls_module_destroy,                                                      \
	}

#endif
