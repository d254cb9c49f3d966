// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys to DSBs (and the key log file), and who owns each traced connection. */
#include "engine_int.h"
#include "flows.h"
#include "keylog.h"
#include "owners.h"
#include "pcapng.h"

void ec_engine_on_keys(struct engine *e, const struct ec_tls_keys_event *ev, size_t size)
{
	struct ec_tls_secrets s;
	struct ec_flow *f;
	uint32_t fresh;
	int ret;

	if (size < sizeof(*ev))
		return;
	f = ec_flows_by_random(e->flows, ev->client_random);
	ret = ec_tls_secrets_from_event(ev, f ? f->cipher_suite : 0, &s);
	if (ret == EC_TLS_SECRETS_NO_DIGEST) {
		g_debug("%s[%u]: TLS 1.3 session with unknown cipher 0x%x: keys not derivable yet",
		        ev->proc.comm, ev->proc.pid, ev->cipher_id);
		return;
	}
	if (ret < 0)
		return;
	fresh = ec_keystore_merge(e->keys, &s, ev->hdr.ts_ns);
	if (fresh) {
		g_string_truncate(e->scratch, 0);
		ec_keylog_append(e->scratch, &s, fresh);
		if (e->opts->output_kind == EC_OUT_PCAPNG)
			ec_pcapng_dsb(e->out.buf, e->scratch->str, e->scratch->len);
		if (e->keylog_buf)
			g_string_append_len(e->keylog_buf, e->scratch->str, e->scratch->len);
	}
	ec_engine_flow_keys_ready(e, ev->client_random, ev->hdr.ts_ns);
}

void ec_engine_on_conn(struct engine *e, const struct ec_conn_event *ev, size_t size)
{
	if (size < sizeof(*ev))
		return;
	ec_owners_add(e->owners, ev);
	ec_engine_flow_claim(e, &ev->flow);
	g_debug("%s[%u] fd %d owns a TLS connection", ev->proc.comm, ev->proc.pid, ev->fd);
}
