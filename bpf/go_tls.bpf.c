// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go crypto/tls, by uprobes on function entries and on RET instructions (never uretprobes: they
 * replace the return address on the goroutine's stack, and Go moves stacks, which crashes the
 * program). One program serves every probe point; the cookie says which (enum ec_go_fn_kind)
 * and whether the program passes arguments on the stack (Go < 1.17) or in registers.
 * - Keys: crypto/tls.(*Config).writeKeyLog(label, clientRandom, secret) is called for every
 *   secret of every handshake, key log writer or not: it only returns early when there is none,
 *   after its entry, where this probe has already read its arguments.
 * - Plaintext: (*Conn).writeRecordLocked with application data (type 23) at its entry, and what
 *   (*Conn).Read returned at its RETs.
 * - Sockets: both calls mark the thread (tls_conn.bpf.h) with the goroutine, so only that
 *   goroutine's read/write syscalls name the connection's socket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tls_data.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EC_SOURCE_GO        4 /* EC_RECORD_SRC_GO */
#define RECORD_TYPE_APPDATA 23
#define LABEL_MAX           32
#define A(i)                (args->a[i])

struct go_key {
	__u32 tgid;
	__u32 pad;
	__u64 g; /* the goroutine */
};

/* (*Conn).Read in progress per goroutine: its buffer, read back at its RET. */
struct go_read {
	__u64 conn;
	__u64 buf;
	__u64 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_key);
	__type(value, struct go_read);
} ec_go_reads SEC(".maps");

#define GO_ARGS 9

/* The first integer-word arguments of the function being entered, or returning (stack ABI). */
struct go_args {
	__u64 a[GO_ARGS];
};

static __always_inline void go_load_args(struct pt_regs *ctx, bool stack, struct go_args *out)
{
	if (stack) {
		/* At the entry and at a RET, SP points at the return address; arguments follow. */
		if (bpf_probe_read_user(out->a, sizeof(out->a), (void *)(ctx->sp + 8)))
			__builtin_memset(out->a, 0, sizeof(out->a));
		return;
	}
	out->a[0] = ctx->ax;
	out->a[1] = ctx->bx;
	out->a[2] = ctx->cx;
	out->a[3] = ctx->di;
	out->a[4] = ctx->si;
	out->a[5] = ctx->r8;
	out->a[6] = ctx->r9;
	out->a[7] = ctx->r10;
	out->a[8] = ctx->r11;
}

/* The running goroutine: R14 under the register ABI; 0 (unknown) under the stack ABI. */
static __always_inline __u64 go_g(struct pt_regs *ctx, bool stack)
{
	return stack ? 0 : ctx->r14;
}

/* A call on CONN by goroutine G starts on this thread (see ec_tls_call_begin). */
static __always_inline void go_call_begin(__u64 conn, __u32 bin_id, __u64 g)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	struct ec_tls_call fresh = {
	    .conn_id = conn, .lib_id = bin_id, .depth = 1, .source = EC_SOURCE_GO, .g = g};

	if (c && c->depth > 0 && c->conn_id == conn && c->g == g)
		c->depth++;
	else
		bpf_map_update_elem(&ec_tls_calls, &id, &fresh, BPF_ANY);
}

/*
 * The call of goroutine G returns. If G moved to another thread meanwhile (it blocked), the
 * mark on the first thread stays, but the goroutine check keeps it from naming other sockets.
 */
static __always_inline void go_call_end(__u64 g)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);

	if (!c || c->g != g || c->source != EC_SOURCE_GO)
		return;
	if (c->depth <= 1)
		bpf_map_delete_elem(&ec_tls_calls, &id);
	else
		c->depth--;
}

static __always_inline bool label_is(const char *have, const char *want, __u32 len)
{
	for (__u32 i = 0; i < LABEL_MAX; i++) {
		if (i >= len)
			return true;
		if (have[i] != want[i])
			return false;
	}
	return true;
}

/* The enum ec_kl_label of a Go key log label, -1 for labels we do not write. */
static __always_inline int label_of(const char *l, __u64 len)
{
	if (len == 13 && label_is(l, "CLIENT_RANDOM", 13))
		return 0;
	if (len == 31 && label_is(l, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", 31))
		return 1;
	if (len == 31 && label_is(l, "SERVER_HANDSHAKE_TRAFFIC_SECRET", 31))
		return 2;
	if (len == 23 && label_is(l, "CLIENT_TRAFFIC_SECRET_0", 23))
		return 3;
	if (len == 23 && label_is(l, "SERVER_TRAFFIC_SECRET_0", 23))
		return 4;
	if (len == 15 && label_is(l, "EXPORTER_SECRET", 15))
		return 5;
	return -1;
}

/* writeKeyLog(c *Config, label string, clientRandom []byte, secret []byte) */
static __always_inline void on_keylog(const struct go_args *args)
{
	char label[LABEL_MAX] = {};
	__u64 label_ptr = A(1), label_len = A(2);
	__u64 random = A(3), random_len = A(4);
	__u64 secret = A(6), secret_len = A(7);
	int which;

	if (label_len == 0 || label_len > LABEL_MAX || random_len != EC_RANDOM_LEN ||
	    bpf_probe_read_user(label, sizeof(label), (void *)label_ptr))
		return;
	which = label_of(label, label_len);
	if (which < 0)
		return;
	ec_emit_secret(0, which, (void *)random, (void *)secret, (__u32)secret_len, EC_SOURCE_GO);
}

/* writeRecordLocked(c *Conn, typ recordType, data []byte) (int, error) */
static __always_inline void on_write(const struct go_args *args, __u64 g, __u32 bin_id)
{
	__u64 conn = A(0), typ = A(1) & 0xff;
	__u64 buf = A(2), len = A(3);

	if (!conn)
		return;
	go_call_begin(conn, bin_id, g);
	if (typ == RECORD_TYPE_APPDATA && len > 0 && ec_want_data())
		ec_emit_tls_data(conn, buf, len > 0xffffffffull ? 0xffffffffu : (__u32)len,
		                 EC_DATA_DIR_SENT, EC_SOURCE_GO);
}

/* Read(c *Conn, b []byte) (n int, err error): entry */
static __always_inline void on_read(const struct go_args *args, bool stack, __u64 g, __u32 bin_id)
{
	struct go_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .g = g};
	struct go_read r = {.conn = A(0), .buf = A(1), .len = A(2)};

	if (!r.conn)
		return;
	go_call_begin(r.conn, bin_id, g);
	/* The stack ABI still has the arguments at the RET; the register ABI needs them kept. */
	if (!stack && ec_want_data())
		bpf_map_update_elem(&ec_go_reads, &key, &r, BPF_ANY);
}

/* Read at a RET: n is in RAX (register ABI) or after the arguments (stack ABI: SP+8*5). */
static __always_inline void on_read_ret(struct pt_regs *ctx, const struct go_args *args, bool stack,
                                        __u64 g)
{
	struct go_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .g = g};
	struct go_read r, *saved;
	__u64 n;

	go_call_end(g);
	if (stack) {
		r.conn = A(0);
		r.buf = A(1);
		r.len = A(2);
		n = A(4);
		if (!ec_want_data())
			return;
	} else {
		saved = bpf_map_lookup_elem(&ec_go_reads, &key);
		if (!saved)
			return;
		r = *saved;
		bpf_map_delete_elem(&ec_go_reads, &key);
		n = ctx->ax;
	}
	if ((__s64)n <= 0 || !r.conn)
		return;
	if (n > r.len)
		n = r.len;
	ec_emit_tls_data(r.conn, r.buf, n > 0xffffffffull ? 0xffffffffu : (__u32)n,
	                 EC_DATA_DIR_RECEIVED, EC_SOURCE_GO);
}

SEC("uprobe")
int ec_go_probe(struct pt_regs *ctx)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 kind = EC_COOKIE_KIND(cookie);
	__u32 bin_id = EC_COOKIE_LIB(cookie);
	bool stack = kind & EC_GO_STACK_ABI;
	__u64 g = go_g(ctx, stack);
	struct go_args args;

	if (!ec_proc_allowed())
		return 0;
	go_load_args(ctx, stack, &args);
	switch (kind & EC_GO_KIND_MASK) {
	case EC_GO_KEYLOG:
		on_keylog(&args);
		break;
	case EC_GO_WRITE:
		on_write(&args, g, bin_id);
		break;
	case EC_GO_WRITE_RET:
		go_call_end(g);
		break;
	case EC_GO_READ:
		on_read(&args, stack, g, bin_id);
		break;
	case EC_GO_READ_RET:
		on_read_ret(ctx, &args, stack, g);
		break;
	}
	return 0;
}
