// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NSS programs: every libnspr4 found (the system's, those mapped by running processes,
 * --libnspr), probed by bpf/nss.bpf.c for plaintext and sockets. No keys: see that file.
 */
#include <errno.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "ecapture.h"
#include "lib_discovery.h"
#include "module.h"
#include "nss.skel.h"
#include "uprobe_attach.h"
#include "uprobe_multi.h"

static const struct ec_uprobe_fn hooked_functions[] = {
    {"PR_Write", EC_NSPR_WRITE, true, true, false},  {"PR_Send", EC_NSPR_WRITE, true, true, false},
    {"PR_Read", EC_NSPR_READ, true, true, false},    {"PR_Recv", EC_NSPR_READ, true, true, false},
    {"PR_Close", EC_NSPR_CLOSE, true, false, false},
};

struct ec_nss {
	struct nss_bpf *skel;
	struct ec_uprobes *uprobes;
	GPtrArray *libs; /* struct ec_lib_file *, indexed by lib_id */
	guint n_attached;
};

static void destroy(void *state)
{
	struct ec_nss *s = state;

	if (!s)
		return;
	ec_uprobes_free(s->uprobes);
	nss_bpf__destroy(s->skel);
	if (s->libs)
		g_ptr_array_unref(s->libs);
	g_free(s);
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & EC_TLSLIB_NSS);
}

static int open_and_load(struct ec_nss *s, struct ec_bpf_shared *shared, bool multi, GError **err)
{
	int ret;

	s->skel = nss_bpf__open();
	if (!s->skel) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the NSS BPF object");
		return -1;
	}
	if (multi) {
		bpf_program__set_expected_attach_type(s->skel->progs.ec_nss_entry,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(s->skel->progs.ec_nss_return,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
	}
	if (ec_bpf_shared_prepare(shared, s->skel->obj, err))
		return -1;
	ret = nss_bpf__load(s->skel);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot load the NSS BPF programs: %s",
		            g_strerror(-ret));
		return -1;
	}
	return 0;
}

static void *module_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                         GError **err)
{
	GPtrArray *libs = ec_find_libs(ec_is_libnspr_name, (const char *const *)o->libnspr, err);
	g_autoptr(GError) multi_err = NULL;
	bool multi = g_strcmp0(g_getenv("ECAPTURE_NO_UPROBE_MULTI"), "1") != 0;
	struct ec_nss *s;

	if (!libs)
		return NULL;
	if (libs->len == 0) {
		g_ptr_array_unref(libs);
		return NULL;
	}
	s = g_new0(struct ec_nss, 1);
	s->libs = libs;
	if (libs->len > EC_MAX_LIBS)
		g_ptr_array_set_size(libs, EC_MAX_LIBS);
	/* Kernels before 6.6 refuse the uprobe_multi attach type: perf uprobes then. */
	if (multi && open_and_load(s, shared, true, &multi_err)) {
		g_debug("no uprobe_multi (%s): one perf uprobe per function", multi_err->message);
		nss_bpf__destroy(s->skel);
		s->skel = NULL;
		multi = false;
	}
	if ((!multi && !s->skel && open_and_load(s, shared, false, err)) ||
	    ec_bpf_shared_adopt(shared, s->skel->obj, err)) {
		destroy(s);
		return NULL;
	}
	s->uprobes = ec_uprobes_new(multi);
	return s;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct ec_nss *s = state;

	for (guint id = 0; id < s->libs->len; id++) {
		const struct ec_lib_file *lib = s->libs->pdata[id];
		guint n_pids = o->pids->len ? o->pids->len : 1;
		g_autoptr(GError) aerr = NULL;

		for (guint p = 0; p < n_pids && !aerr; p++) {
			pid_t pid = o->pids->len ? g_array_index(o->pids, pid_t, p) : -1;

			ec_uprobes_attach(s->uprobes, s->skel->progs.ec_nss_entry,
			                  s->skel->progs.ec_nss_return, lib->path, hooked_functions,
			                  G_N_ELEMENTS(hooked_functions), id, pid, &aerr);
		}
		if (aerr) {
			if (lib->requested) {
				g_propagate_error(err, g_steal_pointer(&aerr));
				return -1;
			}
			g_warning("not tracing %s: %s", lib->path, aerr->message);
			continue;
		}
		g_message("tracing NSPR %s (NSS plaintext; no keys)", lib->path);
		s->n_attached++;
	}
	return 0;
}

static char *describe(void *state)
{
	struct ec_nss *s = state;

	if (!s->n_attached)
		return NULL;
	return g_strdup_printf("NSS: %u librar%s", s->n_attached, s->n_attached == 1 ? "y" : "ies");
}

const struct ec_module_ops ec_mod_nss = {
    .name = "nss",
    .tls = true,
    .wanted = wanted,
    .load = module_load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
