// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The MySQL/MariaDB module (bpf/mysqld.bpf.c). dispatch_command's signature is read from its
 * mangled name, which encodes the parameter types: MariaDB and MySQL <= 5.6 take
 * (enum_server_command, THD *, char *packet, uint length, ...), MySQL 5.7 and 8.x take
 * (THD *, const COM_DATA *, enum_server_command). Whether the server is MariaDB or MySQL comes
 * from its version string. The result of each query is taken from the Diagnostics_area calls
 * that record it; a server without them gets queries with an unknown status.
 */
#include <elf.h>
#include <glib.h>
#include <string.h>

#include "modules/audit_family.h"
#include "ec_error.h"
#include "ecapture/record.h"
#include "targets/elf_info.h"
#include "modules/module.h"
#include "mysqld.skel.h"

#define DISPATCH_PACKET   "_Z16dispatch_command19enum_server_commandP3THDPcj"
#define DISPATCH_COM_DATA "_Z16dispatch_commandP3THDPK8COM_DATA19enum_server_command"
#define DA_ERROR          "_ZN16Diagnostics_area16set_error_statusEj" /* (uint sql_errno...) */
#define DA_OK             "_ZN16Diagnostics_area13set_ok_status"
#define DA_EOF            "_ZN16Diagnostics_area14set_eof_status"

/* Queries under way at once (32 KiB each): more in flight lose the oldest one's record. */
#define QUERIES_IN_FLIGHT 256

static const char *const mysqld_paths[] = {"/usr/sbin/mariadbd",
                                           "/usr/sbin/mysqld",
                                           "/usr/libexec/mysqld",
                                           "/usr/local/mysql/bin/mysqld",
                                           "/usr/local/mysql/bin/mariadbd",
                                           NULL};
static const char *const mysqld_names[] = {"mariadbd", "mysqld", NULL};

/* "10.11.6-MariaDB-0+deb12u1" or "8.0.36": the server's version string, and which it is. */
static char *server_version(const char *path, bool *mariadb)
{
	g_autoptr(GError) err = NULL;
	struct ec_elf *elf = ec_elf_open(path, &err);
	char *v;

	*mariadb = false;
	if (!elf)
		return NULL;
	v = ec_elf_find_rodata_string(elf, "^[0-9]+\\.[0-9]+\\.[0-9]+-MariaDB", NULL);
	if (v)
		*mariadb = true;
	else
		v = ec_elf_find_rodata_string(elf, "^[5-9]\\.[0-9]+\\.[0-9]+$", NULL);
	ec_elf_close(elf);
	return v;
}

/* Probe every symbol whose name starts with PREFIX as KIND (entry); how many there were. */
static int probe_prefix(struct ec_audit_plan *plan, int id, const char *path,
                        const struct ec_sym_table *syms, const char *prefix, uint32_t kind,
                        GError **err)
{
	g_autoptr(GPtrArray) found = ec_sym_find_prefix(syms, prefix);

	for (guint i = 0; i < found->len; i++) {
		const struct ec_sym *s = found->pdata[i];

		if (s->type != STT_FUNC)
			continue;
		if (ec_audit_plan_probe(plan, id, path, s, kind, true, false, err))
			return -1;
	}
	return (int)found->len;
}

static int plan_server(struct ec_audit_plan *plan, const char *path, G_GNUC_UNUSED const void *data,
                       G_GNUC_UNUSED const struct ec_capture_opts *o, GError **err)
{
	struct ec_sym_table *syms = ec_sym_table_load(path, err);
	g_autoptr(GPtrArray) packet = NULL;
	g_autofree char *version = NULL, *what = NULL;
	const struct ec_sym *dispatch;
	struct ec_audit_target *t;
	uint8_t abi;
	bool mariadb;
	int id, rc = -1, n_err, n_ok;

	if (!syms)
		return -1;
	packet = ec_sym_find_prefix(syms, DISPATCH_PACKET);
	if (packet->len == 1) {
		dispatch = packet->pdata[0];
		abi = EC_MYSQL_ABI_PACKET;
	} else if ((dispatch = ec_sym_find(syms, DISPATCH_COM_DATA))) {
		abi = EC_MYSQL_ABI_COM_DATA;
	} else {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
		            "%s has no dispatch_command of a known signature%s", path,
		            packet->len > 1 ? " (several overloads)" : "");
		goto out;
	}
	version = server_version(path, &mariadb);
	what = g_strdup_printf("%s (%s %s)", path, mariadb ? "MariaDB" : "MySQL",
	                       version ? version : "of unknown version");
	id = ec_audit_plan_add_target(plan, path, what);
	if (id < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "too many MySQL servers");
		goto out;
	}
	t = ec_audit_plan_target(plan, id);
	t->source = mariadb ? EC_RECORD_SRC_MARIADB : EC_RECORD_SRC_MYSQL;
	t->mysql_abi = abi;
	if (ec_audit_plan_probe(plan, id, path, dispatch, EC_AFN_MYSQL_DISPATCH, true, true, err))
		goto out;
	n_err = probe_prefix(plan, id, path, syms, DA_ERROR, EC_AFN_MYSQL_ERROR, err);
	n_ok = n_err < 0 ? -1 : probe_prefix(plan, id, path, syms, DA_OK, EC_AFN_MYSQL_OK, err);
	if (n_ok < 0 || probe_prefix(plan, id, path, syms, DA_EOF, EC_AFN_MYSQL_OK, err) < 0)
		goto out;
	if (!n_err || !n_ok)
		g_warning("%s: no Diagnostics_area status functions: query results will be unknown",
		          path);
	rc = 0;
out:
	ec_sym_table_free(syms);
	return rc;
}

static const struct ec_bpf_map_size mysqld_sizes[] = {{"ec_mysql_queries", QUERIES_IN_FLIGHT}};

static const struct ec_audit_module_desc mysqld_desc = {
    .program = "mysqld",
    .std_paths = mysqld_paths,
    .names = mysqld_names,
    .label = "MySQL/MariaDB",
    .unit = "server executable",
    .not_found = "no MySQL or MariaDB server that can be traced was found (name one with "
                 "--mysqld)",
    .object = {.what = "mysqld",
               .name = "mysqld",
               .elf_bytes = mysqld_bpf__elf_bytes,
               .entry = "ec_mysql_entry",
               .ret = "ec_mysql_return",
               .sizes = mysqld_sizes,
               .n_sizes = G_N_ELEMENTS(mysqld_sizes)},
    .plan = plan_server,
};

EC_AUDIT_MODULE(ec_mod_mysqld, "mysqld", mysqld_desc, EC_SOURCE_MYSQLD, mysqld_path);
