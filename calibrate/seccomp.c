// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* O_PATH */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "report.h"

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "the calibration sandbox knows no other architecture"
#endif

#define ARG_LO(n)   (offsetof(struct seccomp_data, args) + 8 * (n)) /* little-endian */
#define OPEN_WRITES (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_DIRECTORY | O_PATH)

static const int allowed[] = {
    SYS_read,
    SYS_readv,
    SYS_pread64,
    SYS_write,
    SYS_writev,
    SYS_close,
    SYS_fstat,
    SYS_newfstatat,
    SYS_statx,
    SYS_lseek,
    SYS_mmap,
    SYS_mprotect,
    SYS_munmap,
    SYS_mremap,
    SYS_madvise,
    SYS_brk,
    SYS_rt_sigaction,
    SYS_rt_sigprocmask,
    SYS_rt_sigreturn,
    SYS_sigaltstack,
    SYS_futex,
    SYS_set_robust_list,
    SYS_getpid,
    SYS_gettid,
    SYS_getppid,
    SYS_getuid,
    SYS_geteuid,
    SYS_getgid,
    SYS_getegid,
    SYS_getresuid,
    SYS_getresgid,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_gettimeofday,
    SYS_nanosleep,
    SYS_clock_nanosleep,
    SYS_exit,
    SYS_exit_group,
    SYS_getrandom,
    SYS_sched_yield,
    SYS_sched_getaffinity,
    SYS_uname,
    SYS_prlimit64,
    SYS_getrlimit,
    SYS_sysinfo,
    SYS_sendto,
    SYS_recvfrom,
    SYS_sendmsg,
    SYS_recvmsg,
    SYS_shutdown,
    SYS_setsockopt,
    SYS_getsockopt,
    SYS_getsockname,
    SYS_getpeername,
    SYS_ppoll,
    SYS_pselect6,
    SYS_fcntl,
    SYS_dup,
    SYS_dup3,
    SYS_faccessat,
    SYS_readlinkat,
    SYS_getcwd,
    SYS_restart_syscall,
    SYS_tgkill,
    SYS_umask,
#ifdef SYS_rseq
    SYS_rseq,
#endif
#ifdef SYS_faccessat2
    SYS_faccessat2,
#endif
#if defined(__x86_64__)
    SYS_stat,
    SYS_lstat,
    SYS_poll,
    SYS_select,
    SYS_dup2,
    SYS_access,
    SYS_readlink,
    SYS_time,
    SYS_arch_prctl,
#endif
};

#define STMT(code, k)         ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define RET_ERRNO(e)          STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
#define LOAD(off)             STMT(BPF_LD | BPF_W | BPF_ABS, (unsigned int)(off))

int seccomp_install(void)
{
	struct sock_filter prog[2 * (sizeof(allowed) / sizeof(allowed[0])) + 32];
	struct sock_fprog fprog;
	unsigned short n = 0;

	prog[n++] = LOAD(offsetof(struct seccomp_data, arch));
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[n++] = LOAD(offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	prog[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); /* x32 calls */
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
	/* a socketpair of AF_UNIX only */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socketpair, 0, 4);
	prog[n++] = LOAD(ARG_LO(0));
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = RET_ERRNO(EPERM);
	/* files opened for reading only (the empty root holds nothing else) */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 4);
	prog[n++] = LOAD(ARG_LO(2));
	prog[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, OPEN_WRITES, 1, 0);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = RET_ERRNO(EACCES);
	/* isatty() and friends: no terminal here */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 1);
	prog[n++] = RET_ERRNO(ENOTTY);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)allowed[i], 0, 1);
		prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	prog[n++] = RET_ERRNO(EPERM);

	fprog.len = n;
	fprog.filter = prog;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0) {
		report_fail("cannot install the seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}
