// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket finder every TLS library module relies on: the sys_enter raw tracepoint of
 * bpf/tls_conn.bpf.c, which names the socket a thread uses inside a TLS library call, and
 * watches for TLS libraries and programs that appear while the capture runs (the
 * sched_process_exec raw tracepoint too).
 */
#include <errno.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "modules/module.h"
#include "probes/bpf_loader.h"
#include "tls_conn.skel.h"

struct tls_conn {
	struct ec_bpf_loaded bpf;
	struct bpf_link *link, *exec_link;
};

static const struct ec_bpf_object_spec tls_conn_object = {
    .what = "socket-finder",
    .name = "tls_conn_bpf",
    .elf_bytes = tls_conn_bpf__elf_bytes,
    .entry = "ec_sys_enter", /* a raw tracepoint, not a uprobe */
};

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS;
}

static void destroy(void *state)
{
	struct tls_conn *t = state;

	if (!t)
		return;
	bpf_link__destroy(t->exec_link);
	bpf_link__destroy(t->link);
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
	struct bpf_program *exec;

	(void)o;
	t->link = bpf_program__attach_raw_tracepoint(t->bpf.entry, "sys_enter");
	if (!t->link) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot attach to the sys_enter raw tracepoint: %s", g_strerror(errno));
		return -1;
	}
	exec = bpf_object__find_program_by_name(t->bpf.obj, "ec_exec");
	t->exec_link = exec ? bpf_program__attach_raw_tracepoint(exec, "sched_process_exec") : NULL;
	if (!t->exec_link) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot attach to the sched_process_exec raw tracepoint: %s",
		            g_strerror(errno));
		bpf_link__destroy(t->link);
		t->link = NULL;
		return -1;
	}
	return 0;
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
