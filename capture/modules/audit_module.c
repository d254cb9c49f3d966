// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/audit_module.h"

#include "targets/processes.h"
#include "ec_error.h"
#include "targets/libraries.h"
#include "probes/uprobe_module.h"

struct audit_module {
	const struct ec_audit_module_desc *d;
	struct ec_audit_obj bpf;
	struct ec_audit_plan *plan;
};

void ec_audit_module_destroy(void *state)
{
	struct audit_module *m = state;

	if (!m)
		return;
	ec_audit_plan_free(m->plan);
	ec_audit_obj_close(&m->bpf);
	g_free(m);
}

void *ec_audit_module_load(const struct ec_audit_module_desc *d, const char *override,
                           struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                           GError **err)
{
	g_autoptr(GPtrArray) files =
	    ec_find_programs(d->program, override, d->std_paths, d->names, err);
	struct audit_module *m;
	const void *elf;
	size_t elf_size;

	if (!files)
		return NULL;
	m = g_new0(struct audit_module, 1);
	m->d = d;
	m->plan = ec_audit_plan_new();
	for (guint i = 0; i < files->len; i++) {
		const struct ec_target_file *f = files->pdata[i];
		g_autoptr(GError) ferr = NULL;

		if (d->plan(m->plan, f->path, d->data, o, &ferr) && ec_probe_failed(f, &ferr, err))
			goto fail;
	}
	if (!ec_audit_plan_n_targets(m->plan)) {
		if (d->not_found)
			g_set_error_literal(err, EC_ERROR, EC_ERROR_NOT_FOUND, d->not_found);
		else
			g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
			            "no %s that can be traced was found (name one with --%s)",
			            d->program, d->program);
		goto fail;
	}
	elf = d->elf_bytes(&elf_size);
	if (ec_audit_obj_load(&m->bpf, elf, elf_size, d->obj_name, d->entry, d->ret, d->sizes,
	                      d->n_sizes, shared, err) ||
	    ec_audit_plan_write_targets(
	        m->plan, bpf_object__find_map_by_name(m->bpf.obj, "ec_audit_targets"), err))
		goto fail;
	return m;
fail:
	ec_audit_module_destroy(m);
	return NULL;
}

int ec_audit_module_attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct audit_module *m = state;

	if (ec_audit_plan_attach(m->plan, m->bpf.entry, m->bpf.ret, m->bpf.multi, o->pids, err))
		return -1;
	for (guint i = 0; i < ec_audit_plan_n_targets(m->plan); i++)
		g_message("tracing %s", ec_audit_plan_target_what(m->plan, (int)i));
	return 0;
}

char *ec_audit_module_describe(void *state)
{
	struct audit_module *m = state;
	guint n = ec_audit_plan_n_targets(m->plan);

	return g_strdup_printf("%s: %u %s%s", m->d->label, n, m->d->unit, n == 1 ? "" : "s");
}
