// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/interfaces.h"

#include <string.h>

#include "ec_error.h"
#include "ecapture/record.h"
#include "output/pkt_filter.h"
#include "output/writer.h"
#include "targets/netif.h"

GArray *ec_engine_select_netifs(const struct engine *e, GError **err)
{
	g_autoptr(GArray) all = ec_netif_list(err);
	GArray *chosen;

	if (!all)
		return NULL;
	chosen = g_array_new(FALSE, TRUE, sizeof(struct ec_netif));
	if (e->opts->netifs && e->opts->netifs[0]) {
		for (char **name = e->opts->netifs; *name; name++) {
			const struct ec_netif *n = ec_netif_find(all, *name);

			if (!n) {
				g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
				            "network interface %s does not exist", *name);
				goto fail;
			}
			if (!n->supported) {
				g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
				            "network interface %s: link type %u is not supported",
				            *name, n->arphrd);
				goto fail;
			}
			g_array_append_val(chosen, *n);
		}
	} else {
		for (guint i = 0; i < all->len; i++) {
			const struct ec_netif *n = &g_array_index(all, struct ec_netif, i);

			if (n->up && n->supported)
				g_array_append_val(chosen, *n);
		}
	}
	if (chosen->len == 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no network interface to capture on");
		goto fail;
	}
	return chosen;
fail:
	g_array_unref(chosen);
	return NULL;
}

int ec_engine_add_netif(struct engine *e, unsigned int ifindex, const char *name, uint16_t linktype,
                        GError **err)
{
	struct out_if oi = {.ifindex = ifindex, .linktype = linktype};

	g_strlcpy(oi.name, name, sizeof(oi.name));
	if (e->opts->capture_filter && e->opts->capture_filter[0]) {
		oi.filter = ec_pkt_filter_new(e->opts->capture_filter, linktype, err);
		if (!oi.filter)
			return -1;
	}
	g_array_append_val(e->ifs, oi);
	return 0;
}

/* The record source whose records' interface a capture of SOURCE writes on. */
static unsigned int records_source(enum ec_source source)
{
	switch (source) {
	case EC_SOURCE_TLS:
		break;
	case EC_SOURCE_BASH:
		return EC_RECORD_SRC_BASH;
	case EC_SOURCE_ZSH:
		return EC_RECORD_SRC_ZSH;
	case EC_SOURCE_MYSQLD:
		return EC_RECORD_SRC_MYSQL;
	case EC_SOURCE_POSTGRES:
		return EC_RECORD_SRC_POSTGRES;
	}
	return EC_RECORD_SRC_OPENSSL;
}

void ec_engine_declare_interfaces(struct engine *e)
{
	for (guint i = 0; i < e->ifs->len; i++) {
		struct out_if *oi = &g_array_index(e->ifs, struct out_if, i);

		oi->id = ec_writer_add_interface(e->out, oi->linktype, EC_SNAPLEN, oi->name, NULL);
	}
	if (e->opts->records) {
		const struct ec_record_source_names *n =
		    ec_record_source_names(records_source(e->opts->source));

		ec_writer_add_records_interface(e->out, n->records_if, n->records_if_desc);
	}
}

struct out_if *ec_engine_find_netif(const struct engine *e, unsigned int ifindex)
{
	for (guint i = 0; i < e->ifs->len; i++) {
		struct out_if *oi = &g_array_index(e->ifs, struct out_if, i);

		if (oi->ifindex == ifindex)
			return oi;
	}
	return NULL;
}
