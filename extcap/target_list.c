// SPDX-License-Identifier: GPL-2.0-or-later
#include "target_list.h"

#include <string.h>

#include "engine.h"
#include "output/escape.h"

/*
 * S escaped (output/escape.h): paths come from other processes' mappings and versions from
 * the files themselves, so nothing in them may drive the terminal. UTF-8 text is kept.
 */
static void put_safe(FILE *out, const char *s)
{
	g_autofree char *e = NULL;

	s = s ? s : "";
	e = ec_escape_dup(s, strlen(s), "");
	fputs(e, out);
}

static void put_field(FILE *out, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(out, "    %-10s ", name);
	put_safe(out, value);
	fputc('\n', out);
}

void ec_print_target_rows(FILE *out, GPtrArray *rows)
{
	guint traced = 0;

	for (guint i = 0; i < rows->len; i++) {
		const struct ec_target_row *r = rows->pdata[i];

		fprintf(out, "%-8s %s ", r->skipped ? "skipped" : "traced", r->module);
		put_safe(out, r->path[0] ? r->path : "(no file)");
		fputc('\n', out);
		put_field(out, "version", r->version);
		put_field(out, "keys", r->keys);
		if (r->n_procs)
			fprintf(out, "    %-10s %u (pid %d%s)\n", "processes", r->n_procs,
			        (int)r->first_pid, r->n_procs > 1 ? " and others" : "");
		put_field(out, "reason", r->skipped);
		traced += !r->skipped;
	}
	fprintf(out, "%u to trace, %u skipped\n", traced, rows->len - traced);
}
