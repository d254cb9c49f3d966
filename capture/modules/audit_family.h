/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit family: what every audit module (bash, zsh, mysqld, postgres) shares. Find the
 * program files, plan their probes (modules/audit_plan.h), load the BPF object, attach,
 * describe, destroy. A module supplies a description and the function that plans one file.
 */
#ifndef EC_AUDIT_FAMILY_H
#define EC_AUDIT_FAMILY_H

#include <stddef.h>
#include <glib.h>

#include "capture_opts.h"
#include "modules/audit_plan.h"
#include "probes/bpf_loader.h"

struct ec_audit_module_desc {
	const char *program;          /* "mysqld": the program looked for, and its option */
	const char *const *std_paths; /* where it is installed (globs) */
	const char *const *names;     /* its names among running processes */
	const char *label;            /* "MySQL/MariaDB", in the capture's description */
	const char *unit;             /* "server executable" */
	const char *not_found; /* the error when nothing can be traced (NULL: a generic one) */
	struct ec_bpf_object_spec object; /* its BPF object, with an entry and a return program */
	/* Add the program file PATH to PLAN (one target and its probe points). */
	int (*plan)(struct ec_audit_plan *plan, const char *path, const void *data,
	            const struct ec_capture_opts *o, GError **err);
	const void *data; /* handed to plan */
};

/*
 * Load D's module: the program files found (OVERRIDE, the path the user named, instead of the
 * installed and running ones), planned and loaded. A file that cannot be planned follows
 * ec_target_unusable. Returns the module's state, NULL with ERR set.
 */
void *ec_audit_module_load(const struct ec_audit_module_desc *d, const char *override,
                           struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                           GError **err);

/* struct ec_module_ops' list for D: the files load would plan, each traced or skipped. */
int ec_audit_module_list(const struct ec_audit_module_desc *d, const char *override,
                         const struct ec_capture_opts *o, GPtrArray *rows, GError **err);

/* struct ec_module_ops' attach, describe and destroy for any audit module. */
int ec_audit_module_attach(void *state, const struct ec_capture_opts *o, GError **err);
char *ec_audit_module_describe(void *state);
guint ec_audit_module_n_traced(void *state);
void ec_audit_module_destroy(void *state);

/*
 * The struct ec_module_ops VAR, named NAME, of the audit module DESC: wanted for the capture
 * source SRC; OPTS_FIELD is the capture option naming a program to trace instead.
 */
#define EC_AUDIT_MODULE(var, name_, desc, src, opts_field)                                         \
	static bool var##_wanted(const struct ec_capture_opts *o)                                  \
	{                                                                                          \
		return o->source == (src);                                                         \
	}                                                                                          \
	static void *var##_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,     \
	                        GError **err)                                                      \
	{                                                                                          \
		return ec_audit_module_load(&(desc), o->opts_field, shared, o, err);               \
	}                                                                                          \
	static int var##_list(const struct ec_capture_opts *o, GPtrArray *rows, GError **err)      \
	{                                                                                          \
		return ec_audit_module_list(&(desc), o->opts_field, o, rows, err);                 \
	}                                                                                          \
	const struct ec_module_ops var = {                                                         \
	    .name = name_,                                                                         \
	    .wanted = var##_wanted,                                                                \
	    .load = var##_load,                                                                    \
	    .list = var##_list,                                                                    \
	    .attach = ec_audit_module_attach,                                                      \
	    .describe = ec_audit_module_describe,                                                  \
	    .n_traced = ec_audit_module_n_traced,                                                  \
	    .destroy = ec_audit_module_destroy,                                                    \
	}

#endif
