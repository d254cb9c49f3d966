// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/tc_attach.h"

#include "ec_error.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Not in libbpf 1.1's headers; the kernel has had them since 6.6. */
#define EC_BPF_TCX_INGRESS 46
#define EC_BPF_TCX_EGRESS  47

/* Our clsact filters carry this handle and priority, so a sweep can tell them from others'. */
#define EC_TC_HANDLE   0xec01
#define EC_TC_PRIORITY 0xec

/* Our TC programs' names start with this (see bpf/tc_capture.bpf.c). */
#define EC_TC_PROG_PREFIX "ec_tc_"

static int attach_tcx(int prog_fd, unsigned int ifindex, bool ingress)
{
	return bpf_link_create(prog_fd, ifindex, ingress ? EC_BPF_TCX_INGRESS : EC_BPF_TCX_EGRESS,
	                       NULL);
}

static int attach_clsact(int prog_fd, struct ec_tc_link *l)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
	            .attach_point = l->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = EC_TC_HANDLE,
	            .priority = EC_TC_PRIORITY, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	l->created_qdisc = (err == 0);
	err = bpf_tc_attach(&hook, &opts);
	if (err && l->created_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
		l->created_qdisc = false;
	}
	return err;
}

int ec_tc_attach(int prog_fd, unsigned int ifindex, bool ingress, bool force_legacy,
                 struct ec_tc_link *out, GError **err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->ifindex = ifindex;
	out->ingress = ingress;
	out->link_fd = -1;
	if (!force_legacy) {
		ret = attach_tcx(prog_fd, ifindex, ingress);
		if (ret >= 0) {
			out->link_fd = ret;
			return 0;
		}
		/* EINVAL: this kernel has no tcx; anything else is a real failure. */
		if (errno != EINVAL) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot attach the TC program (tcx %s, ifindex %u): %s",
			            ingress ? "ingress" : "egress", ifindex, g_strerror(errno));
			return -1;
		}
	}
	out->legacy = true;
	ret = attach_clsact(prog_fd, out);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot attach the TC program (clsact %s, ifindex %u): %s",
		            ingress ? "ingress" : "egress", ifindex, g_strerror(-ret));
		return -1;
	}
	return 0;
}

/* Whether the clsact hook still has any filter at the given attach point. */
static bool hook_has_filters(unsigned int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts);

	/* bpf_tc_query without handle/priority is not allowed; probe our slot only. */
	opts.handle = EC_TC_HANDLE;
	opts.priority = EC_TC_PRIORITY;
	return bpf_tc_query(&hook, &opts) == 0;
}

void ec_tc_detach(struct ec_tc_link *l)
{
	if (!l->legacy) {
		if (l->link_fd >= 0)
			close(l->link_fd);
		l->link_fd = -1;
		return;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
	            .attach_point = l->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EC_TC_HANDLE, .priority = EC_TC_PRIORITY);
	bpf_tc_detach(&hook, &opts);
	if (l->created_qdisc && !hook_has_filters(l->ifindex, BPF_TC_INGRESS) &&
	    !hook_has_filters(l->ifindex, BPF_TC_EGRESS)) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	l->legacy = false;
}

static bool is_our_prog(unsigned int prog_id)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool ours;

	if (fd < 0)
		return false;
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	       strncmp(info.name, EC_TC_PROG_PREFIX, strlen(EC_TC_PROG_PREFIX)) == 0;
	close(fd);
	return ours;
}

int ec_tc_sweep_stale(unsigned int ifindex)
{
	static const enum bpf_tc_attach_point points[] = {BPF_TC_INGRESS, BPF_TC_EGRESS};
	int removed = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(points); i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = points[i]);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EC_TC_HANDLE, .priority = EC_TC_PRIORITY);

		if (bpf_tc_query(&hook, &opts) != 0 || !is_our_prog(opts.prog_id))
			continue;
		opts.prog_id = 0;
		opts.prog_fd = 0;
		opts.flags = 0;
		if (bpf_tc_detach(&hook, &opts) == 0)
			removed++;
	}
	return removed;
}
