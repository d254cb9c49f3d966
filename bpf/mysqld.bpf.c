// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MySQL and MariaDB queries: the text of COM_QUERY (and COM_STMT_PREPARE) as the server's
 * command dispatcher receives it, and the statement's result as its Diagnostics_area records
 * it (set_error_status(sql_errno): that error; set_ok_status/set_eof_status: success; the last
 * one wins, as a handled error inside a stored procedure is followed by the success of the
 * statement). One record when dispatch_command returns.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "audit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define COM_QUERY        3 /* enum enum_server_command, the same in MySQL and MariaDB */
#define COM_STMT_PREPARE 22

/*
 * The query of a dispatch_command under way on a thread. A thread keeps its entry between
 * queries (active says whether one is under way): creating one copies all 32 KiB of it.
 */
struct query {
	__u32 active;
	__u32 pad;
	struct ec_audit_event ev;
	__u8 data[EC_AUDIT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256); /* sized by userspace */
	__type(key, __u32);       /* tid */
	__type(value, struct query);
} ec_mysql_queries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct query);
} ec_mysql_zero SEC(".maps");

/* MySQL 5.7/8.x COM_DATA: com_query and com_stmt_prepare both start with these. */
struct com_query_data {
	__u64 query; /* const char * */
	__u32 length;
	__u32 pad;
};

static __always_inline void on_dispatch(struct pt_regs *ctx, __u32 tid,
                                        const struct ec_audit_target *t)
{
	struct com_query_data cq = {};
	__u32 zero = 0, cmd, n;
	struct query *q, *z;

	if (t->mysql_abi == EC_MYSQL_ABI_PACKET) {
		cmd = (__u32)PT_REGS_PARM1(ctx);
		cq.query = PT_REGS_PARM3(ctx);
		cq.length = (__u32)PT_REGS_PARM4(ctx);
	} else if (t->mysql_abi == EC_MYSQL_ABI_COM_DATA) {
		cmd = (__u32)PT_REGS_PARM3(ctx);
		if (cmd == COM_QUERY || cmd == COM_STMT_PREPARE)
			bpf_probe_read_user(&cq, sizeof(cq), (const void *)PT_REGS_PARM2(ctx));
	} else {
		return;
	}
	if ((cmd != COM_QUERY && cmd != COM_STMT_PREPARE) || !cq.query)
		return;
	if (!ec_proc_allowed())
		return;
	q = bpf_map_lookup_elem(&ec_mysql_queries, &tid);
	if (!q) {
		z = bpf_map_lookup_elem(&ec_mysql_zero, &zero);
		if (!z || bpf_map_update_elem(&ec_mysql_queries, &tid, z, BPF_ANY))
			return;
		q = bpf_map_lookup_elem(&ec_mysql_queries, &tid);
		if (!q)
			return;
	}
	q->active = 1;
	ec_audit_init(&q->ev, EC_REC_SQL, t->source,
	              cmd == COM_QUERY ? EC_SQL_KIND_SIMPLE : EC_SQL_KIND_PREPARE);
	/* The packet carries its length: the text need not end in a NUL. */
	n = cq.length < EC_AUDIT_MAX ? cq.length : EC_AUDIT_MAX;
	if (bpf_probe_read_user(q->data, n, (const void *)cq.query))
		n = 0;
	q->ev.len = cq.length;
	q->ev.data_len = n;
}

SEC("uprobe")
int BPF_KPROBE(ec_mysql_entry)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 target = EC_COOKIE_LIB(cookie), kind = EC_COOKIE_KIND(cookie);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct ec_audit_target *t = bpf_map_lookup_elem(&ec_audit_targets, &target);
	struct query *q;

	if (!t)
		return 0;
	switch (kind) {
	case EC_AFN_MYSQL_DISPATCH:
		on_dispatch(ctx, tid, t);
		break;
	case EC_AFN_MYSQL_ERROR:
		/* Diagnostics_area::set_error_status(this, uint sql_errno, ...) */
		q = bpf_map_lookup_elem(&ec_mysql_queries, &tid);
		if (q && q->active)
			q->ev.status = (__s32)(__u32)PT_REGS_PARM2(ctx);
		break;
	case EC_AFN_MYSQL_OK:
		q = bpf_map_lookup_elem(&ec_mysql_queries, &tid);
		if (q && q->active)
			q->ev.status = 0;
		break;
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ec_mysql_return)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct query *q = bpf_map_lookup_elem(&ec_mysql_queries, &tid);

	if (!q || !q->active)
		return 0;
	q->active = 0;
	ec_audit_send(&q->ev);
	return 0;
}
