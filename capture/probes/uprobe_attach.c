// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/uprobe_attach.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/types.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/elf_info.h"
#include "probes/uprobe_multi.h"

struct ec_uprobes {
	bool multi;
	GArray *fds;      /* uprobe_multi link fds */
	GPtrArray *links; /* perf-event uprobes: struct bpf_link * */
};

static void link_destroy(gpointer link)
{
	bpf_link__destroy(link);
}

struct ec_uprobes *ec_uprobes_new(bool multi)
{
	struct ec_uprobes *u = g_new0(struct ec_uprobes, 1);

	u->multi = multi;
	u->fds = g_array_new(FALSE, FALSE, sizeof(int));
	u->links = g_ptr_array_new_with_free_func(link_destroy);
	return u;
}

static void where(char *buf, size_t len, pid_t pid)
{
	buf[0] = '\0';
	if (pid > 0)
		snprintf(buf, len, " in process %d", pid);
}

/* One link for all entries and one for all returns. */
static int attach_multi(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                        const char *path, const struct ec_uprobe_fn *fns, size_t n_fns,
                        uint32_t lib_id, pid_t pid, GError **err)
{
	g_autoptr(GArray) entry_offs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_autoptr(GArray) ret_offs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_autoptr(GArray) entry_cookies = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_autoptr(GArray) ret_cookies = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	GArray *offs[2] = {entry_offs, ret_offs}, *cookies[2] = {entry_cookies, ret_cookies};
	struct ec_elf *elf = ec_elf_open(path, err);
	guint before = u->fds->len;
	char in[32];

	if (!elf)
		return -1;
	for (size_t i = 0; i < n_fns; i++) {
		struct ec_elf_symbol sym;
		g_autoptr(GError) serr = NULL;
		uint64_t cookie = EC_COOKIE(lib_id, fns[i].kind);

		if (!ec_elf_find_symbol(elf, fns[i].name, &sym, &serr) ||
		    sym.offset == UINT64_MAX) {
			if (fns[i].optional)
				continue;
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "%s has no %s", path,
			            fns[i].name);
			ec_elf_close(elf);
			return -1;
		}
		for (int r = 0; r < 2; r++) {
			if (r ? !fns[i].ret : !fns[i].entry)
				continue;
			g_array_append_val(offs[r], sym.offset);
			g_array_append_val(cookies[r], cookie);
		}
	}
	ec_elf_close(elf);

	for (int r = 0; r < 2; r++) {
		int fd;

		if (!offs[r]->len)
			continue;
		fd = ec_uprobe_multi_attach(
		    bpf_program__fd(r ? ret : entry), path, (const uint64_t *)offs[r]->data,
		    (const uint64_t *)cookies[r]->data, offs[r]->len, r, pid);
		if (fd < 0) {
			where(in, sizeof(in), pid);
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot probe%s: %s", path,
			            in, g_strerror(-fd));
			for (guint k = before; k < u->fds->len; k++)
				close(g_array_index(u->fds, int, k));
			g_array_set_size(u->fds, before);
			return -1;
		}
		g_array_append_val(u->fds, fd);
	}
	return 0;
}

static int attach_one(struct ec_uprobes *u, struct bpf_program *prog, const char *path,
                      const char *fn, uint64_t cookie, pid_t pid, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = fn, .retprobe = retprobe,
	            .bpf_cookie = cookie);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, pid, path, 0, &uo);

	if (!link)
		return -errno;
	g_ptr_array_add(u->links, link);
	return 0;
}

/* One perf-event uprobe per probe point (kernels without uprobe_multi). */
static int attach_perf(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                       const char *path, const struct ec_uprobe_fn *fns, size_t n_fns,
                       uint32_t lib_id, pid_t pid, GError **err)
{
	guint before = u->links->len;
	char in[32];

	for (size_t i = 0; i < n_fns; i++) {
		uint64_t cookie = EC_COOKIE(lib_id, fns[i].kind);
		int rc = 0;

		if (fns[i].entry)
			rc = attach_one(u, entry, path, fns[i].name, cookie, pid, false);
		if (!rc && fns[i].ret)
			rc = attach_one(u, ret, path, fns[i].name, cookie, pid, true);
		if (rc == -ENOENT && fns[i].optional)
			continue;
		if (rc) {
			where(in, sizeof(in), pid);
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot probe %s%s: %s",
			            path, fns[i].name, in, g_strerror(-rc));
			g_ptr_array_remove_range(u->links, before, u->links->len - before);
			return -1;
		}
	}
	return 0;
}

int ec_uprobes_attach(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                      const char *path, const struct ec_uprobe_fn *fns, size_t n_fns,
                      uint32_t lib_id, pid_t pid, GError **err)
{
	return (u->multi ? attach_multi : attach_perf)(u, entry, ret, path, fns, n_fns, lib_id, pid,
	                                               err);
}

int ec_uprobes_attach_offsets(struct ec_uprobes *u, struct bpf_program *prog, const char *path,
                              const uint64_t *offsets, const uint64_t *cookies, size_t n, pid_t pid,
                              GError **err)
{
	guint before = u->links->len;
	char in[32];

	if (n == 0)
		return 0;
	where(in, sizeof(in), pid);
	if (u->multi) {
		int fd = ec_uprobe_multi_attach(bpf_program__fd(prog), path, offsets, cookies,
		                                (uint32_t)n, false, pid);

		if (fd < 0) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot probe%s: %s", path,
			            in, g_strerror(-fd));
			return -1;
		}
		g_array_append_val(u->fds, fd);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookies[i]);
		struct bpf_link *link =
		    bpf_program__attach_uprobe_opts(prog, pid, path, offsets[i], &uo);

		if (!link) {
			int errsv = errno;

			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "%s: cannot probe offset 0x%llx%s: %s", path,
			            (unsigned long long)offsets[i], in, g_strerror(errsv));
			g_ptr_array_remove_range(u->links, before, u->links->len - before);
			return -1;
		}
		g_ptr_array_add(u->links, link);
	}
	return 0;
}

void ec_uprobes_free(struct ec_uprobes *u)
{
	if (!u)
		return;
	for (guint i = 0; i < u->fds->len; i++)
		close(g_array_index(u->fds, int, i));
	g_array_unref(u->fds);
	g_ptr_array_unref(u->links);
	g_free(u);
}
