// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys to DSBs (and the key log file), and who owns each followed connection. */
#include <arpa/inet.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/flows.h"
#include "engine/owners.h"
#include "keys/keylog.h"
#include "keys/keylog_file.h"
#include "keys/keystore.h"
#include "output/record_writer.h"
#include "output/writer.h"

/* New key log lines: to the stream (before any packet of their session), the key log file. */
static void write_key_lines(struct engine *e, const struct ec_tls_secrets *s, uint32_t labels)
{
	g_string_truncate(e->scratch, 0);
	ec_keylog_append(e->scratch, s, labels);
	ec_writer_secrets(e->out, e->scratch->str, e->scratch->len);
	e->n_keys++;
	ec_keylog_file_append(e->keylog, e->scratch->str, e->scratch->len);
}

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
	if (fresh)
		write_key_lines(e, &s, fresh);
	ec_engine_proc_seen(e, ev->proc.pid);
	ec_engine_flow_keys_ready(e, ev->client_random, ev->hdr.ts_ns);
}

void ec_engine_on_conn(struct engine *e, const struct ec_conn_event *ev, size_t size)
{
	if (size < sizeof(*ev))
		return;
	ec_owners_add(e->owners, ev);
	ec_engine_proc_seen(e, ev->proc.pid);
	if (ec_engine_flow_claim(e, &ev->flow)) {
		g_autoptr(GString) ends = g_string_new(NULL);

		ec_append_endpoint(ends, ev->flow.family, ev->flow.addr_a, ntohs(ev->flow.port_a));
		g_string_append(ends, " - ");
		ec_append_endpoint(ends, ev->flow.family, ev->flow.addr_b, ntohs(ev->flow.port_b));
		g_message(
		    "%s[%u]'s TLS connection %s is not captured: its TLS started after more than "
		    "%u packets or %u bytes of plaintext",
		    ev->proc.comm, ev->proc.pid, ends->str, EC_PREAMBLE_MAX_PKTS,
		    EC_PREAMBLE_MAX_BYTES);
	}
	g_debug("%s[%u] fd %d owns a TLS connection", ev->proc.comm, ev->proc.pid, ev->fd);
}

void ec_engine_on_sock_owner(struct engine *e, const struct ec_sock_owner_event *ev, size_t size)
{
	if (size < sizeof(*ev)) {
		e->loss.malformed++;
		return;
	}
	ec_owners_add_sock(e->owners, ev);
	if (ev->shared)
		g_debug("%s[%u] fd %d uses a socket process %u used before: its packets name no "
		        "process",
		        ev->proc.comm, ev->proc.pid, ev->fd, ev->other_pid);
}

/* One secret as the library holds it (GnuTLS, Go): no derivation, straight to a key log line. */
void ec_engine_on_secret(struct engine *e, const struct ec_tls_secret_event *ev, size_t size)
{
	struct ec_tls_secrets s = {0};
	uint32_t fresh;

	if (size < sizeof(*ev) || ev->label >= EC_KL_COUNT || !ev->secret_len ||
	    ev->secret_len > EC_SECRET_LEN)
		return;
	memcpy(s.client_random, ev->client_random, EC_RANDOM_LEN);
	memcpy(s.secret[ev->label], ev->secret, ev->secret_len);
	s.len[ev->label] = ev->secret_len;
	s.have = EC_KL_BIT(ev->label);
	if (!memcmp(s.client_random, (const uint8_t[EC_RANDOM_LEN]){0}, EC_RANDOM_LEN) ||
	    !memcmp(s.secret[ev->label], (const uint8_t[EC_SECRET_LEN]){0}, ev->secret_len))
		return; /* all-zero: not a secret */
	fresh = ec_keystore_merge(e->keys, &s, ev->hdr.ts_ns);
	if (fresh)
		write_key_lines(e, &s, fresh);
	ec_engine_flow_keys_ready(e, ev->client_random, ev->hdr.ts_ns);
}
