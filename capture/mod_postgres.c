// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PostgreSQL module (bpf/postgres.bpf.c): simple and extended protocol queries through
 * functions every postgres exports (see the BPF side for how they fit together). The only
 * version-dependent fact, the elevel of ERROR, comes from the server's version string.
 */
#include <glib.h>
#include <stdlib.h>

#include "audit_exe.h"
#include "audit_plan.h"
#include "ec_error.h"
#include "ec_record.h"
#include "elf_info.h"
#include "module.h"
#include "postgres.skel.h"

/* Statements under way at once (32 KiB each): one per backend running a query. */
#define STATEMENTS_IN_FLIGHT 256

static const char *const postgres_paths[] = {
    "/usr/lib/postgresql/*/bin/postgres", "/usr/pgsql-*/bin/postgres",
    "/usr/local/pgsql/bin/postgres", "/usr/bin/postgres", NULL};
static const char *const postgres_names[] = {"postgres", "postmaster", NULL};

static const struct {
	const char *name;
	uint32_t kind;
	bool entry, ret, optional;
} hooked[] = {
    {"pq_getbyte", EC_AFN_PG_GETBYTE, false, true, false},
    {"pgstat_report_activity", EC_AFN_PG_ACTIVITY, true, false, false},
    {"errstart", EC_AFN_PG_ERRSTART, true, false, false},
    {"errstart_cold", EC_AFN_PG_ERRSTART, true, false, true}, /* 13 and later */
    {"errcode", EC_AFN_PG_ERRCODE, true, false, false},
    {"AbortCurrentTransaction", EC_AFN_PG_ABORT, true, false, false},
    {"ReadyForQuery", EC_AFN_PG_READY, true, false, false},
};

struct postgres_mod {
	struct ec_audit_obj bpf;
	struct ec_audit_plan *plan;
};

/* The major version from "PostgreSQL 15.18 (...)"; 0 if not found. */
static int server_major(const char *path, char **version)
{
	g_autoptr(GError) err = NULL;
	struct ec_elf *elf = ec_elf_open(path, &err);
	int major = 0;

	*version = NULL;
	if (!elf)
		return 0;
	*version = ec_elf_find_rodata_string(elf, "^PostgreSQL [0-9]+(\\.[0-9]+)?", NULL);
	ec_elf_close(elf);
	if (*version)
		major = atoi(*version + 11);
	return major;
}

static int plan_server(struct postgres_mod *m, const char *path, GError **err)
{
	struct ec_sym_table *syms = ec_sym_table_load(path, err);
	g_autofree char *version = NULL, *what = NULL;
	struct ec_audit_target *t;
	int major, id, rc = -1;

	if (!syms)
		return -1;
	major = server_major(path, &version);
	if (major < 10) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
		            "%s: not a PostgreSQL server of version 10 or later (%s)", path,
		            version ? version : "no version string");
		goto out;
	}
	what = g_strdup_printf("%s (PostgreSQL %d)", path, major);
	id = ec_audit_plan_add_target(m->plan, path, what);
	if (id < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "too many PostgreSQL servers");
		goto out;
	}
	t = ec_audit_plan_target(m->plan, id);
	t->source = EC_RECORD_SRC_POSTGRES;
	/* elog.h: WARNING_CLIENT_ONLY (20) came in 14 and moved ERROR from 20 to 21. */
	t->pg_error_level = major >= 14 ? 21 : 20;
	for (size_t i = 0; i < G_N_ELEMENTS(hooked); i++) {
		const struct ec_sym *s = ec_sym_find(syms, hooked[i].name);

		if (!s) {
			if (hooked[i].optional)
				continue;
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "%s has no symbol %s",
			            path, hooked[i].name);
			goto out;
		}
		if (ec_audit_plan_probe(m->plan, id, path, s, hooked[i].kind, hooked[i].entry,
		                        hooked[i].ret, err))
			goto out;
	}
	rc = 0;
out:
	ec_sym_table_free(syms);
	return rc;
}

static void destroy(void *state)
{
	struct postgres_mod *m = state;

	if (!m)
		return;
	ec_audit_plan_free(m->plan);
	ec_audit_obj_close(&m->bpf);
	g_free(m);
}

static void *load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o, GError **err)
{
	g_autoptr(GPtrArray) files =
	    ec_find_programs("postgres", o->postgres_path, postgres_paths, postgres_names, err);
	static const struct ec_audit_map_size sizes[] = {
	    {"ec_pg_statements", STATEMENTS_IN_FLIGHT}};
	struct postgres_mod *m;
	const void *elf;
	size_t elf_size;

	if (!files)
		return NULL;
	m = g_new0(struct postgres_mod, 1);
	m->plan = ec_audit_plan_new();
	for (guint i = 0; i < files->len; i++) {
		const struct ec_lib_file *f = files->pdata[i];
		g_autoptr(GError) ferr = NULL;

		if (plan_server(m, f->path, &ferr)) {
			if (f->requested) {
				g_propagate_error(err, g_steal_pointer(&ferr));
				goto fail;
			}
			g_warning("not tracing %s: %s", f->path, ferr->message);
		}
	}
	if (!ec_audit_plan_n_targets(m->plan)) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no PostgreSQL server that can be traced was found (name one with "
		            "--postgres)");
		goto fail;
	}
	elf = postgres_bpf__elf_bytes(&elf_size);
	if (ec_audit_obj_load(&m->bpf, elf, elf_size, "postgres", "ec_pg_entry", "ec_pg_return",
	                      sizes, G_N_ELEMENTS(sizes), shared, err) ||
	    ec_audit_plan_write_targets(
	        m->plan, bpf_object__find_map_by_name(m->bpf.obj, "ec_audit_targets"), err))
		goto fail;
	return m;
fail:
	destroy(m);
	return NULL;
}

static int attach(void *state, const struct ec_capture_opts *o, GError **err)
{
	struct postgres_mod *m = state;

	if (ec_audit_plan_attach(m->plan, m->bpf.entry, m->bpf.ret, m->bpf.multi, o->pids, err))
		return -1;
	for (guint i = 0; i < ec_audit_plan_n_targets(m->plan); i++)
		g_message("tracing %s", ec_audit_plan_target_what(m->plan, (int)i));
	return 0;
}

static char *describe(void *state)
{
	struct postgres_mod *m = state;
	guint n = ec_audit_plan_n_targets(m->plan);

	return g_strdup_printf("PostgreSQL: %u server executable%s", n, n == 1 ? "" : "s");
}

static bool wanted(const struct ec_capture_opts *o)
{
	return o->source == EC_SOURCE_POSTGRES;
}

const struct ec_module_ops ec_mod_postgres = {
    .name = "postgres",
    .wanted = wanted,
    .load = load,
    .attach = attach,
    .describe = describe,
    .destroy = destroy,
};
