// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go crypto/tls: the Go programs among the running processes (and those named with --gobin),
 * probed at the points capture/targets/go_target.c finds (bpf/go_tls.bpf.c). Go links
 * crypto/tls into each executable, so each program file is probed on its own; a program
 * started later from an already-probed file is covered too (uprobes belong to the file).
 */
#include <linux/types.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "ecapture/record.h"
#include "go_tls.skel.h"
#include "modules/tls_family.h"
#include "targets/go_elf.h"
#include "targets/go_target.h"
#include "targets/processes.h"

static GPtrArray *find(const struct ec_capture_opts *o, GError **err)
{
	return ec_find_exes((const char *const *)o->gobin, err);
}

static GPtrArray *find_in_process(pid_t pid)
{
	return ec_find_exe_of_process(pid);
}

/* A Go program with crypto/tls: its probe points (all entry-type; see go_target.h). */
static int plan(struct ec_tls_target *t, uint32_t id, GError **err)
{
	g_autoptr(GError) perr = NULL;
	struct ec_go_target g = {0};
	int rc = ec_go_target_plan(t->file->path, &g, &perr);

	if (rc < 0 || (rc == 0 && t->file->requested)) {
		if (!perr)
			g_set_error(&perr, EC_ERROR, EC_ERROR_UNSUPPORTED,
			            "%s is no Go program that uses crypto/tls", t->file->path);
		g_propagate_error(err, g_steal_pointer(&perr));
		return -1;
	}
	if (rc == 0)
		return 0;
	g_info("%s: Go %s, %s ABI, %u probe points%s%s", t->file->path,
	       g.version ? g.version : "(version unknown)",
	       g.abi == EC_GO_ABI_REG ? "register" : "stack", g.offsets->len,
	       g.keys ? ", keys" : "", g.data ? ", plaintext" : "");
	t->version = g_strdup(g.version);
	t->keys = g.keys ? g_strdup_printf("from crypto/tls's key log calls, %s ABI",
	                                   g.abi == EC_GO_ABI_REG ? "register" : "stack")
	                 : g_strdup("none, plaintext only");
	for (guint i = 0; i < g.offsets->len; i++)
		ec_uprobe_points_add(&t->points, EC_UPROBE_ENTRY,
		                     g_array_index(g.offsets, uint64_t, i),
		                     EC_COOKIE(id, g_array_index(g.kinds, uint32_t, i)));
	ec_go_target_clear(&g);
	return 1;
}

static const struct ec_tls_module_desc go_desc = {
    .label = "Go",
    .unit = "program",
    .units = "programs",
    .tracing = "Go program ",
    .tls_lib = EC_TLSLIB_GO,
    .source = EC_RECORD_SRC_GO,
    .object = {.what = "Go",
               .name = "go_tls_bpf",
               .elf_bytes = go_tls_bpf__elf_bytes,
               .entry = "ec_go_probe"},
    .find = find,
    .find_in_process = find_in_process,
    .plan = plan,
};

EC_TLS_MODULE(ec_mod_go, "go", go_desc);
