// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/tls_family.h"

#include <errno.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/bpf.h>

#include "ec_error.h"
#include "engine.h"
#include "ecapture/events.h"

struct tls_module {
	const struct ec_tls_module_desc *d;
	GPtrArray *files; /* struct ec_target_file *: what the targets point to */
	GArray *targets;  /* struct ec_tls_target, by id */
	struct ec_bpf_loaded bpf;
	guint n_attached;
};

static void target_clear(gpointer p)
{
	struct ec_tls_target *t = p;

	ec_uprobe_points_clear(&t->points);
	g_free(t->layout);
	g_free(t->version);
	g_free(t->keys);
}

void ec_tls_module_destroy(void *state)
{
	struct tls_module *m = state;

	if (!m)
		return;
	ec_bpf_unload(&m->bpf);
	g_array_unref(m->targets);
	g_ptr_array_unref(m->files);
	g_free(m);
}

bool ec_tls_module_wanted(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & d->tls_lib);
}

/* Plan every file; the ones that can be traced become targets. */
static int plan_files(struct tls_module *m, GError **err)
{
	const struct ec_tls_module_desc *d = m->d;

	for (guint i = 0; i < m->files->len; i++) {
		struct ec_tls_target t = {.file = m->files->pdata[i]};
		g_autoptr(GError) why = NULL;
		guint id = m->targets->len;
		int rc;

		ec_uprobe_points_init(&t.points);
		rc = d->plan(&t, id, &why);
		if (rc == 1 && id >= EC_MAX_LIBS)
			g_warning("more than %d %s %s: %s and later ones not traced", EC_MAX_LIBS,
			          d->label, d->units, t.file->path);
		if (rc == 1 && id < EC_MAX_LIBS) {
			g_array_append_val(m->targets, t);
			continue;
		}
		target_clear(&t);
		if (rc < 0 && ec_target_unusable(t.file, &why, err))
			return -1;
		if (rc == 1)
			break;
	}
	return 0;
}

/* Hand target ID's layout to the probes. */
static int write_layout(struct tls_module *m, guint id, GError **err)
{
	const struct ec_tls_target *t = &g_array_index(m->targets, struct ec_tls_target, id);
	struct bpf_map *map;

	if (!m->d->layout_map)
		return 0;
	map = ec_bpf_map(&m->bpf, m->d->layout_map, err);
	if (!map)
		return -1;
	if (bpf_map_update_elem(bpf_map__fd(map), &id, t->layout, BPF_ANY)) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot store the layout of %s: %s",
		            t->file->path, g_strerror(errno));
		return -1;
	}
	return 0;
}

static int write_layouts(struct tls_module *m, GError **err)
{
	for (guint id = 0; id < m->targets->len; id++)
		if (write_layout(m, id, err))
			return -1;
	return 0;
}

void *ec_tls_module_load(const struct ec_tls_module_desc *d, struct ec_bpf_shared *shared,
                         const struct ec_capture_opts *o, GError **err)
{
	GPtrArray *files = d->find(o, err);
	struct tls_module *m;

	if (!files)
		return NULL;
	m = g_new0(struct tls_module, 1);
	m->d = d;
	m->files = files;
	m->targets = g_array_new(FALSE, TRUE, sizeof(struct ec_tls_target));
	g_array_set_clear_func(m->targets, target_clear);
	/* With nothing to trace yet, a module that follows new files still loads, to adopt them. */
	if (plan_files(m, err) || (m->targets->len == 0 && !d->find_in_process) ||
	    ec_bpf_load(&m->bpf, &d->object, shared, err) || write_layouts(m, err)) {
		ec_tls_module_destroy(m);
		return NULL; /* ERR unset when there was nothing to trace */
	}
	return m;
}

int ec_tls_module_attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct tls_module *m = state;
	const struct ec_tls_module_desc *d = m->d;

	for (guint id = 0; id < m->targets->len; id++) {
		const struct ec_tls_target *t =
		    &g_array_index(m->targets, struct ec_tls_target, id);
		g_autoptr(GError) why = NULL;

		if (ec_uprobes_attach(m->bpf.uprobes, m->bpf.entry, m->bpf.ret, t->file->path,
		                      &t->points, o->pids, &why)) {
			if (ec_target_unusable(t->file, &why, err))
				goto fail;
			continue;
		}
		g_message("tracing %s%s%s", d->tracing, t->file->path, t->note ? t->note : "");
		m->n_attached++;
	}
	if (d->required && !m->n_attached) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND, "no %s %s could be probed", d->label,
		            d->unit);
		goto fail;
	}
	return 0;
fail:
	ec_uprobes_detach_all(m->bpf.uprobes);
	m->n_attached = 0;
	return -1;
}

int ec_tls_module_adopt(void *state, const struct ec_capture_opts *o, pid_t pid, GError **err)
{
	struct tls_module *m = state;
	const struct ec_tls_module_desc *d = m->d;
	g_autoptr(GPtrArray) found = NULL;

	if (!d->find_in_process)
		return 0;
	found = d->find_in_process(pid);
	g_debug("%s: pid %d maps %u candidate files", d->label, (int)pid, found->len);
	for (guint i = 0; i < found->len; i++) {
		struct ec_target_file *f = found->pdata[i];
		struct stat st = {.st_dev = f->dev, .st_ino = f->ino};
		struct ec_tls_target t = {0};
		guint id = m->targets->len;
		int rc;

		if (ec_target_list_find(m->files, &st))
			continue; /* traced already, or known to be unusable */
		g_ptr_array_add(m->files, g_ptr_array_steal_index(found, i--));
		if (id >= EC_MAX_LIBS) {
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
			            "%s (mapped by pid %d): more than %d %s %s", f->path, (int)pid,
			            EC_MAX_LIBS, d->label, d->units);
			return -1;
		}
		t.file = f;
		ec_uprobe_points_init(&t.points);
		rc = d->plan(&t, id, err);
		if (rc <= 0) {
			target_clear(&t);
			if (rc < 0)
				g_prefix_error(
				    err, "pid %d mapped it after the capture started: ", (int)pid);
			return rc;
		}
		g_array_append_val(m->targets, t);
		if (write_layout(m, id, err) ||
		    ec_uprobes_attach(m->bpf.uprobes, m->bpf.entry, m->bpf.ret, f->path, &t.points,
		                      o->pids, err)) {
			/* Stays in the list, so it is not tried again on every mapping. */
			g_array_set_size(m->targets, id);
			return -1;
		}
		g_message("tracing %s%s%s (seen in pid %d after the capture started)", d->tracing,
		          f->path, t.note ? t.note : "", (int)pid);
		m->n_attached++;
	}
	return 0;
}

static struct ec_target_row *row_new(const struct ec_tls_module_desc *d,
                                     const struct ec_target_file *f)
{
	struct ec_target_row *r = g_new0(struct ec_target_row, 1);

	r->module = g_strdup(d->label);
	r->path = g_strdup(f->path);
	r->n_procs = f->n_procs;
	r->first_pid = f->first_pid;
	return r;
}

int ec_tls_module_list(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o,
                       GPtrArray *rows, GError **err)
{
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GError) ferr = NULL;

	if (!ec_tls_module_wanted(d, o))
		return 0;
	files = d->find(o, &ferr);
	if (!files) {
		/* A path the user named that is no file: a row, so the rest is still listed. */
		struct ec_target_row *r = g_new0(struct ec_target_row, 1);

		r->module = g_strdup(d->label);
		r->path = g_strdup("");
		r->skipped = g_strdup(ferr ? ferr->message : "cannot look for files");
		g_ptr_array_add(rows, r);
		return 0;
	}
	for (guint i = 0; i < files->len; i++) {
		struct ec_tls_target t = {.file = files->pdata[i]};
		g_autoptr(GError) why = NULL;
		struct ec_target_row *r;
		int rc;

		ec_uprobe_points_init(&t.points);
		rc = d->plan(&t, i, &why);
		if (rc == 0) {
			target_clear(&t);
			continue; /* not for this module (a program without Go's crypto/tls) */
		}
		r = row_new(d, t.file);
		r->version = g_steal_pointer(&t.version);
		r->keys = g_steal_pointer(&t.keys);
		if (rc < 0)
			r->skipped = g_strdup(why ? why->message : "cannot be traced");
		else if (i >= EC_MAX_LIBS)
			r->skipped =
			    g_strdup_printf("more than %d %s %s", EC_MAX_LIBS, d->label, d->units);
		g_ptr_array_add(rows, r);
		target_clear(&t);
	}
	(void)err;
	return 0;
}

char *ec_tls_module_describe(void *state)
{
	struct tls_module *m = state;

	if (!m->n_attached)
		return m->d->find_in_process
		           ? g_strdup_printf("%s: none yet (new %s are traced as they appear)",
		                             m->d->label, m->d->units)
		           : NULL;
	return g_strdup_printf("%s: %u %s", m->d->label, m->n_attached,
	                       m->n_attached == 1 ? m->d->unit : m->d->units);
}
