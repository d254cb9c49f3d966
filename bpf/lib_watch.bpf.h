/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files that appear after the capture started, each reported once, so userspace can probe it:
 * - a process runs an executable not seen before (it may be a Go program): sched_process_exec,
 *   a raw tracepoint;
 * - a process maps a file named like a TLS library as code (the loader's mmap of its text, at
 *   startup or dlopen): checked when the mmap syscall releases its lock (bpf/tls_conn.bpf.c),
 *   so the mapping shows in /proc/PID/maps, or at its entry on kernels that use sys_enter
 *   (the loader has mapped the file's first, read-only segment by then).
 * Needs no tracefs, no loader symbols, and works in every mount namespace.
 */
#ifndef EC_LIB_WATCH_BPF_H
#define EC_LIB_WATCH_BPF_H

#include "maps.bpf.h"
#include "sock.bpf.h"

#define EC_PROT_EXEC 0x4

struct ec_lib_file {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/* Files already looked at (TLS library or not), so each costs one lookup after the first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ec_lib_file);
	__type(value, __u8);
} ec_lib_seen SEC(".maps");

static __always_inline bool ec_has_prefix(const char *s, const char *prefix, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != prefix[i])
			return false;
	return true;
}

/* libssl.so*, libgnutls.so*, libnspr4.so*: the names userspace's finders accept. */
static __always_inline bool ec_tls_lib_name(const char *n)
{
	return ec_has_prefix(n, "libssl.so", 9) || ec_has_prefix(n, "libgnutls.so", 12) ||
	       ec_has_prefix(n, "libnspr4.so", 11);
}

/*
 * Whether the current process is the first allowed one to show file KEY (which is then marked
 * seen). A file the filters reject stays unmarked: an allowed process may show it later.
 */
static __always_inline bool ec_first_sight(const struct ec_lib_file *key)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&ec_lib_seen, key) || !ec_proc_allowed())
		return false;
	bpf_map_update_elem(&ec_lib_seen, key, &one, BPF_ANY);
	return true;
}

/* Tell userspace at once: rare, and every millisecond counts before the first handshake. */
static __always_inline void ec_file_event(__u32 type, const char *name)
{
	struct ec_lib_event *ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);

	if (!ev) {
		ec_stat_inc(EC_STAT_LIB_DROPPED);
		return;
	}
	ev->hdr.type = type;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	__builtin_memcpy(ev->name, name, sizeof(ev->name));
	bpf_ringbuf_submit(ev, BPF_RB_FORCE_WAKEUP);
}

/* The current process makes mmap(addr, len, PROT, flags, FD, off). */
static __always_inline void ec_lib_watch_mmap(long prot, int fd)
{
	struct ec_lib_file key = {};
	char name[EC_LIB_NAME_LEN] = {};
	struct file *file;

	if (!(prot & EC_PROT_EXEC) || fd < 0)
		return;
	file = ec_fd_to_file(fd);
	if (!file)
		return;
	key.ino = BPF_CORE_READ(file, f_inode, i_ino);
	key.dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	if (!ec_first_sight(&key))
		return;
	if (bpf_probe_read_kernel_str(name, sizeof(name),
	                              BPF_CORE_READ(file, f_path.dentry, d_name.name)) < 0 ||
	    !ec_tls_lib_name(name))
		return;
	ec_file_event(EC_EV_LIB_MAPPED, name);
}

/* The current process has just run the executable BPRM names (sched_process_exec). */
static __always_inline void ec_lib_watch_exec(struct linux_binprm *bprm)
{
	struct ec_lib_file key = {};
	char name[EC_LIB_NAME_LEN] = {}; /* its comm says which program */

	key.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	key.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
	if (key.ino && ec_first_sight(&key))
		ec_file_event(EC_EV_EXEC, name);
}

#endif
