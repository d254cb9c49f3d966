/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whose is a TCP connection's socket in this network namespace: its uid and inode, asked of the
 * kernel through sock_diag (one request per end, while the socket is open), and whether a
 * process holds that socket among its fds (/proc/PID/fd).
 */
#ifndef EC_SOCKETS_H
#define EC_SOCKETS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "ecapture/events.h"

struct ec_sock_info {
	uint32_t uid;   /* the socket's owner (the uid that created it) */
	uint64_t inode; /* 0: none (closed, or a time-wait entry) */
};

/* A sock_diag netlink socket, or -1 with errno set. */
int ec_sock_diag_open(void);

/*
 * The socket of FLOW whose local end is endpoint a (LOCAL_A) or b. 0, or -1 with errno set
 * (ENOENT: no such open socket here).
 */
int ec_sock_diag_find(int fd, const struct ec_flow_key *flow, bool local_a,
                      struct ec_sock_info *out);

/* Whether process PID holds socket INODE. */
bool ec_proc_has_socket(pid_t pid, uint64_t inode);

#endif
