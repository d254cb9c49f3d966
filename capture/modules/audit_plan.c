// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/audit_plan.h"

#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "ec_error.h"

/* The probe points in one file. */
struct plan_file {
	char *path;
	struct ec_uprobe_points points;
};

struct plan_target {
	char *path;
	char *what;
	struct ec_audit_target cfg;
};

struct ec_audit_plan {
	GPtrArray *targets; /* struct plan_target * */
	GPtrArray *files;   /* struct plan_file * */
};

static void file_free(gpointer p)
{
	struct plan_file *f = p;

	g_free(f->path);
	ec_uprobe_points_clear(&f->points);
	g_free(f);
}

static void target_free(gpointer p)
{
	struct plan_target *t = p;

	g_free(t->path);
	g_free(t->what);
	g_free(t);
}

struct ec_audit_plan *ec_audit_plan_new(void)
{
	struct ec_audit_plan *p = g_new0(struct ec_audit_plan, 1);

	p->targets = g_ptr_array_new_with_free_func(target_free);
	p->files = g_ptr_array_new_with_free_func(file_free);
	return p;
}

void ec_audit_plan_free(struct ec_audit_plan *p)
{
	if (!p)
		return;
	g_ptr_array_unref(p->targets);
	g_ptr_array_unref(p->files);
	g_free(p);
}

int ec_audit_plan_add_target(struct ec_audit_plan *p, const char *path, const char *what)
{
	struct plan_target *t;

	if (p->targets->len >= EC_AUDIT_MAX_TARGETS)
		return -1;
	t = g_new0(struct plan_target, 1);
	t->path = g_strdup(path);
	t->what = g_strdup(what);
	g_ptr_array_add(p->targets, t);
	return (int)p->targets->len - 1;
}

struct ec_audit_target *ec_audit_plan_target(struct ec_audit_plan *p, int id)
{
	return &((struct plan_target *)p->targets->pdata[id])->cfg;
}

guint ec_audit_plan_n_targets(const struct ec_audit_plan *p)
{
	return p->targets->len;
}

const char *ec_audit_plan_target_what(const struct ec_audit_plan *p, int id)
{
	return ((const struct plan_target *)p->targets->pdata[id])->what;
}

static struct plan_file *file_of(struct ec_audit_plan *p, const char *path)
{
	struct plan_file *f;

	for (guint i = 0; i < p->files->len; i++) {
		f = p->files->pdata[i];
		if (strcmp(f->path, path) == 0)
			return f;
	}
	f = g_new0(struct plan_file, 1);
	f->path = g_strdup(path);
	ec_uprobe_points_init(&f->points);
	g_ptr_array_add(p->files, f);
	return f;
}

int ec_audit_plan_probe(struct ec_audit_plan *p, int id, const char *path, const struct ec_sym *sym,
                        uint32_t kind, bool entry, bool ret, GError **err)
{
	struct plan_target *t = p->targets->pdata[id];
	struct plan_file *f;
	uint64_t cookie = EC_COOKIE(id, kind);

	if (sym->offset == UINT64_MAX) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
		            "%s: %s is not in a loaded segment", path, sym->name);
		return -1;
	}
	f = file_of(p, path);
	for (int r = 0; r < 2; r++) {
		enum ec_uprobe_dir dir = r ? EC_UPROBE_RETURN : EC_UPROBE_ENTRY;

		/* One point per (offset, direction): a second symbol at the same address (an
		 * alias) would fire twice. */
		if ((r ? ret : entry) && !ec_uprobe_points_has(&f->points, dir, sym->offset))
			ec_uprobe_points_add(&f->points, dir, sym->offset, cookie);
	}
	if (kind < EC_AFN_MAX && strcmp(path, t->path) == 0)
		t->cfg.fn_vaddr[kind] = sym->value;
	return 0;
}

int ec_audit_plan_write_targets(const struct ec_audit_plan *p, struct bpf_map *map, GError **err)
{
	int fd = bpf_map__fd(map);

	for (guint id = 0; id < p->targets->len; id++) {
		const struct plan_target *t = p->targets->pdata[id];
		__u32 key = id;

		if (bpf_map_update_elem(fd, &key, &t->cfg, BPF_ANY)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot configure %s: %s",
			            t->path, g_strerror(errno));
			return -1;
		}
	}
	return 0;
}

guint ec_audit_plan_n_files(const struct ec_audit_plan *p)
{
	return p->files->len;
}

const char *ec_audit_plan_file_path(const struct ec_audit_plan *p, guint i)
{
	return ((const struct plan_file *)p->files->pdata[i])->path;
}

const struct ec_uprobe_points *ec_audit_plan_file_points(const struct ec_audit_plan *p, guint i)
{
	return &((const struct plan_file *)p->files->pdata[i])->points;
}
