/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uprobe_multi links (kernel >= 6.6): one link puts a program on many functions of a file at
 * once, and removing it waits for one RCU grace period instead of one per probe. libbpf 1.1
 * predates them, so this issues BPF_LINK_CREATE itself.
 */
#ifndef EC_UPROBE_MULTI_H
#define EC_UPROBE_MULTI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The expected_attach_type a program must be loaded with to be used here. */
#define EC_BPF_TRACE_UPROBE_MULTI 48

/*
 * Attach PROG_FD at the file OFFSETS of PATH (CNT of them, with a cookie each), on return if
 * RETPROBE, in process PID only if PID > 0. Returns the link fd, or -errno.
 */
int ec_uprobe_multi_attach(int prog_fd, const char *path, const uint64_t *offsets,
                           const uint64_t *cookies, uint32_t cnt, bool retprobe, pid_t pid);

#endif
