// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/uprobe_multi.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EC_BPF_LINK_CREATE           28
#define EC_BPF_F_UPROBE_MULTI_RETURN 1

/* The link_create member of union bpf_attr, as the kernel (6.6+) lays it out for uprobe_multi. */
struct link_create_uprobe_multi {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t multi_flags;
	uint32_t pid;
	uint32_t pad; /* the kernel wants every byte past what it knows to be zero */
};

int ec_uprobe_multi_attach(int prog_fd, const char *path, const uint64_t *offsets,
                           const uint64_t *cookies, uint32_t cnt, bool retprobe, pid_t pid)
{
	struct link_create_uprobe_multi attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.attach_type = EC_BPF_TRACE_UPROBE_MULTI;
	attr.path = (uint64_t)(uintptr_t)path;
	attr.offsets = (uint64_t)(uintptr_t)offsets;
	attr.cookies = (uint64_t)(uintptr_t)cookies;
	attr.cnt = cnt;
	attr.multi_flags = retprobe ? EC_BPF_F_UPROBE_MULTI_RETURN : 0;
	attr.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = syscall(__NR_bpf, EC_BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : (int)fd;
}
