// SPDX-License-Identifier: GPL-2.0-or-later
#include "target_row.h"

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
