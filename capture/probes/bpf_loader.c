// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/bpf_loader.h"

#include <errno.h>
#include <string.h>

#include "ec_error.h"
#include "user_rights.h"
#include "probes/uprobe_multi.h"

/* Whether uprobe_multi links are to be tried at all (else perf uprobes). */
static bool multi_wanted(void)
{
	return g_strcmp0(ec_env_get("ECAPTURE_NO_UPROBE_MULTI"), "1") != 0;
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
	if ((s->entry && !l->entry) || (s->ret && !l->ret) || size_maps(l->obj, s, err))
		return -1;
	if (multi) {
		bpf_object__for_each_program(prog, l->obj)
		{
			if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
				bpf_program__set_expected_attach_type(prog,
				                                      EC_BPF_TRACE_UPROBE_MULTI);
		}
	}
	if (ec_bpf_shared_prepare(shared, l->obj, err))
		return -1;
	rc = bpf_object__load(l->obj);
	if (rc) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot load the %s BPF programs: %s",
		            s->what, g_strerror(-rc));
		return -1;
	}
	return ec_bpf_shared_adopt(shared, l->obj, err);
}

int ec_bpf_load(struct ec_bpf_loaded *l, const struct ec_bpf_object_spec *spec,
                struct ec_bpf_shared *shared, GError **err)
{
	g_autoptr(GError) multi_err = NULL;
	bool multi = multi_wanted();

	memset(l, 0, sizeof(*l));
	/* Kernels before 6.6 refuse the uprobe_multi attach type at load: perf uprobes then. */
	if (multi && open_and_load(l, spec, shared, true, &multi_err)) {
		g_debug("%s: no uprobe_multi (%s): one perf uprobe per probe point", spec->what,
		        multi_err->message);
		ec_bpf_unload(l);
		multi = false;
	}
	if (!multi && open_and_load(l, spec, shared, false, err)) {
		ec_bpf_unload(l);
		return -1;
	}
	l->uprobes = ec_uprobes_new(multi);
	return 0;
}

void ec_bpf_unload(struct ec_bpf_loaded *l)
{
	ec_uprobes_free(l->uprobes);
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
