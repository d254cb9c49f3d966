// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NSS programs, through NSPR: PR_Write/PR_Send and PR_Read/PR_Recv on a TLS socket carry the
 * plaintext (NSS's SSL layer sits on top of the TCP socket in the PRFileDesc layer stack).
 * PRFileDesc and PRIOMethods are NSPR's public, stable ABI (prio.h): methods at 0, lower at 16;
 * a methods table starts with its PRDescType. A call counts when its descriptor is a layer
 * (PR_DESC_LAYERED, as NSS's SSL layer is) with a TCP socket below; plain files, pipes and
 * sockets without a layer on top are skipped. NSS holds its secrets inside its PKCS #11 token
 * (softoken), out of reach of a sound read, so this gives plaintext and sockets, no keys.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "data_args.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EC_SOURCE_NSS      3 /* EC_RECORD_SRC_NSS */
#define PR_DESC_SOCKET_TCP 2
#define PR_DESC_LAYERED    4
#define FD_METHODS         0  /* PRFileDesc.methods */
#define FD_LOWER           16 /* PRFileDesc.lower */
#define MAX_LAYERS         4

static __always_inline __s32 desc_type(const void *fd)
{
	const void *methods = NULL;
	__s32 type = 0;

	if (bpf_probe_read_user(&methods, sizeof(methods), (const char *)fd + FD_METHODS) ||
	    !methods || bpf_probe_read_user(&type, sizeof(type), methods))
		return 0;
	return type;
}

/* A layer (NSS's SSL layer) over a TCP socket. */
static __always_inline bool is_tls_fd(const void *fd)
{
	const void *p = fd;

	if (!fd || desc_type(fd) != PR_DESC_LAYERED)
		return false;
	for (int i = 0; i < MAX_LAYERS; i++) {
		if (bpf_probe_read_user(&p, sizeof(p), (const char *)p + FD_LOWER) || !p)
			return false;
		if (desc_type(p) == PR_DESC_SOCKET_TCP)
			return true;
	}
	return false;
}

SEC("uprobe")
int BPF_KPROBE(ec_nss_entry, void *fd, void *buf, int amount)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 kind = EC_COOKIE_KIND(cookie);

	if (kind == EC_NSPR_CLOSE) {
		if (fd)
			ec_tls_forget((__u64)fd);
		return 0;
	}
	if (!ec_proc_allowed() || !is_tls_fd(fd))
		return 0;
	ec_tls_call_begin((__u64)fd, EC_COOKIE_LIB(cookie), EC_SOURCE_NSS);
	ec_data_enter((__u64)buf, amount > 0 ? amount : 0, 0,
	              kind == EC_NSPR_WRITE ? EC_DATA_DIR_SENT : EC_DATA_DIR_RECEIVED);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ec_nss_return, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_tls_call c, *cur = bpf_map_lookup_elem(&ec_tls_calls, &id);
	__s32 n = (__s32)ret; /* PRInt32 */
	struct ec_data_args args = {};
	bool have;

	if (!cur || cur->source != EC_SOURCE_NSS)
		return 0; /* the call was no TLS one (a file, a pipe, a plain socket) */
	have = ec_data_take(&args);
	if (ec_tls_call_end(&c))
		return 0;
	if (!have)
		ec_data_args_lost();
	if (!have || n <= 0)
		return 0;
	ec_emit_tls_data(c.conn_id, args.buf, ec_data_moved(&args, n), args.dir, EC_SOURCE_NSS);
	return 0;
}
