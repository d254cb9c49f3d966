// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PID/UID filters on connections, and the connections left out for a reason that is no
 * loss. The probes ask the filters at each hit, so keys and plaintext follow a change at once;
 * packets of a connection already followed go on coming from the TC program, so a packet is
 * written only while an owner of its connection passes the filters as they are now (a verdict
 * kept per connection until the filters or its owners change). A new connection while a filter
 * is set is asked whose its sockets are (sock_diag, once per connection, not per packet): one
 * that no traced library claims and that the filters leave out is counted as such, not as a
 * connection without keys.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/flows.h"
#include "engine/owners.h"
#include "output/escape.h"
#include "output/record_writer.h"
#include "targets/libraries.h"
#include "targets/processes.h"
#include "targets/sockets.h"

#define EC_LEFT_OUT_TOLD 20
#define EC_WALKS_MAX     64 /* walks of /proc to name a connection's process, per capture */
#define LEFT_OUT_TELL_NS                                                                           \
	(30ull * 1000 * 1000 *                                                                     \
	 1000) /* the counts logged at most every 30 s */ /* connections named one by one at info  \
	                                                     level; the rest at debug */

static bool filters_set(const struct engine *e)
{
	return e->config.filter_pids || e->config.filter_uid;
}

static bool pid_passes(const struct engine *e, uint32_t pid)
{
	if (!e->config.filter_pids)
		return true;
	for (guint i = 0; i < e->filter_pids->len; i++)
		if ((uint32_t)g_array_index(e->filter_pids, pid_t, i) == pid)
			return true;
	return false;
}

static bool uid_passes(const struct engine *e, uint32_t uid)
{
	return !e->config.filter_uid || uid == e->config.uid;
}

static guint flow_key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct ec_flow_key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ec_flow_key)) == 0;
}

static void let_in(struct engine *e);
static void find_holders(struct engine *e, struct ec_flow *f);

void ec_engine_filters_changed(struct engine *e)
{
	e->filter_gen = e->filter_gen + 1 ? e->filter_gen + 1 : 1;
	let_in(e);
}

static void append_flow(GString *s, const struct ec_flow_key *k)
{
	ec_append_endpoint(s, k->family, k->addr_a, ntohs(k->port_a));
	g_string_append(s, " - ");
	ec_append_endpoint(s, k->family, k->addr_b, ntohs(k->port_b));
}

/* Log LINE at info level for the first connections, at debug level after them. */
static void tell(struct engine *e, const GString *line)
{
	if (e->left.told < EC_LEFT_OUT_TOLD) {
		e->left.told++;
		g_message("%s%s", line->str,
		          e->left.told == EC_LEFT_OUT_TOLD ? " (further ones only counted)" : "");
	} else {
		g_debug("%s", line->str);
	}
}

/* "comm[pid] (uid U)" of each known end, "and" between them: both, when both are traced. */
static void describe_owners(GString *line, const struct ec_owner *ends[2])
{
	for (int i = 0; i < 2; i++) {
		if (!ends[i])
			continue;
		if (line->len)
			g_string_append(line, " and ");
		ec_escape_append(line, ends[i]->proc.comm,
		                 strnlen(ends[i]->proc.comm, sizeof(ends[i]->proc.comm)), "");
		g_string_append_printf(line, "[%u] (uid %u)", ends[i]->proc.pid, ends[i]->proc.uid);
	}
}

/* Tell "<its owners>: TLS connection <FLOW><WHAT>". */
static void tell_owned(struct engine *e, const struct ec_owner *ends[2],
                       const struct ec_flow_key *flow, const char *what)
{
	g_autoptr(GString) line = g_string_new(NULL);

	describe_owners(line, ends);
	g_string_append(line, ": TLS connection ");
	append_flow(line, flow);
	g_string_append(line, what);
	tell(e, line);
}

bool ec_engine_flow_wanted(struct engine *e, const struct ec_flow_key *flow)
{
	const struct ec_owner *ends[2];
	struct ec_flow_mark *m;

	if (!filters_set(e) && !e->left.filtered)
		return true; /* no filter, and none left anything out: nothing to look up */
	m = ec_owners_mark(e->owners, flow, ends);
	if (!m)
		return true; /* no traced process owns it: not for the filters to judge */
	if (m->filter_gen != e->filter_gen) {
		bool was_out = m->told && !m->passes;

		m->passes = false;
		for (int i = 0; i < 2; i++)
			m->passes |= ends[i] && pid_passes(e, ends[i]->proc.pid) &&
			             uid_passes(e, ends[i]->proc.uid);
		m->filter_gen = e->filter_gen;
		if (was_out && m->passes && !m->told_back) {
			/* Its records meanwhile are missing: Wireshark's record sequence is lost.
			 */
			m->told_back = true;
			e->left.let_back++;
			tell_owned(
			    e, ends, flow,
			    " written again from its next packet, not decryptable from there: "
			    "its records were left out meanwhile");
		}
		if (!m->passes && !m->told) {
			m->told = true;
			e->left.filtered++;
			tell_owned(
			    e, ends, flow,
			    " left out from now on: filtered out (the PID/user filters leave "
			    "its process out)");
		}
	}
	if (!m->passes)
		e->left.filtered_pkts++;
	return m->passes;
}

void ec_engine_flow_sockets(struct engine *e, struct ec_flow *f)
{
	f->sock_have = 0;
	/* Needed to tell the filters' from the unclaimed, and to name the unclaimed ones logged. */
	if ((!filters_set(e) && e->unclaimed >= EC_UNCLAIMED_NAMED) || e->sock_diag_failed)
		return;
	if (e->sock_diag_fd < 0) {
		e->sock_diag_fd = ec_sock_diag_open();
		if (e->sock_diag_fd < 0) {
			e->sock_diag_failed = true;
			g_warning(
			    "cannot ask whose new connections are (sock_diag: %s): connections "
			    "the filters leave out are told as connections without keys",
			    g_strerror(errno));
			return;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct ec_sock_info si;

		if (ec_sock_diag_find(e->sock_diag_fd, &f->key, i == 0, &si))
			continue;
		f->sock_have |= 1u << i;
		f->sock_uid[i] = si.uid;
		f->sock_inode[i] = si.inode;
	}
	/*
	 * Named while its process still holds it (a short connection is gone at its hold's end) only
	 * when filters are set: then no traced library's event will claim it. Without filters its
	 * library's event is usually on its way, and a walk of /proc here would delay it until a
	 * short-lived client is gone (its command line then unread): looked for at the hold's end.
	 */
	if (filters_set(e) && f->sock_have && e->left.walks < EC_WALKS_MAX &&
	    (e->unclaimed < EC_UNCLAIMED_NAMED || e->left.told < EC_LEFT_OUT_TOLD))
		find_holders(e, f);
}

/* Whether a process the PID filter lets in holds socket INODE. */
static bool inode_passes_pids(const struct engine *e, uint64_t inode)
{
	if (!e->config.filter_pids)
		return true;
	for (guint i = 0; i < e->filter_pids->len; i++)
		if (ec_proc_has_socket(g_array_index(e->filter_pids, pid_t, i), inode))
			return true;
	return false;
}

/* A connection left out at its start by the filters, kept to let it in if a change allows it. */
struct kept_out {
	struct ec_flow_key key;
	uint8_t sock_have;
	uint8_t client_end;
	uint32_t sock_uid[2];
	uint64_t sock_inode[2];
};

#define KEPT_OUT_MAX 4096 /* the oldest are forgotten: they stay out whatever the filters */

static void keep_out(struct engine *e, const struct ec_flow *f)
{
	struct kept_out *k;

	if (!e->kept_out) {
		e->kept_out = g_hash_table_new_full(flow_key_hash, flow_key_equal, NULL, g_free);
		e->kept_out_order = g_queue_new();
	}
	if (g_hash_table_contains(e->kept_out, &f->key))
		return;
	while (g_hash_table_size(e->kept_out) >= KEPT_OUT_MAX)
		g_hash_table_remove(e->kept_out, g_queue_pop_head(e->kept_out_order));
	k = g_new0(struct kept_out, 1);
	k->key = f->key;
	k->sock_have = f->sock_have;
	k->client_end = f->client_end;
	memcpy(k->sock_uid, f->sock_uid, sizeof(k->sock_uid));
	memcpy(k->sock_inode, f->sock_inode, sizeof(k->sock_inode));
	g_hash_table_insert(e->kept_out, &k->key, k);
	g_queue_push_tail(e->kept_out_order, &k->key);
}

static bool socks_pass(const struct engine *e, uint8_t have, const uint32_t uid[2],
                       const uint64_t inode[2])
{
	for (int i = 0; i < 2; i++)
		if ((have & (1u << i)) && uid_passes(e, uid[i]) && inode_passes_pids(e, inode[i]))
			return true;
	return false;
}

bool ec_engine_flow_filtered(struct engine *e, struct ec_flow *f)
{
	g_autoptr(GString) line = NULL;

	if (filters_set(e) && !f->sock_have) /* not found at its ClientHello: still open? */
		ec_engine_flow_sockets(e, f);
	if (!filters_set(e) || !f->sock_have ||
	    socks_pass(e, f->sock_have, f->sock_uid, f->sock_inode))
		return false; /* a process the filters let in: no keys is news */
	e->left.filtered++;
	keep_out(e, f);
	line = g_string_new(NULL);
	if (e->left.told < EC_LEFT_OUT_TOLD && ec_engine_flow_who(e, f, line))
		g_string_append(line, ": "); /* named: costs a walk of /proc, for the first ones */
	else if (line->len)
		g_string_append(line, ": ");
	g_string_append(line, "TLS connection ");
	append_flow(line, &f->key);
	for (int i = 0; i < 2; i++)
		if (f->sock_have & (1u << i))
			g_string_append_printf(line, " (a socket of uid %u)", f->sock_uid[i]);
	g_string_append(line, " left out: filtered out (the PID/user filters leave its process "
	                      "out)");
	tell(e, line);
	return true;
}

struct holder {
	uint64_t inode;
	pid_t pid; /* 0: not found */
};

static void find_holder(const char *name, void *data)
{
	struct holder *h = data;
	char *end;
	long pid = strtol(name, &end, 10);

	if (h->pid || *end || pid <= 0)
		return;
	if (ec_proc_has_socket((pid_t)pid, h->inode))
		h->pid = (pid_t)pid;
}

/* "comm[pid]" of PID into OUT, the name escaped: it is the process's to choose. */
static void append_proc(GString *out, pid_t pid)
{
	char comm[64];

	if (!ec_proc_comm(pid, comm, sizeof(comm)))
		g_strlcpy(comm, "?", sizeof(comm));
	ec_escape_append(out, comm, strlen(comm), "");
	g_string_append_printf(out, "[%d]", (int)pid);
}

/*
 * Who holds F's sockets (the client's end first): a walk of every /proc/PID/fd. Its pid and name go
 * into F, and whether its program has OpenSSL linked in (preferred when both ends are found).
 */
static void find_holders(struct engine *e, struct ec_flow *f)
{
	int first_end = f->client_end;

	e->left.walks++;
	f->holder = 0;
	for (int n = 0; n < 2; n++) {
		int i = n ? !first_end : first_end;
		struct holder h = {.inode = f->sock_inode[i]};
		char exe[64];
		bool unsupported;

		if (!(f->sock_have & (1u << i)))
			continue;
		ec_proc_foreach(find_holder, &h);
		if (!h.pid)
			continue;
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)h.pid);
		unsupported = ec_exe_has_static_openssl(exe);
		if (!f->holder || unsupported) {
			g_autoptr(GString) name = g_string_new(NULL);

			append_proc(name, h.pid);
			g_strlcpy(f->holder_name, name->str, sizeof(f->holder_name));
			f->holder = h.pid;
			f->holder_unsupported = unsupported;
		}
		if (unsupported)
			return;
	}
}

bool ec_engine_flow_who(struct engine *e, struct ec_flow *f, GString *who)
{
	if (!f->holder && e->left.walks < EC_WALKS_MAX)
		find_holders(e, f); /* not looked for at its ClientHello, or gone by then */
	if (f->holder)
		g_string_append(who, f->holder_name);
	return f->holder && f->holder_unsupported;
}

/* Whether the socket of end I of K is still the one seen at its start. */
static bool still_open(struct engine *e, const struct kept_out *k, int i)
{
	struct ec_sock_info si;

	return e->sock_diag_fd >= 0 && !ec_sock_diag_find(e->sock_diag_fd, &k->key, i == 0, &si) &&
	       si.inode == k->sock_inode[i];
}

/*
 * After a filter change: the connections left out at their start that the filters let in now,
 * and still open, are followed again from their next packet (their handshake is gone: not
 * decryptable), each named once.
 */
static void let_in(struct engine *e)
{
	GList *l, *next;

	if (!e->kept_out)
		return;
	for (l = e->kept_out_order->head; l; l = next) {
		struct kept_out *k = g_hash_table_lookup(e->kept_out, l->data);
		bool open = false;

		next = l->next;
		if (filters_set(e) && !socks_pass(e, k->sock_have, k->sock_uid, k->sock_inode))
			continue;
		for (int i = 0; i < 2 && !open; i++)
			open = (k->sock_have & (1u << i)) && still_open(e, k, i);
		if (open && !e->maps.set_flow_state(e->maps.ctx, &k->key, EC_FLOW_TRACED)) {
			g_autoptr(GString) line = g_string_new(NULL);
			struct ec_flow f = {
			    .key = k->key, .sock_have = k->sock_have, .client_end = k->client_end};

			memcpy(f.sock_inode, k->sock_inode, sizeof(f.sock_inode));
			e->left.opened_before++;
			if (e->left.told < EC_LEFT_OUT_TOLD && ec_engine_flow_who(e, &f, line))
				g_string_append(line, ": ");
			else if (line->len)
				g_string_append(line, ": ");
			g_string_append(line, "TLS connection ");
			append_flow(line, &k->key);
			g_string_append(line,
			                " written from its next packet, not decryptable: opened "
			                "before the filter allowed it");
			tell(e, line);
		}
		g_queue_delete_link(e->kept_out_order, l);
		g_hash_table_remove(e->kept_out, &k->key);
	}
}

void ec_engine_describe_left_out(GString *s, const struct engine *e)
{
	const struct {
		uint64_t n;
		const char *why;
	} reasons[] = {
	    {e->left.filtered, "filtered out"},
	    {e->left.unsupported, "library not supported"},
	    {e->unclaimed - e->left.unsupported, "no traced library claimed it"},
	    {e->loss.keys_missing, "keys never seen"},
	    {e->left.opened_before, "not decryptable: opened before the filter allowed it"},
	    {e->left.let_back, "not decryptable after a filter left it out for a while"},
	};
	bool any = false;

	for (size_t i = 0; i < G_N_ELEMENTS(reasons); i++) {
		if (!reasons[i].n)
			continue;
		g_string_append_printf(s, "%s%s %llu",
		                       any ? ", "
		                           : "; TLS connections left out or written without "
		                             "keys, by reason: ",
		                       reasons[i].why, (unsigned long long)reasons[i].n);
		any = true;
	}
	if (e->left.filtered_pkts)
		g_string_append_printf(s,
		                       "; %llu packet(s) of open connections not written since "
		                       "a filter change left them out",
		                       (unsigned long long)e->left.filtered_pkts);
}

void ec_engine_left_out_poll(struct engine *e, uint64_t now)
{
	g_autoptr(GString) counts = NULL;
	uint64_t sum = e->left.filtered + e->unclaimed + e->loss.keys_missing +
	               e->left.opened_before + e->left.let_back;

	if (sum == e->left.counted || now < e->left.counted_ns + LEFT_OUT_TELL_NS)
		return;
	e->left.counted = sum;
	e->left.counted_ns = now;
	counts = g_string_new(NULL);
	ec_engine_describe_left_out(counts, e);
	if (counts->len > 2)
		g_message("so far%s", counts->str + 1); /* "; TLS connections ..." */
}
