// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/tc_packets.h"

#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "probes/bpf_loader.h"
#include "probes/tc_attach.h"
#include "tc_capture.skel.h"

struct ec_packets {
	struct tc_capture_bpf *skel;
	bool nofetch;  /* the programs without atomic fetch were loaded */
	GArray *links; /* struct ec_tc_link */
	int ncpus;
	struct ec_if_count *percpu; /* one value per CPU, for ec_if_counts: reused */
};

struct ec_packets *ec_packets_load(struct ec_bpf_shared *shared, GError **err)
{
	struct ec_packets *p = g_new0(struct ec_packets, 1);
	int ncpus = libbpf_num_possible_cpus();
	int ret;

	p->links = g_array_new(FALSE, TRUE, sizeof(struct ec_tc_link));
	p->ncpus = ncpus;
	p->percpu = g_new0(struct ec_if_count, ncpus > 0 ? ncpus : 1);
	p->skel = tc_capture_bpf__open();
	if (!p->skel) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot open the TC BPF object");
		goto fail;
	}
	if (ncpus <= 0 || bpf_map__set_max_entries(p->skel->maps.ec_pkt_scratch, ncpus)) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot size the packet buffers");
		goto fail;
	}
	/* Kernels before 5.12 refuse atomic fetch instructions even where they are not reached:
	 * the programs without them, there. */
	p->nofetch = !ec_bpf_kernel()->atomic_fetch;
	bpf_program__set_autoload(p->skel->progs.ec_tc_ingress, !p->nofetch);
	bpf_program__set_autoload(p->skel->progs.ec_tc_egress, !p->nofetch);
	bpf_program__set_autoload(p->skel->progs.ec_tc_ingress_nofetch, p->nofetch);
	bpf_program__set_autoload(p->skel->progs.ec_tc_egress_nofetch, p->nofetch);
	ec_bpf_kernel_apply(p->skel->obj);
	if (ec_bpf_shared_prepare(shared, p->skel->obj, err))
		goto fail;
	ret = tc_capture_bpf__load(p->skel);
	if (ret) {
		ec_bpf_load_error(err, "TC", ret);
		goto fail;
	}
	if (ec_bpf_shared_adopt(shared, p->skel->obj, err))
		goto fail;
	return p;
fail:
	ec_packets_destroy(p);
	return NULL;
}

static int attach_one(struct ec_packets *p, const struct ec_netif *n, bool ingress, bool legacy,
                      GError **err)
{
	struct bpf_program *prog =
	    p->nofetch ? (ingress ? p->skel->progs.ec_tc_ingress_nofetch
	                          : p->skel->progs.ec_tc_egress_nofetch)
	               : (ingress ? p->skel->progs.ec_tc_ingress : p->skel->progs.ec_tc_egress);
	struct ec_tc_link link;

	if (ec_tc_attach(bpf_program__fd(prog), n->ifindex, ingress, legacy, &link, err)) {
		g_prefix_error(err, "%s: ", n->name);
		return -1;
	}
	g_array_append_val(p->links, link);
	return 0;
}

int ec_packets_attach(struct ec_packets *p, GArray *ifs, bool tc_legacy, GError **err)
{
	int ifaces_fd = bpf_map__fd(p->skel->maps.ec_ifaces);
	int counts_fd = bpf_map__fd(p->skel->maps.ec_if_counts);

	for (guint i = 0; i < ifs->len; i++) {
		const struct ec_netif *n = &g_array_index(ifs, struct ec_netif, i);
		int swept = ec_tc_sweep_stale(n->ifindex);

		if (swept > 0)
			g_message("%s: removed %d TC filter(s) left by an earlier run", n->name,
			          swept);
		memset(p->percpu, 0, sizeof(*p->percpu) * (size_t)p->ncpus);
		if (bpf_map_update_elem(ifaces_fd, &n->ifindex, &n->l2_len, BPF_ANY) ||
		    bpf_map_update_elem(counts_fd, &n->ifindex, p->percpu, BPF_ANY)) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "%s: cannot configure: %s",
			            n->name, g_strerror(errno));
			return -1;
		}
		if (attach_one(p, n, false, tc_legacy, err))
			return -1;
		if (!n->loopback && attach_one(p, n, true, tc_legacy, err))
			return -1;
	}
	return 0;
}

void ec_packets_detach(struct ec_packets *p)
{
	if (!p)
		return;
	/* Reverse order: a clsact qdisc we created goes with its last filter. */
	for (guint i = p->links->len; i-- > 0;)
		ec_tc_detach(&g_array_index(p->links, struct ec_tc_link, i));
	g_array_set_size(p->links, 0);
}

int ec_packets_if_count(struct ec_packets *p, unsigned int ifindex, struct ec_if_count *sum)
{
	__u32 key = ifindex;

	memset(sum, 0, sizeof(*sum));
	if (!p || !p->skel ||
	    bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.ec_if_counts), &key, p->percpu))
		return -1;
	for (int c = 0; c < p->ncpus; c++) {
		sum->seen += p->percpu[c].seen;
		sum->lost += p->percpu[c].lost;
	}
	return 0;
}

void ec_packets_destroy(struct ec_packets *p)
{
	if (!p)
		return;
	ec_packets_detach(p);
	g_array_unref(p->links);
	tc_capture_bpf__destroy(p->skel);
	g_free(p->percpu);
	g_free(p);
}
