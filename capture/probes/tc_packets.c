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

/* The program variants: with atomic fetch (5.12+) or without. */
static const char *const fetch_progs[] = {"ec_tc_ingress", "ec_tc_egress", NULL};
static const char *const nofetch_progs[] = {"ec_tc_ingress_nofetch", "ec_tc_egress_nofetch", NULL};

struct ec_packets {
	struct ec_bpf_object_spec spec; /* its scratch map sized to this machine's CPUs */
	struct ec_bpf_map_size scratch;
	struct ec_bpf_loaded bpf;
	struct bpf_program *ingress, *egress;
	int ifaces_fd, counts_fd;
	GArray *links; /* struct ec_tc_link */
	int ncpus;
	struct ec_if_count *percpu; /* one value per CPU, for ec_if_counts: reused */
};

/* The fd of map NAME of P's object, or -1 with ERR set. */
static int map_fd(struct ec_packets *p, const char *name, GError **err)
{
	struct bpf_map *m = ec_bpf_map(&p->bpf, name, err);

	return m ? bpf_map__fd(m) : -1;
}

struct ec_packets *ec_packets_load(struct ec_bpf_shared *shared, GError **err)
{
	struct ec_packets *p = g_new0(struct ec_packets, 1);
	int ncpus = libbpf_num_possible_cpus();
	/* Kernels before 5.12 refuse atomic fetch instructions even where they are not reached:
	 * the programs without them, there. */
	bool nofetch = !ec_bpf_kernel()->atomic_fetch;
	const char *const *progs = nofetch ? nofetch_progs : fetch_progs;

	p->links = g_array_new(FALSE, TRUE, sizeof(struct ec_tc_link));
	p->ncpus = ncpus;
	p->percpu = g_new0(struct ec_if_count, ncpus > 0 ? ncpus : 1);
	if (ncpus <= 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot size the packet buffers: %s",
		            g_strerror(-ncpus));
		goto fail;
	}
	p->scratch = (struct ec_bpf_map_size){"ec_pkt_scratch", (uint32_t)ncpus};
	p->spec = (struct ec_bpf_object_spec){.what = "TC",
	                                      .name = "tc_capture_bpf",
	                                      .elf_bytes = tc_capture_bpf__elf_bytes,
	                                      .sizes = &p->scratch,
	                                      .n_sizes = 1,
	                                      .skip = nofetch ? fetch_progs : nofetch_progs};
	if (ec_bpf_load(&p->bpf, &p->spec, shared, err))
		goto fail;
	p->ingress = bpf_object__find_program_by_name(p->bpf.obj, progs[0]);
	p->egress = bpf_object__find_program_by_name(p->bpf.obj, progs[1]);
	if (!p->ingress || !p->egress) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "the TC BPF object has no %s or %s",
		            progs[0], progs[1]);
		goto fail;
	}
	p->ifaces_fd = map_fd(p, "ec_ifaces", err);
	if (p->ifaces_fd < 0 || (p->counts_fd = map_fd(p, "ec_if_counts", err)) < 0)
		goto fail;
	return p;
fail:
	ec_packets_destroy(p);
	return NULL;
}

static int attach_one(struct ec_packets *p, const struct ec_netif *n, bool ingress, bool legacy,
                      GError **err)
{
	struct bpf_program *prog = ingress ? p->ingress : p->egress;
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
	for (guint i = 0; i < ifs->len; i++) {
		const struct ec_netif *n = &g_array_index(ifs, struct ec_netif, i);
		int swept = ec_tc_sweep_stale(n->ifindex);

		if (swept > 0)
			g_message("%s: removed %d TC filter(s) left by an earlier run", n->name,
			          swept);
		memset(p->percpu, 0, sizeof(*p->percpu) * (size_t)p->ncpus);
		if (bpf_map_update_elem(p->ifaces_fd, &n->ifindex, &n->l2_len, BPF_ANY) ||
		    bpf_map_update_elem(p->counts_fd, &n->ifindex, p->percpu, BPF_ANY)) {
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
	if (!p || !p->bpf.obj || bpf_map_lookup_elem(p->counts_fd, &key, p->percpu))
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
	ec_bpf_unload(&p->bpf);
	g_free(p->percpu);
	g_free(p);
}
