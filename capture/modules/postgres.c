// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PostgreSQL module (bpf/postgres.bpf.c): simple and extended protocol queries through
 * functions every postgres exports (see the BPF side for how they fit together). The only
 * version-dependent fact, the elevel of ERROR, comes from the server's version string.
 */
#include <glib.h>
#include <stdlib.h>

#include "modules/audit_family.h"
#include "ec_error.h"
#include "ecapture/record.h"
#include "targets/elf_info.h"
#include "modules/module.h"
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

static int plan_server(struct ec_audit_plan *plan, const char *path, G_GNUC_UNUSED const void *data,
                       G_GNUC_UNUSED const struct ec_capture_opts *o, GError **err)
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
	id = ec_audit_plan_add_target(plan, path, what);
	if (id < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "too many PostgreSQL servers");
		goto out;
	}
	t = ec_audit_plan_target(plan, id);
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
		if (ec_audit_plan_probe(plan, id, path, s, hooked[i].kind, hooked[i].entry,
		                        hooked[i].ret, err))
			goto out;
	}
	rc = 0;
out:
	ec_sym_table_free(syms);
	return rc;
}

static const struct ec_bpf_map_size postgres_sizes[] = {{"ec_pg_statements", STATEMENTS_IN_FLIGHT}};

static const struct ec_audit_module_desc postgres_desc = {
    .program = "postgres",
    .std_paths = postgres_paths,
    .names = postgres_names,
    .label = "PostgreSQL",
    .unit = "server executable",
    .not_found = "no PostgreSQL server that can be traced was found (name one with --postgres)",
    .object = {.what = "postgres",
               .name = "postgres",
               .elf_bytes = postgres_bpf__elf_bytes,
               .entry = "ec_pg_entry",
               .ret = "ec_pg_return",
               .sizes = postgres_sizes,
               .n_sizes = G_N_ELEMENTS(postgres_sizes)},
    .plan = plan_server,
};

EC_AUDIT_MODULE(ec_mod_postgres, "postgres", postgres_desc, EC_SOURCE_POSTGRES, postgres_path);
