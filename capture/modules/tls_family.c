// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/tls_family.h"

#include <errno.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/bpf.h>

#include "ec_error.h"
#include "target_row.h"
#include "ecapture/events.h"
#include "layouts/calibrations.h"
#include "layouts/helper_run.h"

struct tls_module {
	const struct ec_tls_module_desc *d;
	GPtrArray *files; /* struct ec_target_file *: what the targets point to */
	GArray *targets;  /* struct ec_tls_target, by id */
	struct ec_bpf_loaded bpf;
	guint n_attached;
	bool plaintext;        /* ec_capture_wants_plaintext() */
	GHashTable *data_pids; /* "pid/id" whose data calls are probed */
	GArray *waiting;       /* struct waiting: files whose layout is being calibrated */
};

/* A file planned again once its calibration, running in the background, has ended. */
struct waiting {
	const struct ec_target_file *file; /* in files */
	pid_t pid; /* the process it was seen in after the start, held meanwhile (0: none) */
};

/* plan_target(): the file's layout is being calibrated in the background. */
#define PLAN_WAITS 2

static void target_clear(gpointer p)
{
	struct ec_tls_target *t = p;

	ec_uprobe_points_clear(&t->points);
	ec_uprobe_points_clear(&t->data_points);
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
	g_array_unref(m->waiting);
	g_hash_table_unref(m->data_pids);
	g_array_unref(m->targets);
	g_ptr_array_unref(m->files);
	g_free(m);
}

bool ec_tls_module_wanted(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & d->tls_lib);
}

/*
 * Plan F as the next target (its id: the count of targets so far). 1: appended to the targets;
 * 0: not for this module; PLAN_WAITS: its calibration runs in the background (planned again
 * once it ended); -1 with WHY: it cannot be traced.
 */
static int plan_target(struct tls_module *m, const struct ec_target_file *f, GError **why)
{
	struct ec_tls_target t = {.file = f, .plaintext = m->plaintext};
	guint id = m->targets->len;
	int rc;

	if (id >= EC_MAX_LIBS) {
		g_set_error(why, EC_ERROR, EC_ERROR_UNSUPPORTED, "more than %d %s %s are traced",
		            EC_MAX_LIBS, m->d->label, m->d->units);
		return -1;
	}
	ec_uprobe_points_init(&t.points);
	ec_uprobe_points_init(&t.data_points);
	rc = m->d->plan(&t, id, why);
	if (rc < 0 && g_error_matches(*why, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING)) {
		g_clear_error(why);
		rc = PLAN_WAITS;
	}
	if (rc == 1)
		g_array_append_val(m->targets, t);
	else
		target_clear(&t);
	return rc;
}

/*
 * Plan every file; the ones that can be traced become targets, the ones being calibrated wait
 * (attached once calibrated: ec_tls_module_resume).
 */
static int plan_files(struct tls_module *m, GError **err)
{
	for (guint i = 0; i < m->files->len; i++) {
		const struct ec_target_file *f = m->files->pdata[i];
		g_autoptr(GError) why = NULL;
		int rc = plan_target(m, f, &why);

		if (rc == PLAN_WAITS)
			g_array_append_val(m->waiting, ((struct waiting){f, 0}));
		else if (rc < 0 && ec_target_unusable(f, &why, err))
			return -1;
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
	m->plaintext = ec_capture_wants_plaintext(o);
	m->data_pids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	m->waiting = g_array_new(FALSE, FALSE, sizeof(struct waiting));
	m->targets = g_array_new(FALSE, TRUE, sizeof(struct ec_tls_target));
	g_array_set_clear_func(m->targets, target_clear);
	/*
	 * With nothing to trace yet, a module that follows new files, or waits for calibrations,
	 * still loads, to trace them later.
	 */
	if (plan_files(m, err) ||
	    (m->targets->len == 0 && m->waiting->len == 0 && !d->find_in_process) ||
	    ec_bpf_load(&m->bpf, &d->object, shared, err) || write_layouts(m, err)) {
		ec_tls_module_destroy(m);
		return NULL; /* ERR unset when there was nothing to trace */
	}
	return m;
}

/* Attach target ID; LATE names the process it was seen in after the start (0: none). */
static int attach_target(struct tls_module *m, guint id, const struct ec_capture_opts *o,
                         pid_t late, GError **why)
{
	const struct ec_tls_target *t = &g_array_index(m->targets, struct ec_tls_target, id);
	g_autofree char *seen =
	    late ? g_strdup_printf(" (seen in pid %d after the capture started)", (int)late) : NULL;

	if (ec_uprobes_attach(m->bpf.uprobes, m->bpf.entry, m->bpf.ret, t->file->path, &t->points,
	                      o->pids, why))
		return -1;
	g_message("tracing %s%s%s%s", m->d->tracing, t->file->path, t->note ? t->note : "",
	          seen ? seen : "");
	m->n_attached++;
	return 0;
}

int ec_tls_module_attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct tls_module *m = state;
	const struct ec_tls_module_desc *d = m->d;

	for (guint id = 0; id < m->targets->len; id++) {
		g_autoptr(GError) why = NULL;

		if (attach_target(m, id, o, 0, &why) &&
		    ec_target_unusable(g_array_index(m->targets, struct ec_tls_target, id).file,
		                       &why, err))
			goto fail;
	}
	if (d->required && !m->n_attached && !m->waiting->len) {
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

/*
 * Plan F as the next target and probe it now, while the capture runs (PID: the process it was
 * seen in, 0: found at the start). As plan_target().
 */
static int take_late(struct tls_module *m, const struct ec_target_file *f,
                     const struct ec_capture_opts *o, pid_t pid, GError **why)
{
	guint id = m->targets->len;
	int rc = plan_target(m, f, why);

	if (rc == 1 && (write_layout(m, id, why) || attach_target(m, id, o, pid, why))) {
		g_array_set_size(m->targets, id);
		rc = -1;
	}
	return rc;
}

int ec_tls_module_adopt(void *state, const struct ec_capture_opts *o, pid_t pid,
                        struct ec_holds *hold, GError **err)
{
	struct tls_module *m = state;
	g_autoptr(GPtrArray) found = NULL;
	bool held = false, waits = false;

	if (!m->d->find_in_process)
		return 0;
	found = m->d->find_in_process(pid);
	g_debug("%s: pid %d maps %u candidate files", m->d->label, (int)pid, found->len);
	while (found->len) {
		struct ec_target_file *f = g_ptr_array_steal_index(found, 0);
		struct stat st = {.st_dev = f->dev, .st_ino = f->ino};
		g_autoptr(GError) why = NULL;
		int rc;

		if (ec_target_list_find(m->files, &st)) {
			ec_target_file_free(f); /* traced already, or known to be unusable */
			continue;
		}
		/* Kept whatever comes of it, so it is not tried again on every mapping. */
		g_ptr_array_add(m->files, f);
		/* Still until its probes are in: its first handshake must not run ahead of them. */
		if (hold && !held) {
			ec_hold_process(hold, pid);
			held = true;
		}
		rc = take_late(m, f, o, pid, &why);
		if (rc == PLAN_WAITS) {
			g_array_append_val(m->waiting, ((struct waiting){f, held ? pid : 0}));
			waits |= held;
		} else if (rc < 0 && ec_target_unusable(f, &why, err)) {
			return -1;
		}
	}
	return waits ? 1 : 0;
}

int ec_tls_module_resume(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct tls_module *m = state;
	int held = 0;

	for (guint i = 0; i < m->waiting->len;) {
		struct waiting w = g_array_index(m->waiting, struct waiting, i);
		g_autoptr(GError) why = NULL;
		int rc = take_late(m, w.file, o, w.pid, &why);

		if (rc == PLAN_WAITS) {
			held += w.pid != 0;
			i++;
			continue;
		}
		g_array_remove_index(m->waiting, i);
		if (rc < 0 && ec_target_unusable(w.file, &why, err))
			return -1;
	}
	if (m->d->required && !m->n_attached && !m->waiting->len) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND, "no %s %s could be probed",
		            m->d->label, m->d->unit);
		return -1;
	}
	return held;
}

int ec_tls_target_add_data_fns(struct ec_tls_target *t, const struct ec_uprobe_fn *fns,
                               size_t n_fns, uint32_t id, GError **err)
{
	return ec_uprobe_points_add_fns(t->plaintext ? &t->points : &t->data_points, t->file->path,
	                                fns, n_fns, id, !t->plaintext, err);
}

int ec_tls_module_data_calls(void *state, const struct ec_capture_opts *o, pid_t pid,
                             uint32_t source, uint32_t lib_id, GError **err)
{
	struct tls_module *m = state;
	g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autofree char *key = g_strdup_printf("%d/%u", (int)pid, lib_id);
	const struct ec_tls_target *t;

	(void)o;
	if (source != m->d->source || lib_id >= m->targets->len ||
	    g_hash_table_contains(m->data_pids, key))
		return 0;
	t = &g_array_index(m->targets, struct ec_tls_target, lib_id);
	if (!t->data_points.offs[EC_UPROBE_ENTRY]->len)
		return 0;
	g_hash_table_add(m->data_pids, g_steal_pointer(&key));
	g_array_append_val(pids, pid);
	if (ec_uprobes_attach(m->bpf.uprobes, m->bpf.entry, m->bpf.ret, t->file->path,
	                      &t->data_points, pids, err))
		return -1;
	g_message("pid %d handshakes inside its %s data calls: probing them in that process too",
	          (int)pid, m->d->label);
	return 0;
}

/* The listing's row for F, planned by plan_target() as RC (WHY); NULL: not for this module. */
static struct ec_target_row *list_row(struct tls_module *m, const struct ec_target_file *f, int rc,
                                      const GError *why)
{
	struct ec_target_row *r;

	if (rc == 0)
		return NULL; /* not for this module (a program without Go's crypto/tls) */
	r = ec_target_row_new(m->d->label, f->path, f->n_procs, f->first_pid,
	                      rc == 1            ? NULL
	                      : why              ? why->message
	                      : rc == PLAN_WAITS ? "still being calibrated"
	                                         : "cannot be traced");
	if (rc == 1) {
		struct ec_tls_target *t =
		    &g_array_index(m->targets, struct ec_tls_target, m->targets->len - 1);

		r->version = g_steal_pointer(&t->version);
		r->keys = g_steal_pointer(&t->keys);
	}
	return r;
}

int ec_tls_module_list(const struct ec_tls_module_desc *d, const struct ec_capture_opts *o,
                       GPtrArray *rows, GError **err)
{
	g_autoptr(GError) ferr = NULL;
	struct tls_module m = {.d = d, .plaintext = ec_capture_wants_plaintext(o)};
	g_autoptr(GHashTable) waiting = g_hash_table_new(NULL, NULL); /* indexes of files */
	GPtrArray *slots;
	bool waits = false;

	(void)err;
	if (!ec_tls_module_wanted(d, o))
		return 0;
	m.files = d->find(o, &ferr);
	if (!m.files) {
		/* A path the user named that is no file: a row, so the rest is still listed. */
		g_ptr_array_add(rows,
		                ec_target_row_new(d->label, "", 0, 0,
		                                  ferr ? ferr->message : "cannot look for files"));
		return 0;
	}
	m.targets = g_array_new(FALSE, TRUE, sizeof(struct ec_tls_target));
	g_array_set_clear_func(m.targets, target_clear);
	/* Every file planned; those being calibrated (concurrently) again once all ended. */
	slots = g_ptr_array_new_full(m.files->len, NULL);
	for (guint i = 0; i < m.files->len; i++) {
		const struct ec_target_file *f = m.files->pdata[i];
		g_autoptr(GError) why = NULL;
		int rc = plan_target(&m, f, &why);

		g_ptr_array_add(slots, rc == PLAN_WAITS ? NULL : list_row(&m, f, rc, why));
		if (rc == PLAN_WAITS) {
			g_hash_table_add(waiting, GUINT_TO_POINTER(i));
			waits = true;
		}
	}
	if (waits)
		ec_calibrations_wait();
	for (guint i = 0; i < m.files->len; i++) {
		g_autoptr(GError) why = NULL;
		struct ec_target_row *r = slots->pdata[i];

		if (g_hash_table_contains(waiting, GUINT_TO_POINTER(i))) {
			const struct ec_target_file *f = m.files->pdata[i];
			int rc = plan_target(&m, f, &why);

			r = list_row(&m, f, rc, why);
		}
		if (r)
			g_ptr_array_add(rows, r);
	}
	g_ptr_array_unref(slots);
	g_array_unref(m.targets);
	g_ptr_array_unref(m.files);
	return 0;
}

guint ec_tls_module_n_traced(void *state)
{
	return ((const struct tls_module *)state)->n_attached;
}

char *ec_tls_module_describe(void *state)
{
	struct tls_module *m = state;
	g_autofree char *waits =
	    m->waiting->len ? g_strdup_printf(", %u being calibrated", m->waiting->len) : NULL;

	if (!m->n_attached && !waits)
		return m->d->find_in_process
		           ? g_strdup_printf("%s: none yet (new %s are traced as they appear)",
		                             m->d->label, m->d->units)
		           : NULL;
	return g_strdup_printf("%s: %u %s%s", m->d->label, m->n_attached,
	                       m->n_attached == 1 ? m->d->unit : m->d->units, waits ? waits : "");
}
