// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/audit_plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "probes/bpf_shared.h"
#include "ec_error.h"
#include "probes/uprobe_multi.h"

/* The probe points in one file. */
struct plan_file {
	char *path;
	GArray *offs[2];    /* uint64_t: [0] entries, [1] returns */
	GArray *cookies[2]; /* uint64_t, one per offset */
};

struct plan_target {
	char *path;
	char *what;
	struct ec_audit_target cfg;
};

struct ec_audit_plan {
	GPtrArray *targets; /* struct plan_target * */
	GPtrArray *files;   /* struct plan_file * */
	GArray *fds;        /* uprobe_multi link fds */
	GPtrArray *links;   /* perf-event uprobes: struct bpf_link * */
};

static void file_free(gpointer p)
{
	struct plan_file *f = p;

	g_free(f->path);
	for (int r = 0; r < 2; r++) {
		g_array_unref(f->offs[r]);
		g_array_unref(f->cookies[r]);
	}
	g_free(f);
}

static void target_free(gpointer p)
{
	struct plan_target *t = p;

	g_free(t->path);
	g_free(t->what);
	g_free(t);
}

static void link_free(gpointer l)
{
	bpf_link__destroy(l);
}

struct ec_audit_plan *ec_audit_plan_new(void)
{
	struct ec_audit_plan *p = g_new0(struct ec_audit_plan, 1);

	p->targets = g_ptr_array_new_with_free_func(target_free);
	p->files = g_ptr_array_new_with_free_func(file_free);
	p->fds = g_array_new(FALSE, FALSE, sizeof(int));
	p->links = g_ptr_array_new_with_free_func(link_free);
	return p;
}

void ec_audit_plan_free(struct ec_audit_plan *p)
{
	if (!p)
		return;
	ec_audit_plan_detach(p);
	g_ptr_array_unref(p->targets);
	g_ptr_array_unref(p->files);
	g_array_unref(p->fds);
	g_ptr_array_unref(p->links);
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
	for (int r = 0; r < 2; r++) {
		f->offs[r] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		f->cookies[r] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	}
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
		/* One point per (offset, direction): a second symbol at the same address (an
		 * alias) would fire twice. */
		bool dup = false;

		if (!(r ? ret : entry))
			continue;
		for (guint i = 0; i < f->offs[r]->len; i++)
			dup |= g_array_index(f->offs[r], uint64_t, i) == sym->offset;
		if (dup)
			continue;
		g_array_append_val(f->offs[r], sym->offset);
		g_array_append_val(f->cookies[r], cookie);
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

static void where(char *buf, size_t len, pid_t pid)
{
	buf[0] = '\0';
	if (pid > 0)
		snprintf(buf, len, " in process %d", pid);
}

static int attach_file(struct ec_audit_plan *p, const struct plan_file *f,
                       struct bpf_program *const progs[2], bool multi, pid_t pid, GError **err)
{
	char in[32];

	where(in, sizeof(in), pid);
	for (int r = 0; r < 2; r++) {
		GArray *offs = f->offs[r], *cookies = f->cookies[r];

		if (!offs->len)
			continue;
		if (multi) {
			int fd = ec_uprobe_multi_attach(
			    bpf_program__fd(progs[r]), f->path, (const uint64_t *)offs->data,
			    (const uint64_t *)cookies->data, offs->len, r == 1, pid);

			if (fd < 0) {
				g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
				            "%s: cannot probe%s: %s", f->path, in, g_strerror(-fd));
				return -1;
			}
			g_array_append_val(p->fds, fd);
			continue;
		}
		for (guint i = 0; i < offs->len; i++) {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = r == 1,
			            .bpf_cookie = g_array_index(cookies, uint64_t, i));
			uint64_t off = g_array_index(offs, uint64_t, i);
			struct bpf_link *l =
			    bpf_program__attach_uprobe_opts(progs[r], pid, f->path, off, &uo);

			if (!l) {
				int errsv = errno;

				g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
				            "%s: cannot probe offset 0x%llx%s: %s", f->path,
				            (unsigned long long)off, in, g_strerror(errsv));
				return -1;
			}
			g_ptr_array_add(p->links, l);
		}
	}
	return 0;
}

int ec_audit_plan_attach(struct ec_audit_plan *p, struct bpf_program *entry,
                         struct bpf_program *ret, bool multi, GArray *pids, GError **err)
{
	struct bpf_program *const progs[2] = {entry, ret};
	guint n_pids = pids && pids->len ? pids->len : 1;

	for (guint i = 0; i < p->files->len; i++) {
		for (guint k = 0; k < n_pids; k++) {
			pid_t pid = pids && pids->len ? g_array_index(pids, pid_t, k) : -1;

			if (attach_file(p, p->files->pdata[i], progs, multi, pid, err)) {
				ec_audit_plan_detach(p);
				return -1;
			}
		}
	}
	return 0;
}

void ec_audit_plan_detach(struct ec_audit_plan *p)
{
	for (guint i = 0; i < p->fds->len; i++)
		close(g_array_index(p->fds, int, i));
	g_array_set_size(p->fds, 0);
	g_ptr_array_set_size(p->links, 0);
}

static int obj_open_load(struct ec_audit_obj *o, const void *elf, size_t size, const char *name,
                         const char *entry, const char *ret, const struct ec_audit_map_size *sizes,
                         size_t n_sizes, struct ec_bpf_shared *shared, bool multi, GError **err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = name);
	int rc;

	o->obj = bpf_object__open_mem(elf, size, &oo);
	if (!o->obj) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the %s BPF object: %s",
		            name, g_strerror(errno));
		return -1;
	}
	o->entry = bpf_object__find_program_by_name(o->obj, entry);
	o->ret = bpf_object__find_program_by_name(o->obj, ret);
	if (!o->entry || !o->ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "the %s BPF object lacks %s or %s",
		            name, entry, ret);
		return -1;
	}
	for (size_t i = 0; i < n_sizes; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(o->obj, sizes[i].name);

		if (!m || bpf_map__set_max_entries(m, sizes[i].max_entries)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot size map %s", name,
			            sizes[i].name);
			return -1;
		}
	}
	if (multi) {
		bpf_program__set_expected_attach_type(o->entry, EC_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(o->ret, EC_BPF_TRACE_UPROBE_MULTI);
	}
	if (ec_bpf_shared_prepare(shared, o->obj, err))
		return -1;
	rc = bpf_object__load(o->obj);
	if (rc) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot load the %s BPF programs: %s",
		            name, g_strerror(-rc));
		return -1;
	}
	o->multi = multi;
	return ec_bpf_shared_adopt(shared, o->obj, err);
}

int ec_audit_obj_load(struct ec_audit_obj *o, const void *elf, size_t size, const char *name,
                      const char *entry, const char *ret, const struct ec_audit_map_size *sizes,
                      size_t n_sizes, struct ec_bpf_shared *shared, GError **err)
{
	g_autoptr(GError) multi_err = NULL;

	memset(o, 0, sizeof(*o));
	/* Kernels before 6.6 refuse the uprobe_multi attach type: fall back to perf uprobes. */
	if (!obj_open_load(o, elf, size, name, entry, ret, sizes, n_sizes, shared, true,
	                   &multi_err))
		return 0;
	g_debug("%s: no uprobe_multi (%s): one perf uprobe per probe point", name,
	        multi_err->message);
	ec_audit_obj_close(o);
	if (!obj_open_load(o, elf, size, name, entry, ret, sizes, n_sizes, shared, false, err))
		return 0;
	ec_audit_obj_close(o);
	return -1;
}

void ec_audit_obj_close(struct ec_audit_obj *o)
{
	bpf_object__close(o->obj);
	memset(o, 0, sizeof(*o));
}
