// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every syscall entry: a thread inside a traced TLS library call that reads or writes an fd is
 * using that connection's socket (this is how custom BIOs, such as curl's, are seen through).
 * One hash lookup for every other syscall on the system. A raw tracepoint: no tracefs needed.
 * It also watches mmap for TLS libraries mapped after the capture started (lib_watch.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lib_watch.bpf.h"
#include "tls_conn.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#if defined(__TARGET_ARCH_x86)
#define EC_NR_MMAP 9
#elif defined(__TARGET_ARCH_arm64)
#define EC_NR_MMAP 222
#else
#define EC_NR_MMAP (-1)
#endif

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

SEC("raw_tracepoint/sys_enter")
int ec_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call *c = bpf_map_lookup_elem(&ec_tls_calls, &id);
	struct pt_regs *regs;

	if (!c) {
		if ((long)ctx->args[1] == EC_NR_MMAP) {
			regs = (struct pt_regs *)ctx->args[0];
			ec_lib_watch_mmap((long)PT_REGS_PARM3_CORE_SYSCALL(regs),
			                  (int)PT_REGS_PARM5_CORE_SYSCALL(regs));
		}
		return 0;
	}
	if (!io_syscall((long)ctx->args[1]))
		return 0;
	regs = (struct pt_regs *)ctx->args[0];
#if defined(__TARGET_ARCH_x86)
	/* Go keeps the running goroutine in R14 down to the SYSCALL instruction. */
	if (c->g && BPF_CORE_READ(regs, r14) != c->g)
		return 0;
#endif
	ec_tls_note_fd(c->conn_id, (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs), c->source);
	return 0;
}

/* A process runs a new program: one lookup per exec (lib_watch.bpf.h). */
SEC("raw_tracepoint/sched_process_exec")
int ec_exec(struct bpf_raw_tracepoint_args *ctx)
{
	ec_lib_watch_exec((struct linux_binprm *)ctx->args[2]);
	return 0;
}
