// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket finder every TLS library module relies on: the raw tracepoints of
 * bpf/tls_conn.bpf.c, which name the socket a thread uses inside a TLS library call, and watch
 * for TLS libraries and programs that appear while the capture runs. Where the kernel has the
 * socket tracepoints (Linux >= 6.3) only socket I/O and mmap pay; else sys_enter does it all, at
 * a cost to every syscall on the system.
 */
#include <errno.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "user_rights.h"
#include "modules/module.h"
#include "probes/bpf_loader.h"
#include "tls_conn.skel.h"

/* A program of the object and the raw tracepoint it goes on. */
struct raw_tp {
	const char *prog, *tracepoint;
};

static const struct raw_tp socket_tracepoints[] = {
    {"ec_sock_send", "sock_send_length"},
    {"ec_sock_recv", "sock_recv_length"},
    {"ec_mmap_done", "mmap_lock_released"},
    {"ec_exec", "sched_process_exec"},
};

static const struct raw_tp syscall_tracepoints[] = {
    {"ec_sys_enter", "sys_enter"},
    {"ec_exec", "sched_process_exec"},
};

#define MAX_LINKS G_N_ELEMENTS(socket_tracepoints)

struct tls_conn {
	struct ec_bpf_loaded bpf;
	struct bpf_link *links[MAX_LINKS];
};

static const struct ec_bpf_object_spec tls_conn_object = {
    .what = "socket-finder",
    .name = "tls_conn_bpf",
    .elf_bytes = tls_conn_bpf__elf_bytes,
};

static void detach(struct tls_conn *t)
{
	for (size_t i = 0; i < MAX_LINKS; i++) {
		bpf_link__destroy(t->links[i]);
		t->links[i] = NULL;
	}
}

/* Attach every program of SET (N of them) or none; -1 with ERR naming the one that failed. */
static int attach_set(struct tls_conn *t, const struct raw_tp *set, size_t n, GError **err)
{
	for (size_t i = 0; i < n; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(t->bpf.obj, set[i].prog);

		t->links[i] = p ? bpf_program__attach_raw_tracepoint(p, set[i].tracepoint) : NULL;
		if (!t->links[i]) {
			int e = p ? errno : ENOENT;

			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot attach to the %s raw tracepoint: %s", set[i].tracepoint,
			            g_strerror(e));
			detach(t);
			return -1;
		}
	}
	return 0;
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS;
}

static void destroy(void *state)
{
	struct tls_conn *t = state;

	if (!t)
		return;
	detach(t);
	ec_bpf_unload(&t->bpf);
	g_free(t);
}

static void *load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o, GError **err)
{
	struct tls_conn *t = g_new0(struct tls_conn, 1);

	(void)o;
	if (ec_bpf_load(&t->bpf, &tls_conn_object, shared, err)) {
		destroy(t);
		return NULL;
	}
	return t;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct tls_conn *t = state;
	g_autoptr(GError) why = NULL;

	(void)o;
	/* Probed by the loader (ECAPTURE_NO_SOCKET_TRACEPOINTS=1 makes it say no, for tests). */
	if (!ec_bpf_kernel()->sock_tp)
		g_set_error(&why, EC_ERROR, EC_ERROR_UNSUPPORTED, "no sock_send_length tracepoint");
	else if (!attach_set(t, socket_tracepoints, G_N_ELEMENTS(socket_tracepoints), &why))
		return 0;
	g_debug("%s: the socket finder uses sys_enter (every syscall pays)", why->message);
	return attach_set(t, syscall_tracepoints, G_N_ELEMENTS(syscall_tracepoints), err);
}

static char *describe(void *state)
{
	(void)state;
	return NULL;
}

const struct ec_module_ops ec_mod_tls_conn = {
    .name = "tls-conn",
    .wanted = wanted,
    .load = load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
