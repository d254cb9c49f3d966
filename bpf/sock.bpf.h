/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From a file descriptor of the current process to the TCP connection behind it, by walking
 * task -> files -> fdtable -> file -> socket -> sock with CO-RE reads. This stands in for the
 * kprobes (tcp_sendmsg and friends) other tools use, which this kind of kernel may not have.
 */
#ifndef EC_SOCK_BPF_H
#define EC_SOCK_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "flow_key.bpf.h"

#define EC_S_IFMT      00170000
#define EC_S_IFSOCK    0140000
#define EC_SOCK_STREAM 1
#define EC_AF_INET     2
#define EC_AF_INET6    10

/* The open file behind FD in the current process, or NULL. */
static __always_inline struct file *ec_fd_to_file(int fd)
{
	/* Not bpf_get_current_task_btf (5.11+): every read here goes through CO-RE anyway. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt;
	struct file **fds;
	struct file *file = NULL;
	unsigned int max_fds;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(task, files, fdt);
	max_fds = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned int)fd >= max_fds)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

static __always_inline struct sock *ec_fd_to_sock(int fd)
{
	struct file *file = ec_fd_to_file(fd);
	struct socket *sock;
	umode_t mode;

	if (!file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & EC_S_IFMT) != EC_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock || BPF_CORE_READ(sock, type) != EC_SOCK_STREAM)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d): on the wire it is IPv4. */
static __always_inline bool ec_v4_mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0x0000ffff);
}

/*
 * The flow key of SK, a stream socket. Returns 1 if SK's end is endpoint a, 0 if it is endpoint
 * b, -1 if SK is not a connected IPv4/IPv6 socket.
 */
static __always_inline int ec_sk_flow(struct sock *sk, struct ec_flow_key *key)
{
	__u32 local[4] = {}, remote[4] = {};
	__u16 lport, rport, family;

	if (!sk)
		return -1;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	lport = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
	rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	if (!lport || !rport)
		return -1;
	if (family == EC_AF_INET) {
		local[0] = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		remote[0] = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	} else if (family == EC_AF_INET6) {
		BPF_CORE_READ_INTO(&local, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&remote, sk, __sk_common.skc_v6_daddr);
		if (ec_v4_mapped(local) && ec_v4_mapped(remote)) {
			family = EC_AF_INET;
			local[0] = local[3];
			remote[0] = remote[3];
			local[1] = local[2] = local[3] = 0;
			remote[1] = remote[2] = remote[3] = 0;
		}
	} else {
		return -1;
	}
	return ec_flow_key_set(key, family, local, lport, remote, rport) ? 1 : 0;
}

/*
 * The flow key of the connected TCP socket behind FD. Returns 1 if the process's end is
 * endpoint a, 0 if it is endpoint b, -1 if FD is not a connected TCP socket.
 */
static __always_inline int ec_fd_flow(int fd, struct ec_flow_key *key)
{
	return ec_sk_flow(ec_fd_to_sock(fd), key);
}

#endif
