// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PostgreSQL queries, simple and extended protocol, from exported functions only (Debian's
 * postgres is stripped: exec_simple_query and exec_*_message are static):
 * - pq_getbyte() returns each message's type as the backend's main loop reads it;
 * - pgstat_report_activity(STATE_RUNNING, text) is called with the statement's text when a
 *   Query ('Q'), Parse ('P'), Bind ('B') or Execute ('E') message is processed;
 * - errstart(elevel)/errcode(code) name an error being raised, AbortCurrentTransaction() is the
 *   main loop recovering from one: the query failed with that SQLSTATE (an error caught inside
 *   the query, by PL/pgSQL say, is followed by no such abort);
 * - ReadyForQuery() ends a simple query (and a Sync the extended ones).
 * A simple query is sent when it ends; an extended one when its Execute has completed (the next
 * protocol message arrives) or failed; a Parse (or Bind) that is not followed by an Execute is
 * sent as a prepared statement.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "audit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PG_STATE_RUNNING 2 /* BackendState STATE_RUNNING */
/* ERRCODE_INTERNAL_ERROR, "XX000" packed by MAKE_SQLSTATE: what errstart() sets for errors. */
#define PG_SIXBIT(c)        ((((c) - '0') & 0x3f))
#define PG_ERRCODE_INTERNAL (PG_SIXBIT('X') | PG_SIXBIT('X') << 6)

/* The statement of a message under way in a backend. */
struct statement {
	__u8 phase;  /* the message: 'Q', 'P', 'B', 'E' */
	__u8 in_err; /* an error is being raised (errstart with elevel >= ERROR) */
	__u16 pad;
	__s32 err; /* its SQLSTATE, packed */
	struct ec_audit_event ev;
	__u8 data[EC_AUDIT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256); /* sized by userspace */
	__type(key, __u32);       /* tid (a backend is a process) */
	__type(value, struct statement);
} ec_pg_statements SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct statement);
} ec_pg_zero SEC(".maps");

/* The type of the last message each backend read. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} ec_pg_messages SEC(".maps");

static __always_inline void send(__u32 tid, struct statement *st, __s32 status)
{
	switch (st->phase) {
	case 'Q':
		st->ev.subtype = EC_SQL_KIND_SIMPLE;
		break;
	case 'E':
		st->ev.subtype = EC_SQL_KIND_EXTENDED;
		break;
	default:
		/* A Parse or Bind that failed belongs to an extended query; one that was not
		 * followed by an Execute prepared a statement. */
		st->ev.subtype = status ? EC_SQL_KIND_EXTENDED : EC_SQL_KIND_PREPARE;
		break;
	}
	st->ev.status = status;
	ec_audit_send(&st->ev);
	bpf_map_delete_elem(&ec_pg_statements, &tid);
}

/* A Query, Parse, Bind or Execute message starts running TEXT. */
static __always_inline void on_activity(struct pt_regs *ctx, __u32 tid,
                                        const struct ec_audit_target *t)
{
	const char *text = (const char *)PT_REGS_PARM2(ctx);
	__u32 zero = 0, *msg, copied, len;
	struct statement *st, *z;
	__u8 phase;

	if ((int)PT_REGS_PARM1(ctx) != PG_STATE_RUNNING || !text)
		return;
	msg = bpf_map_lookup_elem(&ec_pg_messages, &tid);
	if (!msg || (*msg != 'Q' && *msg != 'P' && *msg != 'B' && *msg != 'E'))
		return; /* not a client's statement (autovacuum, a walsender command...) */
	phase = (__u8)*msg;
	if (!ec_proc_allowed())
		return;
	st = bpf_map_lookup_elem(&ec_pg_statements, &tid);
	/* A statement parsed (or bound) and never executed, followed by another one. */
	if (st && (phase == 'Q' || phase == 'P') && (st->phase == 'P' || st->phase == 'B'))
		send(tid, st, 0);
	z = bpf_map_lookup_elem(&ec_pg_zero, &zero);
	if (!z || bpf_map_update_elem(&ec_pg_statements, &tid, z, BPF_ANY))
		return;
	st = bpf_map_lookup_elem(&ec_pg_statements, &tid);
	if (!st)
		return;
	st->phase = phase;
	ec_audit_init(&st->ev, EC_REC_SQL, t->source, 0);
	len = ec_copy_user_str(st->data, 0, text, &copied);
	st->ev.len = len;
	st->ev.data_len = copied;
}

/* The backend read a message of type MSG: a completed Execute (or an unexecuted Parse) ends. */
static __always_inline void on_message(__u32 tid, int msg)
{
	__u32 m = msg < 0 ? 'X' : (__u32)msg; /* EOF: the client went away */
	struct statement *st;

	bpf_map_update_elem(&ec_pg_messages, &tid, &m, BPF_ANY);
	st = bpf_map_lookup_elem(&ec_pg_statements, &tid);
	if (!st)
		return;
	/* CopyData, CopyDone, CopyFail belong to a COPY FROM STDIN under way. */
	if (m == 'd' || m == 'c' || m == 'f')
		return;
	if (st->phase == 'E')
		send(tid, st, 0);
	else if ((st->phase == 'P' || st->phase == 'B') && m != 'B' && m != 'D' && m != 'E')
		send(tid, st, 0);
}

SEC("uprobe")
int BPF_KPROBE(ec_pg_entry)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 target = EC_COOKIE_LIB(cookie), kind = EC_COOKIE_KIND(cookie);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct ec_audit_target *t = bpf_map_lookup_elem(&ec_audit_targets, &target);
	struct statement *st;

	if (!t)
		return 0;
	if (kind == EC_AFN_PG_ACTIVITY) {
		on_activity(ctx, tid, t);
		return 0;
	}
	st = bpf_map_lookup_elem(&ec_pg_statements, &tid);
	if (!st)
		return 0;
	switch (kind) {
	case EC_AFN_PG_ERRSTART:
		st->in_err = (int)PT_REGS_PARM1(ctx) >= t->pg_error_level;
		if (st->in_err)
			st->err = PG_ERRCODE_INTERNAL; /* errstart's default for errors */
		break;
	case EC_AFN_PG_ERRCODE:
		if (st->in_err)
			st->err = (__s32)PT_REGS_PARM1(ctx);
		break;
	case EC_AFN_PG_ABORT:
		send(tid, st, st->err ? st->err : EC_STATUS_UNKNOWN);
		break;
	case EC_AFN_PG_READY:
		send(tid, st, 0);
		break;
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ec_pg_return)
{
	__u64 cookie = ec_cookie(ctx);

	if (EC_COOKIE_KIND(cookie) == EC_AFN_PG_GETBYTE)
		on_message((__u32)bpf_get_current_pid_tgid(), (int)PT_REGS_RC(ctx));
	return 0;
}
