// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NSS programs: every libnspr4 found (the system's, those mapped by running processes,
 * --libnspr), probed by bpf/nss.bpf.c for plaintext and sockets. No keys: see that file.
 */
#include <errno.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/libraries.h"
#include "modules/module.h"
#include "nss.skel.h"
#include "probes/uprobe_module.h"

static const struct ec_uprobe_fn hooked_functions[] = {
    {"PR_Write", EC_NSPR_WRITE, true, true, false},  {"PR_Send", EC_NSPR_WRITE, true, true, false},
    {"PR_Read", EC_NSPR_READ, true, true, false},    {"PR_Recv", EC_NSPR_READ, true, true, false},
    {"PR_Close", EC_NSPR_CLOSE, true, false, false},
};

struct ec_nss {
	struct nss_bpf *skel;
	struct ec_uprobes *uprobes;
	GPtrArray *libs; /* struct ec_target_file *, indexed by lib_id */
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

EC_UPROBE_SKEL(nss_skel, nss_bpf, "NSS");

static void *module_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                         GError **err)
{
	GPtrArray *libs = ec_find_libs(ec_is_libnspr_name, (const char *const *)o->libnspr, err);
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
	s->skel = ec_uprobe_skel_load(&nss_skel, shared, &s->uprobes, err);
	if (!s->skel) {
		destroy(s);
		return NULL;
	}
	return s;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct ec_nss *s = state;

	for (guint id = 0; id < s->libs->len; id++) {
		const struct ec_target_file *lib = s->libs->pdata[id];
		int r = ec_probe_file(s->uprobes, s->skel->progs.ec_nss_entry,
		                      s->skel->progs.ec_nss_return, lib, hooked_functions,
		                      G_N_ELEMENTS(hooked_functions), id, o->pids, err);

		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* left out with a warning */
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
