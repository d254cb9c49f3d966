// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/audit_family.h"

#include "ec_error.h"
#include "target_row.h"
#include "targets/processes.h"

struct audit_module {
	const struct ec_audit_module_desc *d;
	struct ec_bpf_loaded bpf;
	struct ec_audit_plan *plan;
};

void ec_audit_module_destroy(void *state)
{
	struct audit_module *m = state;

	if (!m)
		return;
	ec_bpf_unload(&m->bpf);
	ec_audit_plan_free(m->plan);
	g_free(m);
}

/* Plan every file of FILES; none planned is an error. */
static int plan_files(struct audit_module *m, GPtrArray *files, const struct ec_capture_opts *o,
                      GError **err)
{
	const struct ec_audit_module_desc *d = m->d;

	for (guint i = 0; i < files->len; i++) {
		const struct ec_target_file *f = files->pdata[i];
		g_autoptr(GError) why = NULL;

		if (d->plan(m->plan, f->path, d->data, o, &why) && ec_target_unusable(f, &why, err))
			return -1;
	}
	if (ec_audit_plan_n_targets(m->plan))
		return 0;
	if (d->not_found)
		g_set_error_literal(err, EC_ERROR, EC_ERROR_NOT_FOUND, d->not_found);
	else
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no %s that can be traced was found (name one with --%s)", d->program,
		            d->program);
	return -1;
}

void *ec_audit_module_load(const struct ec_audit_module_desc *d, const char *override,
                           struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                           GError **err)
{
	g_autoptr(GPtrArray) files =
	    ec_find_programs(d->program, override, d->std_paths, d->names, err);
	struct audit_module *m;
	struct bpf_map *targets;

	if (!files)
		return NULL;
	m = g_new0(struct audit_module, 1);
	m->d = d;
	m->plan = ec_audit_plan_new();
	if (plan_files(m, files, o, err) || ec_bpf_load(&m->bpf, &d->object, shared, err) ||
	    !(targets = ec_bpf_map(&m->bpf, "ec_audit_targets", err)) ||
	    ec_audit_plan_write_targets(m->plan, targets, err)) {
		ec_audit_module_destroy(m);
		return NULL;
	}
	return m;
}

int ec_audit_module_list(const struct ec_audit_module_desc *d, const char *override,
                         const struct ec_capture_opts *o, GPtrArray *rows, GError **err)
{
	g_autoptr(GError) ferr = NULL;
	g_autoptr(GPtrArray) files =
	    ec_find_programs(d->program, override, d->std_paths, d->names, &ferr);
	struct ec_audit_plan *plan;

	(void)err;
	if (!files) {
		g_ptr_array_add(rows, ec_target_row_new(d->label, override ? override : "", 0, 0,
		                                        ferr->message));
		return 0;
	}
	plan = ec_audit_plan_new();
	for (guint i = 0; i < files->len; i++) {
		const struct ec_target_file *f = files->pdata[i];
		g_autoptr(GError) why = NULL;

		d->plan(plan, f->path, d->data, o, &why);
		g_ptr_array_add(rows, ec_target_row_new(d->label, f->path, f->n_procs, f->first_pid,
		                                        why ? why->message : NULL));
	}
	ec_audit_plan_free(plan);
	return 0;
}

int ec_audit_module_attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct audit_module *m = state;

	/* A target's probes may span files (bash and its libreadline): all of them or an error. */
	for (guint i = 0; i < ec_audit_plan_n_files(m->plan); i++) {
		if (ec_uprobes_attach(m->bpf.uprobes, m->bpf.entry, m->bpf.ret,
		                      ec_audit_plan_file_path(m->plan, i),
		                      ec_audit_plan_file_points(m->plan, i), o->pids, err)) {
			ec_uprobes_detach_all(m->bpf.uprobes);
			return -1;
		}
	}
	for (guint i = 0; i < ec_audit_plan_n_targets(m->plan); i++)
		g_message("tracing %s", ec_audit_plan_target_what(m->plan, (int)i));
	return 0;
}

guint ec_audit_module_n_traced(void *state)
{
	return ec_audit_plan_n_targets(((struct audit_module *)state)->plan);
}

char *ec_audit_module_describe(void *state)
{
	struct audit_module *m = state;
	guint n = ec_audit_plan_n_targets(m->plan);

	return g_strdup_printf("%s: %u %s%s", m->d->label, n, m->d->unit, n == 1 ? "" : "s");
}
