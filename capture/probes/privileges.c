// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/privileges.h"

#include <stdbool.h>
#include <string.h>

#include "ec_error.h"

gboolean ec_capture_privileged(GError **err)
{
	/* Effective capabilities; root normally has them all. */
	static const int needed[] = {12 /* NET_ADMIN */, 38 /* PERFMON */, 39 /* BPF */,
	                             19 /* SYS_PTRACE: other processes' maps */};
	g_autofree char *status = NULL;
	g_autoptr(GError) read_err = NULL;
	const char *line;
	guint64 eff;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, &read_err) ||
	    !(line = strstr(status, "CapEff:"))) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot read /proc/self/status: %s",
		            read_err ? read_err->message : "no CapEff line");
		return FALSE;
	}
	eff = g_ascii_strtoull(line + 7, NULL, 16);
	for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
		/* CAP_SYS_ADMIN (21) stands in for BPF and PERFMON on older kernels. */
		bool have = (eff >> needed[i]) & 1 ||
		            ((needed[i] == 38 || needed[i] == 39) && ((eff >> 21) & 1));

		if (!have) {
			g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION,
			            "eCapture needs root privileges, or the capabilities CAP_BPF, "
			            "CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_PTRACE (the package gives "
			            "them to members of the group " ECAPTURE_GROUP ")");
			return FALSE;
		}
	}
	return TRUE;
}
