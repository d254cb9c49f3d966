// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/sockets.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

int ec_sock_diag_open(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

int ec_sock_diag_find(int fd, const struct ec_flow_key *flow, bool local_a,
                      struct ec_sock_info *out)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} rq = {
	    .nlh = {.nlmsg_len = sizeof(rq),
	            .nlmsg_type = SOCK_DIAG_BY_FAMILY,
	            .nlmsg_flags = NLM_F_REQUEST,
	            .nlmsg_seq = 1},
	    .req = {.sdiag_family = flow->family,
	            .sdiag_protocol = IPPROTO_TCP,
	            .idiag_states = ~0u,
	            .id = {.idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
	};
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	} resp;
	const struct nlmsghdr *h = &resp.nlh;
	size_t alen = flow->family == AF_INET ? 4 : 16;
	ssize_t n;

	if (flow->family != AF_INET && flow->family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	rq.req.id.idiag_sport = local_a ? flow->port_a : flow->port_b;
	rq.req.id.idiag_dport = local_a ? flow->port_b : flow->port_a;
	memcpy(rq.req.id.idiag_src, local_a ? flow->addr_a : flow->addr_b, alen);
	memcpy(rq.req.id.idiag_dst, local_a ? flow->addr_b : flow->addr_a, alen);
	if (send(fd, &rq, sizeof(rq), 0) < 0)
		return -1;
	n = recv(fd, &resp, sizeof(resp), 0);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(*h) || !NLMSG_OK(h, (size_t)n)) {
		errno = EPROTO;
		return -1;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? -e->error : EPROTO;
		return -1;
	}
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
		errno = EPROTO;
		return -1;
	}
	{
		const struct inet_diag_msg *m = NLMSG_DATA(h);

		out->uid = m->idiag_uid;
		out->inode = m->idiag_inode;
	}
	if (!out->inode) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

bool ec_proc_has_socket(pid_t pid, uint64_t inode)
{
	char path[64], want[48], link[64];
	struct dirent *d;
	bool found = false;
	DIR *dir;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);
	dir = opendir(path);
	if (!dir)
		return false;
	dfd = dirfd(dir);
	while (!found && (d = readdir(dir))) {
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(dir);
	return found;
}
