// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --list-targets: what a capture would trace, as its modules find and plan it, with nothing
 * loaded or attached. Calibration runs as it would for a capture, so a layout that cannot be
 * measured shows here as the reason its file is skipped.
 */
#include "engine.h"

#include "modules/module.h"
#include "probes/bpf_loader.h"

struct ec_target_row *ec_target_row_new(const char *module, const char *path, guint n_procs,
                                        pid_t first_pid, const char *skipped)
{
	struct ec_target_row *r = g_new0(struct ec_target_row, 1);

	r->module = g_strdup(module);
	r->path = g_strdup(path);
	r->n_procs = n_procs;
	r->first_pid = first_pid;
	r->skipped = g_strdup(skipped);
	return r;
}

void ec_target_row_free(gpointer p)
{
	struct ec_target_row *r = p;

	if (!r)
		return;
	g_free(r->module);
	g_free(r->path);
	g_free(r->version);
	g_free(r->keys);
	g_free(r->skipped);
	g_free(r);
}

char *ec_capture_kernel_paths(void)
{
	return ec_bpf_kernel_describe();
}

GPtrArray *ec_capture_list_targets(const struct ec_capture_opts *opts, GError **err)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(ec_target_row_free);

	for (const struct ec_module_ops *const *m = ec_modules; *m; m++) {
		if (!(*m)->list || !(*m)->wanted(opts))
			continue;
		if ((*m)->list(opts, rows, err))
			return NULL;
	}
	return g_steal_pointer(&rows);
}
