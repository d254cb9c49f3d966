// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/pkt_filter.h"

#include <pcap/pcap.h>

#include "ec_error.h"
#include <linux/types.h>
#include "ecapture/events.h"

struct ec_pkt_filter {
	struct bpf_program prog;
};

struct ec_pkt_filter *ec_pkt_filter_new(const char *expr, int linktype, GError **err)
{
	pcap_t *dead = pcap_open_dead(linktype, EC_SNAPLEN);
	struct ec_pkt_filter *f;

	if (!dead) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "libpcap: cannot compile filters");
		return NULL;
	}
	f = g_new0(struct ec_pkt_filter, 1);
	if (pcap_compile(dead, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_INVALID, "invalid capture filter \"%s\": %s",
		            expr, pcap_geterr(dead));
		g_free(f);
		f = NULL;
	}
	pcap_close(dead);
	return f;
}

bool ec_pkt_filter_match(const struct ec_pkt_filter *f, const uint8_t *data, uint32_t caplen,
                         uint32_t len)
{
	struct pcap_pkthdr h = {.caplen = caplen, .len = len};

	return pcap_offline_filter(&f->prog, &h, data) != 0;
}

void ec_pkt_filter_free(struct ec_pkt_filter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	g_free(f);
}
