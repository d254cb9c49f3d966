// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --list-targets: what a capture would trace, as its modules find and plan it, with nothing
 * loaded or attached. Calibration runs as it would for a capture, so a layout that cannot be
 * measured shows here as the reason its file is skipped.
 */
#include "engine.h"

#include "modules/module.h"
#include "probes/bpf_loader.h"

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
