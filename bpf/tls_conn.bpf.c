// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which socket a thread uses inside a traced TLS library call (this is how custom BIOs, such as
 * curl's, are seen through), which process sends and receives on each followed connection's
 * socket (sock_owner.bpf.h), and the TLS libraries and programs that appear after the capture
 * started (lib_watch.bpf.h). All raw tracepoints: no tracefs needed.
 * - Socket I/O (sock_send_length, sock_recv_length, Linux >= 6.3): a thread inside a library
 *   call that sends or receives on a socket fd is using that connection's socket; the process
 *   that does it owns the socket. Only socket I/O pays: one hash lookup, two for TCP.
 * - A finished mmap (mmap_lock_released): a TLS library mapped as code.
 * - A program run (sched_process_exec).
 * Kernels without the socket tracepoints get the same from sys_enter (ec_sys_enter), which
 * every syscall on the system pays for: userspace attaches it only then.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lib_watch.bpf.h"
#include "sock_owner.bpf.h"
#include "tls_conn.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#if defined(__TARGET_ARCH_x86)
#define EC_NR_MMAP 9
#elif defined(__TARGET_ARCH_arm64)
#define EC_NR_MMAP 222
#else
#define EC_NR_MMAP (-1)
#endif

#define EC_THREAD_SIZE (16u * 1024u)

/* Syscalls that move a socket's bytes; their first argument is the fd. */
static __always_inline bool io_syscall(long nr)
{
#if defined(__TARGET_ARCH_x86)
	return nr == 0 || nr == 1 || nr == 19 || nr == 20 || (nr >= 44 && nr <= 47);
#elif defined(__TARGET_ARCH_arm64)
	return (nr >= 63 && nr <= 66) || nr == 206 || nr == 207 || nr == 211 || nr == 212;
#else
	return false;
#endif
}

/*
 * Thread ID (pid_tgid), inside library call C, moved bytes on a socket in syscall NR, with the
 * user registers REGS: that syscall's fd is the call's socket.
 */
static __always_inline void on_socket_io(struct ec_tls_call *c, __u64 id, long nr,
                                         struct pt_regs *regs)
{
	bool noted;

	if (!io_syscall(nr))
		return;
#if defined(__TARGET_ARCH_x86)
	/* Go keeps the running goroutine in R14 down to the SYSCALL instruction. */
	if (c->g && BPF_CORE_READ(regs, r14) != c->g)
		return;
#endif
	noted = ec_tls_note_fd(c->conn_id, (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs), c->source);
	if (c->depth > 0)
		return;
	/* A mark: its one syscall is seen. After SSL_set_*_state, with no handshake call
	 * around it: the handshake runs inside a data call. */
	if (noted && (c->flags & EC_CALLF_WATCH_HANDSHAKE))
		ec_tls_want_data_calls(c->lib_id, c->source);
	bpf_map_delete_elem(&ec_tls_calls, &id);
}

/* The user registers of the current thread, saved at its syscall entry. */
static __always_inline struct pt_regs *user_regs(void)
{
	struct task_struct *task;

	if (!ec_no_task_pt_regs)
		return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	/*
	 * Before 5.15: what task_pt_regs() computes on x86-64 and arm64, the registers at the
	 * top of the task's kernel stack (THREAD_SIZE 16 KiB, no padding, as Debian builds them).
	 */
	task = (struct task_struct *)bpf_get_current_task();
	return (struct pt_regs *)((char *)BPF_CORE_READ(task, stack) + EC_THREAD_SIZE) - 1;
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
	return -1;
#endif
}

/* The fd of syscall NR with the user registers REGS, if it moves a socket's bytes; else -1. */
static __always_inline __s32 io_fd(long nr, struct pt_regs *regs)
{
	return io_syscall(nr) ? (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs) : -1;
}

/* The socket tracepoints: SK sent or received (after the call, whatever called it). */
static __always_inline void on_socket_tracepoint(struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	struct ec_flow_key flow = {};
	struct ec_flow_val *fv;
	struct pt_regs *regs;
	__u32 cur = 0;
	int side = 0;

	if (c) {
		regs = user_regs();
		on_socket_io(c, id, syscall_nr(regs), regs);
	}
	fv = ec_sock_owner_changes(sk, &flow, &side, &cur);
	if (!fv)
		return; /* the common case: no new owner */
	regs = user_regs();
	ec_sock_owner_set(fv, &flow, side, cur, io_fd(syscall_nr(regs), regs));
}

SEC("raw_tracepoint/sock_send_length")
int ec_sock_send(struct bpf_raw_tracepoint_args *ctx)
{
	on_socket_tracepoint((struct sock *)ctx->args[0]);
	return 0;
}

SEC("raw_tracepoint/sock_recv_length")
int ec_sock_recv(struct bpf_raw_tracepoint_args *ctx)
{
	on_socket_tracepoint((struct sock *)ctx->args[0]);
	return 0;
}

/* A write lock on an address space is released: after an mmap syscall, its mapping is there. */
SEC("raw_tracepoint/mmap_lock_released")
int ec_mmap_done(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs;

	if (!ctx->args[1]) /* a read lock: no mapping was made */
		return 0;
	regs = user_regs();
	if (syscall_nr(regs) == EC_NR_MMAP)
		ec_lib_watch_mmap((long)PT_REGS_PARM3_CORE_SYSCALL(regs),
		                  (int)PT_REGS_PARM5_CORE_SYSCALL(regs));
	return 0;
}

/*
 * Kernels without the socket tracepoints: every syscall entry does all three jobs (each read or
 * write also finds whether its fd is a socket).
 */
SEC("raw_tracepoint/sys_enter")
int ec_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long nr = (long)ctx->args[1];

	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c;

	if (nr == EC_NR_MMAP) {
		ec_lib_watch_mmap((long)PT_REGS_PARM3_CORE_SYSCALL(regs),
		                  (int)PT_REGS_PARM5_CORE_SYSCALL(regs));
		return 0;
	}
	c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	if (c)
		on_socket_io(c, id, nr, regs);
	if (io_syscall(nr)) {
		__s32 fd = (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs);
		struct ec_flow_key flow = {};
		struct ec_flow_val *fv;
		__u32 cur = 0;
		int side = 0;

		fv = ec_sock_owner_changes(ec_fd_to_sock(fd), &flow, &side, &cur);
		if (fv)
			ec_sock_owner_set(fv, &flow, side, cur, fd);
	}
	return 0;
}

/* A process runs a new program: one lookup per exec (lib_watch.bpf.h). */
SEC("raw_tracepoint/sched_process_exec")
int ec_exec(struct bpf_raw_tracepoint_args *ctx)
{
	ec_lib_watch_exec((struct linux_binprm *)ctx->args[2]);
	return 0;
}
