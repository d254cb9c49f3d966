/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe points of one Go executable that uses crypto/tls: file offsets and the kinds the
 * probes get in their cookies (enum ec_go_fn_kind), found from the Go function table and the
 * disassembled code (capture/disasm.h), never from a symbol table alone.
 */
#ifndef EC_GO_TARGET_H
#define EC_GO_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ec_go_target {
	gchar *version;  /* "go1.19.8", or NULL when the build info is missing */
	int abi;         /* enum ec_go_abi */
	bool keys;       /* writeKeyLog is probed (and really called): keys come */
	bool data;       /* Read and writeRecordLocked are probed: plaintext and sockets */
	GArray *offsets; /* uint64_t file offsets */
	GArray *kinds;   /* uint32_t enum ec_go_fn_kind | EC_GO_STACK_ABI, one per offset */
};

/*
 * The probe points of the Go program PATH. 1: found (fills OUT); 0: not a Go program, or one
 * without crypto/tls (nothing to trace); -1 with ERR when it is one that cannot be traced.
 */
int ec_go_target_plan(const char *path, struct ec_go_target *out, GError **err);

void ec_go_target_clear(struct ec_go_target *t);

#endif
