/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which socket a TLS library's connection object uses, for every TLS library module. A probe on
 * a library call marks the thread as inside a call on that connection (ec_tls_call_begin); a
 * read/write syscall the thread makes meanwhile names the socket (bpf/tls_conn.bpf.c), and so
 * may the library's own notion of the fd (ec_tls_note_fd). The result goes up once per change as
 * an ec_conn_event, and a connection the TC program has not seen start is followed from then on.
 */
#ifndef EC_TLS_CONN_BPF_H
#define EC_TLS_CONN_BPF_H

#include "maps.bpf.h"
#include "sock.bpf.h"
#include "sock_owner.bpf.h"

static __always_inline struct ec_tls_conn_key ec_tls_conn_key_of(__u64 conn_id)
{
	struct ec_tls_conn_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .conn_id = conn_id};

	return k;
}

/*
 * FD is the socket of CONN_ID: report it (once per change) and follow its flow at TC. False if
 * FD is no TCP socket.
 */
static __always_inline bool ec_tls_note_fd(__u64 conn_id, __s32 fd, __u8 source)
{
	struct ec_tls_conn_key key = ec_tls_conn_key_of(conn_id);
	__s32 *known = bpf_map_lookup_elem(&ec_tls_fds, &key);
	struct ec_flow_val traced = {.state = EC_FLOW_TRACED, .flags = EC_FLOWF_PAYLOAD_SEEN};
	struct ec_conn_event *ev;
	struct ec_flow_key flow = {};
	struct ec_flow_val *fv;
	__u32 cur = 0;
	int side;

	if (known && *known == fd)
		return true;
	side = ec_fd_flow(fd, &flow);
	if (side < 0)
		return false;
	bpf_map_update_elem(&ec_tls_fds, &key, &fd, BPF_ANY);
	/* A connection that started before the capture: no SYN made it a candidate. */
	bpf_map_update_elem(&ec_flows, &flow, &traced, BPF_NOEXIST);
	/* This process uses the socket, maybe before its I/O shows it (a probe at a call's entry).
	 */
	fv = ec_flow_owner_changes(&flow, side, &cur);
	if (fv)
		ec_sock_owner_set(fv, &flow, side, cur, fd);

	ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);
	if (!ev) {
		ec_stat_inc(EC_STAT_CONN_DROPPED);
		return true;
	}
	ev->hdr.type = EC_EV_CONN;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->flow = flow;
	ev->ssl = conn_id;
	ev->fd = fd;
	ev->local_is_a = side;
	ev->source = source;
	ev->pad = 0;
	bpf_ringbuf_submit(ev, ec_rb_flags());
	return true;
}

/* The fd of CONN_ID, -1 if not known yet. */
static __always_inline __s32 ec_tls_fd(__u64 conn_id)
{
	struct ec_tls_conn_key key = ec_tls_conn_key_of(conn_id);
	__s32 *fd = bpf_map_lookup_elem(&ec_tls_fds, &key);

	return fd ? *fd : -1;
}

static __always_inline bool ec_tls_fd_known(__u64 conn_id)
{
	return ec_tls_fd(conn_id) >= 0;
}

/* A new or reset connection object at CONN_ID (addresses are reused): forget its old socket. */
static __always_inline void ec_tls_forget(__u64 conn_id)
{
	struct ec_tls_conn_key key = ec_tls_conn_key_of(conn_id);

	bpf_map_delete_elem(&ec_tls_fds, &key);
}

/* A library call on CONN_ID starts on this thread (nested calls on it count up). */
static __always_inline void ec_tls_call_begin(__u64 conn_id, __u32 lib_id, __u8 source)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	struct ec_tls_call fresh = {
	    .conn_id = conn_id, .lib_id = lib_id, .depth = 1, .source = source};

	if (c && c->depth > 0 && c->conn_id == conn_id)
		c->depth++;
	else
		bpf_map_update_elem(&ec_tls_calls, &id, &fresh, BPF_ANY);
}

/*
 * A library call on CONN_ID starts on this thread and no probe sees it return (a data call
 * when the capture takes no plaintext, SSL_set_connect_state): while the socket is unknown, the
 * thread's next read/write syscall names it, and ends the mark (depth 0; FLAGS EC_CALLF_*). A
 * call in progress is left alone.
 */
static __always_inline void ec_tls_call_mark(__u64 conn_id, __u32 lib_id, __u8 source, __u8 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c;
	struct ec_tls_call mark = {
	    .conn_id = conn_id, .lib_id = lib_id, .source = source, .flags = flags};

	c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	if (c && c->depth > 0)
		return;
	if (!ec_tls_fd_known(conn_id))
		bpf_map_update_elem(&ec_tls_calls, &id, &mark, BPF_ANY);
	else if (c)
		bpf_map_delete_elem(&ec_tls_calls, &id); /* another connection's mark */
}

/*
 * This process handshakes inside the data calls of library LIB_ID of module SOURCE, which are
 * not probed: ask userspace to probe them here (it does so once per process and library).
 */
static __always_inline void ec_tls_want_data_calls(__u32 lib_id, __u8 source)
{
	struct ec_data_calls_event *ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);

	if (!ev)
		return;
	ev->hdr.type = EC_EV_DATA_CALLS;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->lib_id = lib_id;
	ev->source = source;
	bpf_ringbuf_submit(ev, BPF_RB_FORCE_WAKEUP);
}

/* The call ends: fills OUT with the call (as it began) and returns 0, or -1 if none was traced. */
static __always_inline int ec_tls_call_end(struct ec_tls_call *out)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);

	if (!c || c->depth == 0)
		return -1;
	*out = *c;
	if (c->depth <= 1)
		bpf_map_delete_elem(&ec_tls_calls, &id);
	else
		c->depth--;
	return 0;
}

#endif
