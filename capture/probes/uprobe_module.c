// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/uprobe_module.h"

#include <bpf/libbpf.h>

#include "ec_error.h"
#include "probes/uprobe_multi.h"

/* Open and load K, every uprobe program of it loaded for uprobe_multi if MULTI. */
static void *open_and_load(const struct ec_uprobe_skel *k, struct ec_bpf_shared *shared, bool multi,
                           GError **err)
{
	void *skel = k->open();
	struct bpf_program *prog;
	int ret;

	if (!skel) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the %s BPF object",
		            k->what);
		return NULL;
	}
	if (multi) {
		bpf_object__for_each_program(prog, k->object(skel))
		{
			if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
				bpf_program__set_expected_attach_type(prog,
				                                      EC_BPF_TRACE_UPROBE_MULTI);
		}
	}
	if (ec_bpf_shared_prepare(shared, k->object(skel), err))
		goto fail;
	ret = k->load(skel);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot load the %s BPF programs: %s",
		            k->what, g_strerror(-ret));
		goto fail;
	}
	return skel;
fail:
	k->destroy(skel);
	return NULL;
}

void *ec_uprobe_skel_load(const struct ec_uprobe_skel *k, struct ec_bpf_shared *shared,
                          struct ec_uprobes **uprobes, GError **err)
{
	g_autoptr(GError) multi_err = NULL;
	bool multi = g_strcmp0(g_getenv("ECAPTURE_NO_UPROBE_MULTI"), "1") != 0;
	void *skel = NULL;

	/* Kernels before 6.6 refuse the uprobe_multi attach type at load: perf uprobes then. */
	if (multi && !(skel = open_and_load(k, shared, true, &multi_err))) {
		g_debug("%s: no uprobe_multi (%s): one perf uprobe per probe point", k->what,
		        multi_err->message);
		multi = false;
	}
	if (!skel && !(skel = open_and_load(k, shared, false, err)))
		return NULL;
	if (ec_bpf_shared_adopt(shared, k->object(skel), err)) {
		k->destroy(skel);
		return NULL;
	}
	*uprobes = ec_uprobes_new(multi);
	return skel;
}

int ec_probe_file(struct ec_uprobes *u, struct bpf_program *entry, struct bpf_program *ret,
                  const struct ec_target_file *file, const struct ec_uprobe_fn *fns, size_t n_fns,
                  uint32_t lib_id, const GArray *pids, GError **err)
{
	g_autoptr(GError) aerr = NULL;
	guint n = pids && pids->len ? pids->len : 1;

	for (guint i = 0; i < n && !aerr; i++)
		ec_uprobes_attach(u, entry, ret, file->path, fns, n_fns, lib_id,
		                  pids && pids->len ? g_array_index(pids, pid_t, i) : -1, &aerr);
	return aerr ? ec_probe_failed(file, &aerr, err) : 1;
}

int ec_probe_failed(const struct ec_target_file *file, GError **aerr, GError **err)
{
	if (file->requested) {
		g_propagate_error(err, g_steal_pointer(aerr));
		return -1;
	}
	g_warning("not tracing %s: %s", file->path, (*aerr)->message);
	g_clear_error(aerr);
	return 0;
}
