// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NSS programs: every libnspr4 found (the system's, those mapped by running processes,
 * --libnspr), probed by bpf/nss.bpf.c for plaintext and sockets. No keys: see that file.
 */
#include <linux/types.h>

#include "ecapture/events.h"
#include "ecapture/record.h"
#include "modules/tls_family.h"
#include "nss.skel.h"
#include "targets/libraries.h"

static const struct ec_uprobe_fn hooked_functions[] = {
    {"PR_Write", EC_NSPR_WRITE, true, true, false},  {"PR_Send", EC_NSPR_WRITE, true, true, false},
    {"PR_Read", EC_NSPR_READ, true, true, false},    {"PR_Recv", EC_NSPR_READ, true, true, false},
    {"PR_Close", EC_NSPR_CLOSE, true, false, false},
};

static GPtrArray *find(const struct ec_capture_opts *o, GError **err)
{
	return ec_find_libs(ec_is_libnspr_name, (const char *const *)o->libnspr, err);
}

static GPtrArray *find_in_process(pid_t pid)
{
	return ec_find_libs_of_process(ec_is_libnspr_name, pid);
}

static int plan(struct ec_tls_target *t, uint32_t id, GError **err)
{
	t->note = " (NSS plaintext; no keys)";
	t->keys = g_strdup("none, plaintext only");
	return ec_uprobe_points_add_fns(&t->points, t->file->path, hooked_functions,
	                                G_N_ELEMENTS(hooked_functions), id, false, err)
	           ? -1
	           : 1;
}

static const struct ec_tls_module_desc nss_desc = {
    .label = "NSS",
    .unit = "library",
    .units = "libraries",
    .tracing = "NSPR ",
    .tls_lib = EC_TLSLIB_NSS,
    .source = EC_RECORD_SRC_NSS,
    .object = {.what = "NSS",
               .name = "nss_bpf",
               .elf_bytes = nss_bpf__elf_bytes,
               .entry = "ec_nss_entry",
               .ret = "ec_nss_return"},
    .find = find,
    .find_in_process = find_in_process,
    .plan = plan,
};

EC_TLS_MODULE(ec_mod_nss, "nss", nss_desc);
