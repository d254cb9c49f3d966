// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go crypto/tls: the Go programs among the running processes (and those named with --gobin),
 * probed at the points capture/targets/go_target.c finds (bpf/go_tls.bpf.c). Go links crypto/tls into
 * each executable, so each program file is probed on its own; a program started later from an
 * already-probed file is covered too (uprobes belong to the file).
 */
#include <errno.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/processes.h"
#include "targets/go_elf.h"
#include "targets/go_target.h"
#include "go_tls.skel.h"
#include "modules/module.h"
#include "probes/uprobe_module.h"

struct go_prog {
	struct ec_target_file *file;
	struct ec_go_target target;
};

struct ec_go {
	struct go_tls_bpf *skel;
	struct ec_uprobes *uprobes;
	GArray *progs; /* struct go_prog, indexed by the cookie's id */
	guint n_attached;
};

static void prog_clear(gpointer p)
{
	struct go_prog *g = p;

	ec_target_file_free(g->file);
	ec_go_target_clear(&g->target);
}

static void destroy(void *state)
{
	struct ec_go *s = state;

	if (!s)
		return;
	ec_uprobes_free(s->uprobes);
	go_tls_bpf__destroy(s->skel);
	if (s->progs)
		g_array_unref(s->progs);
	g_free(s);
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_TLS && (o->tls_libs & EC_TLSLIB_GO);
}

/* The Go programs with crypto/tls among FILES; the others are dropped (named ones: errors). */
static int plan_all(struct ec_go *s, GPtrArray *files, GError **err)
{
	for (guint i = 0; i < files->len; i++) {
		struct ec_target_file *f = files->pdata[i];
		g_autoptr(GError) perr = NULL;
		struct go_prog p = {0};
		int rc = ec_go_target_plan(f->path, &p.target, &perr);

		if (rc < 0 || (rc == 0 && f->requested)) {
			if (!perr)
				g_set_error(&perr, EC_ERROR, EC_ERROR_UNSUPPORTED,
				            "%s is no Go program that uses crypto/tls", f->path);
			if (f->requested) {
				g_propagate_error(err, g_steal_pointer(&perr));
				return -1;
			}
			g_warning("not tracing %s: %s", f->path, perr->message);
			continue;
		}
		if (rc == 0)
			continue;
		if (s->progs->len >= EC_MAX_LIBS) {
			g_warning("more than %d Go programs: %s and later ones not traced",
			          EC_MAX_LIBS, f->path);
			ec_go_target_clear(&p.target);
			break;
		}
		g_info("%s: Go %s, %s ABI, %u probe points%s%s", f->path,
		       p.target.version ? p.target.version : "(version unknown)",
		       p.target.abi == EC_GO_ABI_REG ? "register" : "stack", p.target.offsets->len,
		       p.target.keys ? ", keys" : "", p.target.data ? ", plaintext" : "");
		p.file = g_ptr_array_steal_index(files, i--);
		g_array_append_val(s->progs, p);
	}
	return 0;
}

EC_UPROBE_SKEL(go_skel, go_tls_bpf, "Go");

static void *module_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                         GError **err)
{
	g_autoptr(GPtrArray) files = ec_find_exes((const char *const *)o->gobin, err);
	struct ec_go *s;

	if (!files)
		return NULL;
	s = g_new0(struct ec_go, 1);
	s->progs = g_array_new(FALSE, TRUE, sizeof(struct go_prog));
	g_array_set_clear_func(s->progs, prog_clear);
	if (plan_all(s, files, err) || s->progs->len == 0 ||
	    !(s->skel = ec_uprobe_skel_load(&go_skel, shared, &s->uprobes, err))) {
		destroy(s);
		return NULL;
	}
	return s;
}

/* Every probe point of program ID, in process PID only if PID > 0. */
static int attach_prog(struct ec_go *s, guint id, pid_t pid, GError **err)
{
	const struct go_prog *p = &g_array_index(s->progs, struct go_prog, id);
	g_autoptr(GArray) cookies =
	    g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), p->target.kinds->len);

	for (guint i = 0; i < p->target.kinds->len; i++) {
		uint64_t c = EC_COOKIE(id, g_array_index(p->target.kinds, uint32_t, i));

		g_array_append_val(cookies, c);
	}
	return ec_uprobes_attach_offsets(s->uprobes, s->skel->progs.ec_go_probe, p->file->path,
	                                 (const uint64_t *)p->target.offsets->data,
	                                 (const uint64_t *)cookies->data, cookies->len, pid, err);
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct ec_go *s = state;

	for (guint id = 0; id < s->progs->len; id++) {
		const struct go_prog *p = &g_array_index(s->progs, struct go_prog, id);
		guint n_pids = o->pids->len ? o->pids->len : 1;
		g_autoptr(GError) aerr = NULL;

		for (guint i = 0; i < n_pids && !aerr; i++)
			attach_prog(s, id, o->pids->len ? g_array_index(o->pids, pid_t, i) : -1,
			            &aerr);
		if (aerr) {
			if (ec_probe_failed(p->file, &aerr, err))
				return -1;
			continue;
		}
		g_message("tracing Go program %s", p->file->path);
		s->n_attached++;
	}
	return 0;
}

static char *describe(void *state)
{
	struct ec_go *s = state;

	if (!s->n_attached)
		return NULL;
	return g_strdup_printf("Go: %u program%s", s->n_attached, s->n_attached == 1 ? "" : "s");
}

const struct ec_module_ops ec_mod_go = {
    .name = "go",
    .tls = true,
    .wanted = wanted,
    .load = module_load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
