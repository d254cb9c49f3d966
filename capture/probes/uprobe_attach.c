// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/uprobe_attach.h"

#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/types.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "probes/uprobe_multi.h"
#include "targets/elf_info.h"

void ec_uprobe_points_init(struct ec_uprobe_points *p)
{
	for (int d = 0; d < 2; d++) {
		p->offs[d] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		p->cookies[d] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	}
}

void ec_uprobe_points_clear(struct ec_uprobe_points *p)
{
	for (int d = 0; d < 2; d++) {
		if (p->offs[d])
			g_array_unref(p->offs[d]);
		if (p->cookies[d])
			g_array_unref(p->cookies[d]);
		p->offs[d] = p->cookies[d] = NULL;
	}
}

bool ec_uprobe_points_has(const struct ec_uprobe_points *p, enum ec_uprobe_dir dir, uint64_t off)
{
	for (guint i = 0; i < p->offs[dir]->len; i++)
		if (g_array_index(p->offs[dir], uint64_t, i) == off)
			return true;
	return false;
}

void ec_uprobe_points_add(struct ec_uprobe_points *p, enum ec_uprobe_dir dir, uint64_t off,
                          uint64_t cookie)
{
	g_array_append_val(p->offs[dir], off);
	g_array_append_val(p->cookies[dir], cookie);
}

int ec_uprobe_points_add_fns(struct ec_uprobe_points *p, const char *path,
                             const struct ec_uprobe_fn *fns, size_t n_fns, uint32_t id,
                             bool entries_only, GError **err)
{
	struct ec_elf *elf = ec_elf_open(path, err);

	if (!elf)
		return -1;
	for (size_t i = 0; i < n_fns; i++) {
		struct ec_elf_symbol sym;
		uint64_t cookie = EC_COOKIE(id, fns[i].kind);

		if (!ec_elf_find_symbol(elf, fns[i].name, &sym, NULL) || sym.offset == UINT64_MAX) {
			if (fns[i].optional)
				continue;
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "%s has no %s", path,
			            fns[i].name);
			ec_elf_close(elf);
			return -1;
		}
		if (fns[i].entry)
			ec_uprobe_points_add(p, EC_UPROBE_ENTRY, sym.offset, cookie);
		if (fns[i].ret && !entries_only)
			ec_uprobe_points_add(p, EC_UPROBE_RETURN, sym.offset, cookie);
	}
	ec_elf_close(elf);
	return 0;
}

struct ec_uprobes {
	bool multi;
	ec_uprobe_prog_for prog_for;
	void *ctx;
	GArray *fds;      /* uprobe_multi link fds */
	GPtrArray *links; /* perf-event uprobes: struct bpf_link * */
};

static void link_destroy(gpointer link)
{
	bpf_link__destroy(link);
}

struct ec_uprobes *ec_uprobes_new(bool multi, ec_uprobe_prog_for prog_for, void *ctx)
{
	struct ec_uprobes *u = g_new0(struct ec_uprobes, 1);

	u->multi = multi;
	u->prog_for = prog_for;
	u->ctx = ctx;
	u->fds = g_array_new(FALSE, FALSE, sizeof(int));
	u->links = g_ptr_array_new_with_free_func(link_destroy);
	return u;
}

/* Detach what was attached after U had N_FDS link fds and N_LINKS perf uprobes. */
static void detach_since(struct ec_uprobes *u, guint n_fds, guint n_links)
{
	for (guint i = n_fds; i < u->fds->len; i++)
		close(g_array_index(u->fds, int, i));
	g_array_set_size(u->fds, n_fds);
	g_ptr_array_set_size(u->links, n_links);
}

/* PROG at the points of P in direction DIR of PATH, in process PID if PID > 0. */
static int attach_dir(struct ec_uprobes *u, struct bpf_program *prog, const char *path,
                      const struct ec_uprobe_points *p, enum ec_uprobe_dir dir, pid_t pid,
                      GError **err)
{
	const GArray *offs = p->offs[dir], *cookies = p->cookies[dir];
	bool ret = dir == EC_UPROBE_RETURN;
	char in[32] = "";

	if (!offs->len)
		return 0;
	if (pid > 0)
		snprintf(in, sizeof(in), " in process %d", pid);
	if (u->multi) {
		int fd = ec_uprobe_multi_attach(
		    bpf_program__fd(prog), path, (const uint64_t *)offs->data,
		    (const uint64_t *)cookies->data, offs->len, ret, pid);

		if (fd < 0) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot probe%s: %s", path,
			            in, g_strerror(-fd));
			return -1;
		}
		g_array_append_val(u->fds, fd);
		return 0;
	}
	for (guint i = 0; i < offs->len; i++) {
		uint64_t off = g_array_index(offs, uint64_t, i);
		uint64_t cookie = g_array_index(cookies, uint64_t, i);
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = ret,
		            .bpf_cookie = u->prog_for ? 0 : cookie);
		struct bpf_program *pp =
		    u->prog_for ? u->prog_for(u->ctx, prog, cookie, err) : prog;
		struct bpf_link *link;

		if (!pp)
			return -1;
		link = bpf_program__attach_uprobe_opts(pp, pid, path, off, &uo);

		if (!link) {
			int errsv = errno;

			/* Since a 2025 stable fix, perf's uprobe PMU wants CAP_SYS_ADMIN, not
			 * CAP_PERFMON (uprobe_multi links, 6.6, do not): say so to a member. */
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "%s: cannot probe offset 0x%llx%s: %s%s", path,
			            (unsigned long long)off, in, g_strerror(errsv),
			            errsv == EACCES ? " (this kernel lets only CAP_SYS_ADMIN create "
			                              "uprobes through perf and has no uprobe_multi "
			                              "links: capture as root here, or as a member "
			                              "on a kernel with them, 6.6 or later)"
			                            : "");
			return -1;
		}
		g_ptr_array_add(u->links, link);
	}
	return 0;
}

static bool listed_before(const GArray *pids, guint n, pid_t pid)
{
	for (guint i = 0; i < n; i++)
		if (g_array_index(pids, pid_t, i) == pid)
			return true;
	return false;
}

int ec_uprobes_attach(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                      const char *path, const struct ec_uprobe_points *p, const GArray *pids,
                      GError **err)
{
	guint n_fds = u->fds->len, n_links = u->links->len;
	guint n_pids = pids && pids->len ? pids->len : 1;

	for (guint i = 0; i < n_pids; i++) {
		pid_t pid = pids && pids->len ? g_array_index(pids, pid_t, i) : -1;

		if (listed_before(pids, i, pid)) /* one set of probes per process */
			continue;
		if (attach_dir(u, entry, path, p, EC_UPROBE_ENTRY, pid, err) ||
		    attach_dir(u, ret, path, p, EC_UPROBE_RETURN, pid, err)) {
			detach_since(u, n_fds, n_links);
			return -1;
		}
	}
	return 0;
}

void ec_uprobes_detach_all(struct ec_uprobes *u)
{
	detach_since(u, 0, 0);
}

void ec_uprobes_free(struct ec_uprobes *u)
{
	if (!u)
		return;
	ec_uprobes_detach_all(u);
	g_array_unref(u->fds);
	g_ptr_array_unref(u->links);
	g_free(u);
}
