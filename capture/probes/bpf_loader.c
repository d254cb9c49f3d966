// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/bpf_loader.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "ec_error.h"
#include "user_rights.h"
#include "probes/tc_attach.h"
#include "probes/uprobe_multi.h"

static bool env_set(const char *name)
{
	return g_strcmp0(ec_env_get(name), "1") == 0;
}

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV0(i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, i)
#define EXIT    INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A minimal program of TYPE (INSNS, N), for EXPECTED; its fd or -errno. */
static int probe_prog(enum bpf_prog_type type, enum bpf_attach_type expected,
                      const struct bpf_insn *insns, size_t n)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = expected);
	int fd = bpf_prog_load(type, NULL, "GPL", insns, n, &o);

	return fd < 0 ? -errno : fd;
}

static bool probe_atomic_fetch(void)
{
	const struct bpf_insn insns[] = {
	    INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, -8, 0),
	    MOV0(1),
	    INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_10, BPF_REG_0, -8, BPF_OR | BPF_FETCH),
	    MOV0(0),
	    EXIT,
	};
	int fd = probe_prog(BPF_PROG_TYPE_SCHED_CLS, 0, insns, G_N_ELEMENTS(insns));

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* uprobe_multi: a link on "/" (not a regular file) fails with EBADF only where it exists. */
static bool probe_uprobe_multi(char *why, size_t len)
{
	const struct bpf_insn insns[] = {MOV0(0), EXIT};
	uint64_t off = 0;
	int fd = probe_prog(BPF_PROG_TYPE_KPROBE, EC_BPF_TRACE_UPROBE_MULTI, insns, 2), link;

	if (fd < 0) {
		snprintf(why, len, "load: %s", g_strerror(-fd));
		return false;
	}
	link = ec_uprobe_multi_attach(fd, "/", &off, NULL, 1, false, 0);
	close(fd);
	if (link >= 0)
		close(link);
	if (link == -EBADF)
		return true;
	snprintf(why, len, "link: %s", g_strerror(link < 0 ? -link : 0));
	return false;
}

/* tcx: a link on ifindex 0 fails with ENODEV where tcx exists, EINVAL where it does not. */
static bool probe_tcx(void)
{
	const struct bpf_insn insns[] = {MOV0(-1), EXIT};
	int fd = probe_prog(BPF_PROG_TYPE_SCHED_CLS, 0, insns, 2), link;
	bool ok;

	if (fd < 0)
		return false;
	link = bpf_link_create(fd, 0, EC_BPF_TCX_INGRESS, NULL);
	ok = link >= 0 || errno == ENODEV;
	if (link >= 0)
		close(link);
	close(fd);
	return ok;
}

/* A raw tracepoint exists: a do-nothing program on it for a moment. */
static bool probe_raw_tp(const char *name)
{
	const struct bpf_insn insns[] = {MOV0(0), EXIT};
	int fd = probe_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, insns, 2), link;

	if (fd < 0)
		return false;
	link = bpf_raw_tracepoint_open(name, fd);
	if (link >= 0)
		close(link);
	close(fd);
	return link >= 0;
}

/*
 * Before 5.11 the kernel charges BPF maps and programs to the locked-memory limit (64 KiB by
 * default there), not to the memory cgroup: raise the limit as far as this process may (all the
 * way with CAP_SYS_RESOURCE or as root; else the soft limit to the hard one) and remember it.
 */
static unsigned long long raise_memlock(void)
{
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};

	if (setrlimit(RLIMIT_MEMLOCK, &r) == 0)
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &r) != 0)
		return 0;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &r);
	}
	return r.rlim_cur == RLIM_INFINITY ? 0 : (unsigned long long)r.rlim_cur / 1024;
}

const struct ec_bpf_kernel *ec_bpf_kernel(void)
{
	static struct ec_bpf_kernel k;
	static gsize done;

	if (!g_once_init_enter(&done))
		return &k;
	k.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	k.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	k.uprobes = access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0;
	k.cookie =
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, NULL) == 1;
	k.task_pt_regs =
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) == 1;
	k.atomic_fetch = probe_atomic_fetch();
	k.tcx = probe_tcx();
	k.sock_tp = probe_raw_tp("sock_send_length");
	/* No direct probe for memcg accounting: bpf_ktime_get_coarse_ns came with it (5.11), and is
	 * what libbpf itself probes for the same question. */
	k.memcg = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_ktime_get_coarse_ns,
	                                  NULL) == 1;
	if (!k.memcg)
		k.memlock_kib = raise_memlock();
	if (!k.cookie)
		snprintf(k.why_multi, sizeof(k.why_multi), "no uprobe cookies");
	else
		k.uprobe_multi = probe_uprobe_multi(k.why_multi, sizeof(k.why_multi));
	/* The older kernels' ways, on request: so that they can be tested on a newer one. */
	if (env_set("ECAPTURE_NO_UPROBE_MULTI") && k.uprobe_multi) {
		k.uprobe_multi = false;
		snprintf(k.why_multi, sizeof(k.why_multi), "ECAPTURE_NO_UPROBE_MULTI=1");
	}
	if (env_set("ECAPTURE_NO_TASK_PT_REGS"))
		k.task_pt_regs = false;
	if (env_set("ECAPTURE_NO_ATOMIC_FETCH"))
		k.atomic_fetch = false;
	if (env_set("ECAPTURE_NO_TCX"))
		k.tcx = false;
	if (env_set("ECAPTURE_NO_SOCKET_TRACEPOINTS"))
		k.sock_tp = false;
	if (env_set("ECAPTURE_NO_UPROBE_COOKIE")) {
		k.cookie = k.uprobe_multi = false;
		snprintf(k.why_multi, sizeof(k.why_multi), "ECAPTURE_NO_UPROBE_COOKIE=1");
	}
	g_once_init_leave(&done, 1);
	return &k;
}

gboolean ec_bpf_kernel_usable(GError **err)
{
	const struct ec_bpf_kernel *k = ec_bpf_kernel();
	const char *what = NULL;

	if (!k->btf)
		what = "this kernel has no BTF (/sys/kernel/btf/vmlinux): boot one built with "
		       "CONFIG_DEBUG_INFO_BTF=y (Debian 11's 5.10 and later have it)";
	else if (!k->ringbuf)
		what = "this kernel has no BPF ring buffer (Linux 5.8 or later needed): boot a "
		       "newer kernel";
	else if (!k->uprobes)
		what = "this kernel has no uprobes (CONFIG_UPROBE_EVENTS): boot a kernel built "
		       "with them";
	if (what)
		g_set_error_literal(err, EC_ERROR, EC_ERROR_UNSUPPORTED, what);
	return !what;
}

char *ec_bpf_kernel_describe(void)
{
	const struct ec_bpf_kernel *k = ec_bpf_kernel();
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "BTF: %s; ring buffer: %s; uprobes: %s\n", k->btf ? "yes" : "NO",
	                       k->ringbuf ? "yes" : "NO", k->uprobes ? "yes" : "NO");
	if (k->uprobe_multi)
		g_string_append(s, "uprobes: uprobe_multi\n");
	else
		g_string_append_printf(s, "uprobes: perf (uprobe_multi unsupported: %s)\n",
		                       k->why_multi);
	g_string_append(s, k->cookie ? "uprobe cookies: yes\n"
	                             : "uprobe cookies: one program per probe point "
	                               "(bpf_get_attach_cookie unsupported)\n");
	g_string_append(s, k->tcx ? "packets: tcx\n" : "packets: clsact (tcx unsupported)\n");
	g_string_append(s, k->sock_tp ? "socket finder: socket tracepoints\n"
	                              : "socket finder: sys_enter (sock_send_length tracepoint "
	                                "unsupported)\n");
	g_string_append(s, k->task_pt_regs ? "user registers: bpf_task_pt_regs\n"
	                                   : "user registers: from the kernel stack "
	                                     "(bpf_task_pt_regs unsupported)\n");
	if (k->memcg)
		g_string_append(s, "BPF memory: memory cgroup\n");
	else if (!k->memlock_kib)
		g_string_append(s, "BPF memory: RLIMIT_MEMLOCK (unlimited; no memcg accounting)\n");
	else
		g_string_append_printf(
		    s, "BPF memory: RLIMIT_MEMLOCK (%llu KiB; no memcg accounting)\n",
		    k->memlock_kib);
	g_string_append(s, k->atomic_fetch ? "atomic fetch: yes"
	                                   : "atomic fetch: no (a connection's loss may be "
	                                     "counted twice)");
	return g_string_free(s, FALSE);
}

void ec_bpf_load_error(GError **err, const char *what, int rc)
{
	const struct ec_bpf_kernel *k = ec_bpf_kernel();

	if (rc == -EPERM && !k->memcg && k->memlock_kib)
		g_set_error(
		    err, EC_ERROR, EC_ERROR_FAILED,
		    "cannot load the %s BPF programs: %s: this kernel (before 5.11) charges "
		    "BPF memory to the locked-memory limit, %llu KiB for this process: raise "
		    "it (ulimit -l unlimited; LimitMEMLOCK=infinity; a 'memlock' line in "
		    "/etc/security/limits.conf) or capture as root",
		    what, g_strerror(-rc), k->memlock_kib);
	else
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot load the %s BPF programs: %s",
		            what, g_strerror(-rc));
}

/* Set the read-only variable NAME of OBJ (SIZE bytes of VAL) if OBJ has it. */
static void set_rodata(struct bpf_object *obj, const char *name, const void *val, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	struct bpf_map *m;
	size_t map_size;
	const void *cur;
	g_autofree char *data = NULL;
	int id;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return;
	bpf_object__for_each_map(m, obj)
	{
		if (bpf_map__is_internal(m) && g_str_has_suffix(bpf_map__name(m), ".rodata"))
			break;
	}
	if (!m || !(cur = bpf_map__initial_value(m, &map_size)))
		return;
	data = g_memdup2(cur, map_size);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), name) == 0 && vs->size == size &&
		    vs->offset + size <= map_size) {
			memcpy(data + vs->offset, val, size);
			bpf_map__set_initial_value(m, data, map_size);
		}
	}
}

void ec_bpf_kernel_apply(struct bpf_object *obj)
{
	const struct ec_bpf_kernel *k = ec_bpf_kernel();
	uint8_t no_cookie = !k->cookie, no_regs = !k->task_pt_regs;

	set_rodata(obj, "ec_no_cookie", &no_cookie, 1);
	set_rodata(obj, "ec_no_task_pt_regs", &no_regs, 1);
}

static struct bpf_program *program(struct bpf_object *obj, const struct ec_bpf_object_spec *s,
                                   const char *name, GError **err)
{
	struct bpf_program *p;

	if (!name)
		return NULL;
	p = bpf_object__find_program_by_name(obj, name);
	if (!p)
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "the %s BPF object has no program %s",
		            s->what, name);
	return p;
}

/* S's programs left out (S->skip) not loaded. */
static int skip_programs(struct bpf_object *obj, const struct ec_bpf_object_spec *s, GError **err)
{
	for (const char *const *n = s->skip; n && *n; n++) {
		struct bpf_program *p = program(obj, s, *n, err);
		int rc;

		if (!p)
			return -1;
		rc = bpf_program__set_autoload(p, false);
		if (rc) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot leave out %s: %s",
			            s->what, *n, g_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int size_maps(struct bpf_object *obj, const struct ec_bpf_object_spec *s, GError **err)
{
	for (size_t i = 0; i < s->n_sizes; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, s->sizes[i].name);
		int rc = m ? bpf_map__set_max_entries(m, s->sizes[i].max_entries) : -ENOENT;

		if (rc) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot size map %s: %s",
			            s->what, s->sizes[i].name, g_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Open and load S into L, every uprobe program of it loaded for uprobe_multi if MULTI. */
static int open_and_load(struct ec_bpf_loaded *l, const struct ec_bpf_object_spec *s,
                         struct ec_bpf_shared *shared, bool multi, GError **err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = s->name);
	struct bpf_program *prog;
	size_t size;
	const void *elf = s->elf_bytes(&size);
	int rc;

	l->obj = bpf_object__open_mem(elf, size, &oo);
	if (!l->obj) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the %s BPF object: %s",
		            s->what, g_strerror(errno));
		return -1;
	}
	l->entry = program(l->obj, s, s->entry, err);
	l->ret = program(l->obj, s, s->ret, err);
	if ((s->entry && !l->entry) || (s->ret && !l->ret) || skip_programs(l->obj, s, err) ||
	    size_maps(l->obj, s, err))
		return -1;
	if (multi) {
		bpf_object__for_each_program(prog, l->obj)
		{
			if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
				bpf_program__set_expected_attach_type(prog,
				                                      EC_BPF_TRACE_UPROBE_MULTI);
		}
	}
	ec_bpf_kernel_apply(l->obj);
	if (ec_bpf_shared_prepare(shared, l->obj, err))
		return -1;
	rc = bpf_object__load(l->obj);
	if (rc) {
		ec_bpf_load_error(err, s->what, rc);
		return -1;
	}
	return ec_bpf_shared_adopt(shared, l->obj, err);
}

/*
 * Each such object holds a descriptor per map: a capture of many libraries on a kernel without
 * cookies needs more than the usual soft limit of 1024 (the hard limit is the bound).
 */
static void raise_fd_limit(void)
{
	static gsize done;
	struct rlimit r;

	if (!g_once_init_enter(&done))
		return;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
	g_once_init_leave(&done, 1);
}

/*
 * Without uprobe cookies (< 5.15): PROG of L loaded again for COOKIE alone, in an object of
 * its own (with L's entry and return programs, the two a probe point's cookie goes with) whose
 * maps are L's (the shared ones and the object's own), once per cookie.
 */
static struct bpf_program *prog_for_cookie(void *ctx, struct bpf_program *prog, uint64_t cookie,
                                           GError **err)
{
	struct ec_bpf_loaded *l = ctx;
	const char *name = bpf_program__name(prog);
	g_autofree char *key = g_strdup_printf("%" G_GINT64_MODIFIER "x", cookie);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = l->spec->name);
	struct bpf_object *clone = g_hash_table_lookup(l->clones, key);
	struct bpf_program *p;
	struct bpf_map *m;
	size_t size;
	const void *elf;
	uint8_t one = 1;
	int rc;

	if (clone)
		return bpf_object__find_program_by_name(clone, name);
	raise_fd_limit();
	elf = l->spec->elf_bytes(&size);
	clone = bpf_object__open_mem(elf, size, &oo);
	if (!clone) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the %s BPF object: %s",
		            l->spec->what, g_strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(p, clone)
	{
		const char *n = bpf_program__name(p);

		bpf_program__set_autoload(p, strcmp(n, name) == 0 ||
		                                 g_strcmp0(n, l->spec->entry) == 0 ||
		                                 g_strcmp0(n, l->spec->ret) == 0);
	}
	ec_bpf_kernel_apply(clone);
	set_rodata(clone, "ec_no_cookie", &one, 1);
	set_rodata(clone, "ec_fixed_cookie", &cookie, sizeof(cookie));
	rc = 0;
	bpf_object__for_each_map(m, clone)
	{
		struct bpf_map *mine;

		if (bpf_map__is_internal(m) && g_str_has_suffix(bpf_map__name(m), ".rodata"))
			continue;
		mine = bpf_object__find_map_by_name(l->obj, bpf_map__name(m));
		if (!mine || (rc = bpf_map__reuse_fd(m, bpf_map__fd(mine))))
			break;
	}
	if (!rc)
		rc = bpf_object__load(clone);
	if (rc) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot load the %s BPF programs for cookie 0x%" G_GINT64_MODIFIER
		            "x: %s",
		            l->spec->what, cookie, g_strerror(rc < 0 ? -rc : EINVAL));
		bpf_object__close(clone);
		return NULL;
	}
	g_hash_table_insert(l->clones, g_steal_pointer(&key), clone);
	return bpf_object__find_program_by_name(clone, name);
}

static void clone_close(gpointer obj)
{
	bpf_object__close(obj);
}

int ec_bpf_load(struct ec_bpf_loaded *l, const struct ec_bpf_object_spec *spec,
                struct ec_bpf_shared *shared, GError **err)
{
	const struct ec_bpf_kernel *k = ec_bpf_kernel();

	memset(l, 0, sizeof(*l));
	l->spec = spec;
	if (open_and_load(l, spec, shared, k->uprobe_multi, err)) {
		ec_bpf_unload(l);
		return -1;
	}
	if (k->cookie) {
		l->uprobes = ec_uprobes_new(k->uprobe_multi, NULL, NULL);
	} else {
		l->clones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, clone_close);
		l->uprobes = ec_uprobes_new(false, prog_for_cookie, l);
	}
	return 0;
}

void ec_bpf_unload(struct ec_bpf_loaded *l)
{
	ec_uprobes_free(l->uprobes);
	if (l->clones)
		g_hash_table_unref(l->clones);
	bpf_object__close(l->obj);
	memset(l, 0, sizeof(*l));
}

struct bpf_map *ec_bpf_map(const struct ec_bpf_loaded *l, const char *name, GError **err)
{
	struct bpf_map *m = bpf_object__find_map_by_name(l->obj, name);

	if (!m)
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "the %s BPF object has no map %s",
		            bpf_object__name(l->obj), name);
	return m;
}
