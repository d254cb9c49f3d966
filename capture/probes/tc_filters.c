// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/tc_filters.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "ec_error.h"

/* The BPF program id inside a filter's TCA_OPTIONS, 0 if none. */
static uint32_t bpf_prog_id(const struct rtattr *opts)
{
	int len = (int)RTA_PAYLOAD(opts);

	for (const struct rtattr *a = RTA_DATA(opts); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == TCA_BPF_ID && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			return *(const uint32_t *)RTA_DATA(a);
	return 0;
}

/* One RTM_NEWTFILTER message into OUT (the per-priority heads, handle 0, are left out). */
static void add_filter(const struct nlmsghdr *nh, GArray *out)
{
	const struct tcmsg *t = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*t));
	struct ec_tc_filter f = {.handle = t->tcm_handle,
	                         .priority = (uint16_t)(TC_H_MAJ(t->tcm_info) >> 16)};

	if (len < 0 || !f.handle)
		return;
	for (const struct rtattr *a =
	         (const struct rtattr *)((const char *)t + NLMSG_ALIGN(sizeof(*t)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == TCA_OPTIONS)
			f.prog_id = bpf_prog_id(a);
	g_array_append_val(out, f);
}

int ec_tc_list_filters(unsigned int ifindex, bool ingress, GArray *out, GError **err)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
	    .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
	           .nlmsg_type = RTM_GETTFILTER,
	           .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
	           .nlmsg_seq = 1},
	    .t = {.tcm_family = AF_UNSPEC,
	          .tcm_ifindex = (int)ifindex,
	          .tcm_parent =
	              TC_H_MAKE(TC_H_CLSACT, ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS)},
	};
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int ret = -1;

	if (fd < 0 || send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot list the TC filters: %s",
		            g_strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot list the TC filters: %s",
			            n < 0 ? g_strerror(errno) : "the kernel closed the socket");
			goto out;
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				/* No clsact qdisc on the interface: no filters. */
				if (e->error == -EINVAL || e->error == -ENOENT) {
					ret = 0;
					goto out;
				}
				g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
				            "cannot list the TC filters: %s",
				            g_strerror(-e->error));
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				add_filter(nh, out);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
