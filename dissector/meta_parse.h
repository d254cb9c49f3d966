/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-packet process comment of ecapture/record.h, parsed. */
#ifndef EC_META_PARSE_H
#define EC_META_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <wireshark.h>

struct ec_meta {
	char *comm; /* as written (may be empty) */
	uint32_t pid, tid, uid;
	bool has_fd;
	int32_t fd;
	char *cmdline; /* unescaped; NULL when absent */
};

/*
 * Parse S, `<comm> pid=<pid> tid=<tid> uid=<uid>[ fd=<fd>][ cmdline="<cmdline>"]`, the whole
 * string. Strings are allocated in SCOPE. False (and M undefined) when S is not in that form.
 */
bool ec_meta_parse(wmem_allocator_t *scope, const char *s, struct ec_meta *m);

#endif
