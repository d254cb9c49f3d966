// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * No silent loss: every event the kernel could not send (bpf_stats) and everything the engine
 * lost or gave up is counted by kind. While the capture runs, a loss is warned about (at most
 * every few seconds) and the packets an interface lost are told in the next packet written on it
 * (epb_dropcount: Wireshark's frame.drop_count); at its end it is logged, and written in one
 * Interface Statistics Block per interface: what was taken, what was lost, and a comment naming
 * every kind. Only one: Wireshark shows an interface's drops only when it has exactly one. (A
 * reader that stops before our end, as dumpcap 4.0 does with an extcap, never gets it: the
 * packets' drop counts are what reaches its file.)
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "engine/engine_int.h"
#include "keys/keylog_file.h"
#include "engine/owners.h"
#include "output/writer.h"
#include "probes/bpf_stats.h"
#include "probes/tc_packets.h"

#define CHECK_NS   (1000ull * 1000 * 1000)     /* the counters are read once a second */
#define WARN_NS    (5ull * 1000 * 1000 * 1000) /* and a loss warned about at most every 5 s */
#define ISB_PREFIX "ecapturedump "             /* the statistics' comment says whose they are */

static uint64_t engine_lost(const struct engine *e)
{
	const struct ec_engine_loss *l = &e->loss;

	return l->keys_missing + l->hold_overflow + l->flows_evicted + l->malformed + l->not_held +
	       l->hold_expired + ec_keylog_file_lost(e->keylog) + e->out->out.dropped;
}

/* Append the engine's kinds of loss to S, "N what, ...". */
static void describe_engine_loss(GString *s, const struct engine *e)
{
	const struct ec_engine_loss *l = &e->loss;
	const struct {
		uint64_t n;
		const char *what;
	} kinds[] = {
	    {l->keys_missing, "traced connection(s) written without keys (hold expired)"},
	    {l->hold_overflow, "connection(s) given up early (held packets over the memory bound)"},
	    {l->flows_evicted, "connection(s) evicted from the kernel's flow map while followed"},
	    {l->malformed, "malformed events"},
	    {l->not_held, "process(es) of other users not held while their new TLS library got "
	                  "probes (a first connection may have no keys)"},
	    {ec_keylog_file_lost(e->keylog), "key log line(s) not written to the --keylog file"},
	    {e->out->out.dropped, "byte(s) of the stream not written (its reader did not read "
	                          "them before the stop)"},
	    {l->hold_expired, "process(es) let go by the hold's bound before their new TLS library "
	                      "had probes (a first connection may have no keys)"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (kinds[i].n)
			g_string_append_printf(s, "%s%llu %s", s->len ? ", " : "",
			                       (unsigned long long)kinds[i].n, kinds[i].what);
	}
}

/* "lost: ..." with every kind of loss, or "no loss"; then what was left out (not a loss). */
static void describe(GString *s, const struct engine *e, const uint64_t k[EC_STAT_MAX])
{
	g_autoptr(GString) lost = g_string_new(NULL);

	ec_bpf_stats_describe_loss(lost, k);
	describe_engine_loss(lost, e);
	g_string_append_printf(s, "%s%s", lost->len ? "lost: " : "no loss", lost->str);
	if (e->unclaimed)
		g_string_append_printf(s,
		                       "; left out: %u TLS connection(s) no traced library gave "
		                       "keys for",
		                       e->unclaimed);
	if (e->preambles_cut)
		g_string_append_printf(s,
		                       "; %u connection(s) not TLS from their start and with no "
		                       "ClientHello within %u packets or %u bytes",
		                       e->preambles_cut, EC_PREAMBLE_MAX_PKTS,
		                       EC_PREAMBLE_MAX_BYTES);
	if (e->loss.pkts_left_out)
		g_string_append_printf(
		    s, "; %llu packet(s) left out (connections no traced library claimed)",
		    (unsigned long long)e->loss.pkts_left_out);
	ec_engine_describe_left_out(s, e);
	if (ec_owners_cmdlines_not_kept(e->owners))
		g_string_append_printf(s,
		                       "; %llu process command line(s) not kept (their memory "
		                       "bound was full)",
		                       (unsigned long long)ec_owners_cmdlines_not_kept(e->owners));
}

uint64_t ec_engine_loss_total(const struct engine *e, const uint64_t k[EC_STAT_MAX])
{
	return ec_bpf_stats_lost(k) + engine_lost(e);
}

/* The records lost in the kernel so far (their interface's isb_osdrop). */
static uint64_t records_lost(const uint64_t k[EC_STAT_MAX])
{
	return k[EC_STAT_DATA_DROPPED] + k[EC_STAT_DATA_ARGS_LOST] + k[EC_STAT_AUDIT_DROPPED];
}

/* Each interface's packets lost so far, for the next packet written on it; records likewise. */
static void read_if_losses(struct engine *e, const uint64_t k[EC_STAT_MAX])
{
	e->records_lost.read = records_lost(k);
	for (guint i = 0; i < e->ifs->len; i++) {
		struct out_if *oi = &g_array_index(e->ifs, struct out_if, i);
		struct ec_if_count c;

		if (!ec_packets_if_count(e->packets, oi->ifindex, &c))
			oi->lost.read = c.lost;
	}
}

void ec_engine_loss_poll(struct engine *e, uint64_t now)
{
	uint64_t k[EC_STAT_MAX], lost;

	if (now < e->loss_checked_ns + CHECK_NS)
		return;
	e->loss_checked_ns = now;
	if (ec_bpf_stats_read(&e->shared, k))
		return;
	read_if_losses(e, k);
	lost = ec_engine_loss_total(e, k);
	if (lost <= e->loss_warned || (e->loss_warned_ns && now < e->loss_warned_ns + WARN_NS))
		return;
	g_string_truncate(e->scratch, 0);
	describe(e->scratch, e, k);
	g_warning("so far %s", e->scratch->str);
	e->loss_warned = lost;
	e->loss_warned_ns = now;
}

static uint64_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The statistics blocks of every interface (END_NS: the capture's end, wall clock). */
static void write_stats(struct engine *e, const uint64_t k[EC_STAT_MAX], uint64_t end_ns)
{
	g_autoptr(GString) what = g_string_new(ISB_PREFIX);
	struct ec_if_stats st = {.start_ns = e->start_real_ns, .end_ns = end_ns};

	describe(what, e, k);
	st.comment = what->str;
	for (guint i = 0; i < e->ifs->len; i++) {
		const struct out_if *oi = &g_array_index(e->ifs, struct out_if, i);
		struct ec_if_count c;

		if (ec_packets_if_count(e->packets, oi->ifindex, &c))
			continue;
		st.if_id = oi->id;
		st.recv = c.seen;
		st.drop = c.lost;
		st.os_drop = c.lost;
		ec_writer_stats(e->out, &st);
	}
	if (e->opts->records) {
		st.records = true;
		st.os_drop = records_lost(k);
		st.drop = st.os_drop;
		st.recv = k[EC_STAT_DATA_EMITTED] + k[EC_STAT_AUDIT_EMITTED] + st.os_drop;
		ec_writer_stats(e->out, &st);
	}
}

void ec_engine_loss_report(struct engine *e)
{
	uint64_t k[EC_STAT_MAX];
	g_autoptr(GString) what = g_string_new(NULL);

	if (ec_bpf_stats_read(&e->shared, k))
		g_warning("cannot read the kernel's counters: %s", g_strerror(errno));
	ec_bpf_stats_log(k, e->out->out.written);
	describe(what, e, k);
	g_message("%s", what->str);
	write_stats(e, k, now_real());
}
