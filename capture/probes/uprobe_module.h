/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the uprobe-based TLS modules (OpenSSL, GnuTLS, NSS, Go) share: loading their BPF
 * skeleton for uprobe_multi or perf uprobes, probing a file once per PID of the filter, and
 * the rule for a file that cannot be probed.
 */
#ifndef EC_UPROBE_MODULE_H
#define EC_UPROBE_MODULE_H

#include <sys/types.h>
#include <bpf/libbpf.h>
#include <glib.h>

#include "probes/bpf_shared.h"
#include "targets/libraries.h"
#include "probes/uprobe_attach.h"

/* A bpftool skeleton seen through its type-specific functions (EC_UPROBE_SKEL makes one). */
struct ec_uprobe_skel {
	const char *what; /* "GnuTLS": for messages */
	void *(*open)(void);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	struct bpf_object *(*object)(void *skel);
};

#define EC_UPROBE_SKEL(var, name, what_)                                                           \
	static void *var##_open(void)                                                              \
	{                                                                                          \
		return name##__open();                                                             \
	}                                                                                          \
	static int var##_load(void *s)                                                             \
	{                                                                                          \
		return name##__load(s);                                                            \
	}                                                                                          \
	static void var##_destroy(void *s)                                                         \
	{                                                                                          \
		name##__destroy(s);                                                                \
	}                                                                                          \
	static struct bpf_object *var##_object(void *s)                                            \
	{                                                                                          \
		return ((struct name *)s)->obj;                                                    \
	}                                                                                          \
	static const struct ec_uprobe_skel var = {what_, var##_open, var##_load, var##_destroy,    \
	                                          var##_object}

/*
 * Open and load K's object on the capture's shared maps, its uprobe programs loaded for
 * uprobe_multi where the kernel takes them (6.6+; ECAPTURE_NO_UPROBE_MULTI=1 refuses them on
 * any kernel, the tests use it), else for one perf uprobe per probe point. Returns the
 * skeleton, with in *UPROBES the attacher that fits it; NULL on error.
 */
void *ec_uprobe_skel_load(const struct ec_uprobe_skel *k, struct ec_bpf_shared *shared,
                          struct ec_uprobes **uprobes, GError **err);

/*
 * ec_uprobes_attach of FILE in each process of PIDS, the PID filter (pid_t), or in every
 * process when it is empty: with a filter, the other processes never pay for a breakpoint.
 * Returns 1 when probed; when not, as ec_probe_failed: 0 (a warning) or -1 (ERR).
 */
int ec_probe_file(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                  const struct ec_target_file *file, const struct ec_uprobe_fn *fns, size_t n_fns,
                  uint32_t lib_id, const GArray *pids, GError **err);

/*
 * FILE could not be probed (*AERR says why). A file the user named is an error: moved to ERR,
 * returns -1. A file that was found is left out with a warning: returns 0.
 */
int ec_probe_failed(const struct ec_target_file *file, GError **aerr, GError **err);

#endif
