// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shell commands and SQL queries (ecapture/record.h section 3): the status, the kind of query and
 * the text, as fields, and an Info column that says who ran what and how it ended: bash[1234] uid
 * 1000: ls /nope → exit 2 postgres[77] PostgreSQL extended: SELECT $1::int → ERROR 42703
 */
#include "ec_plugin.h"
#include "ecapture/record.h"

#include <epan/expert.h>
#include <epan/strutil.h>

static int hf_shell_command = -1;
static int hf_shell_retval = -1;
static int hf_sql_query = -1;
static int hf_sql_status = -1;
static int hf_sql_sqlstate = -1;
static int hf_sql_dialect = -1;
static int hf_sql_kind = -1;
static int hf_status_raw = -1;

static gint ett_audit = -1;

static expert_field ei_short = EI_INIT;
static expert_field ei_failed = EI_INIT;

static const value_string sql_kind_vals[] = {
    {EC_SQL_SIMPLE, "Simple query"},
    {EC_SQL_EXTENDED, "Extended protocol (Parse/Bind/Execute)"},
    {EC_SQL_PREPARE, "Prepared statement"},
    {0, NULL},
};

/* Longest text shown in the Info column; the field has all of it. */
#define INFO_TEXT_MAX 240

static const char *dialect(uint8_t source)
{
	switch (source) {
	case EC_RECORD_SRC_MYSQL:
	case EC_RECORD_SRC_MARIADB:
	case EC_RECORD_SRC_POSTGRES:
		return ec_record_source_names(source)->name;
	}
	return "SQL";
}

/* The text for the Info column: escaped (newlines as \n), cut at INFO_TEXT_MAX. */
static const char *info_text(packet_info *pinfo, tvbuff_t *tvb, int off, int len)
{
	int shown = MIN(len, INFO_TEXT_MAX);
	const char *p = (const char *)tvb_get_ptr(tvb, off, shown);
	const char *s = ec_text_escaped(pinfo->pool, p, (size_t)shown, "\n\r\t", true);

	return shown < len ? wmem_strdup_printf(pinfo->pool, "%s\u2026", s) : s;
}

/* The command or query for its field: multi-line text keeps its lines and tabs. */
static const char *field_text(packet_info *pinfo, tvbuff_t *tvb, int len)
{
	const char *p = (const char *)tvb_get_ptr(tvb, EC_RECORD_AUDIT_HDR_LEN, len);

	return ec_text_escaped(pinfo->pool, p, (size_t)len, "\n\t", false);
}

/* "exit 2", "OK", "error 1054", "ERROR 42703", "status unknown". */
static const char *outcome(packet_info *pinfo, const struct ec_rec *r, uint32_t status)
{
	char state[6];

	if (status == EC_RECORD_STATUS_UNKNOWN)
		return "status unknown";
	if (r->type == EC_RECORD_SHELL)
		return wmem_strdup_printf(pinfo->pool, "exit %d", (int32_t)status);
	if (status == 0)
		return "OK";
	if (r->source == EC_RECORD_SRC_POSTGRES) {
		ec_pg_sqlstate(status, state);
		return wmem_strdup_printf(pinfo->pool, "ERROR %s", state);
	}
	return wmem_strdup_printf(pinfo->pool, "error %u", status);
}

void ec_audit_dissect(tvbuff_t *tvb, packet_info *pinfo, proto_tree *rt, proto_item *ti,
                      const struct ec_rec *r)
{
	guint avail = tvb_captured_length(tvb);
	proto_tree *at;
	proto_item *it;
	uint32_t status;
	uint8_t kind;
	int text_len;
	const char *text, *who, *what;
	char state[6];

	if (avail < EC_RECORD_AUDIT_HDR_LEN) {
		expert_add_info_format(pinfo, ti, &ei_short,
		                       "%u data bytes, less than the %u-byte command header", avail,
		                       EC_RECORD_AUDIT_HDR_LEN);
		col_add_str(pinfo->cinfo, COL_INFO, "Malformed eCapture record");
		return;
	}
	status = tvb_get_ntohl(tvb, 0);
	kind = tvb_get_uint8(tvb, 4);
	text_len = (int)(avail - EC_RECORD_AUDIT_HDR_LEN);
	at = proto_tree_add_subtree(rt, tvb, 0, -1, ett_audit, NULL,
	                            r->type == EC_RECORD_SHELL ? "Shell command" : "SQL query");
	proto_tree_add_item(at, hf_status_raw, tvb, 0, 4, ENC_BIG_ENDIAN);
	who = wmem_strdup_printf(pinfo->pool, "%s[%u]", r->comm, r->pid);
	if (r->type == EC_RECORD_SHELL) {
		proto_tree_add_string(at, hf_shell_command, tvb, EC_RECORD_AUDIT_HDR_LEN, text_len,
		                      field_text(pinfo, tvb, text_len));
		if (status != EC_RECORD_STATUS_UNKNOWN) {
			it = proto_tree_add_item(at, hf_shell_retval, tvb, 0, 4, ENC_BIG_ENDIAN);
			if (status)
				expert_add_info_format(pinfo, it, &ei_failed,
				                       "Command failed with exit status %d",
				                       (int32_t)status);
		}
		what = wmem_strdup_printf(pinfo->pool, "uid %u: ", r->uid);
		col_set_str(pinfo->cinfo, COL_PROTOCOL,
		            ec_record_source_names(r->source == EC_RECORD_SRC_ZSH
		                                       ? EC_RECORD_SRC_ZSH
		                                       : EC_RECORD_SRC_BASH)
		                ->name);
	} else {
		proto_tree_add_string(at, hf_sql_dialect, tvb, 0, 0, dialect(r->source));
		proto_tree_add_item(at, hf_sql_kind, tvb, 4, 1, ENC_NA);
		proto_tree_add_string(at, hf_sql_query, tvb, EC_RECORD_AUDIT_HDR_LEN, text_len,
		                      field_text(pinfo, tvb, text_len));
		if (status != EC_RECORD_STATUS_UNKNOWN) {
			it = proto_tree_add_item(at, hf_sql_status, tvb, 0, 4, ENC_BIG_ENDIAN);
			if (r->source == EC_RECORD_SRC_POSTGRES) {
				ec_pg_sqlstate(status, state);
				proto_tree_add_string(at, hf_sql_sqlstate, tvb, 0, 4, state);
			}
			if (status)
				expert_add_info_format(pinfo, it, &ei_failed, "Query failed: %s",
				                       outcome(pinfo, r, status));
		}
		what = wmem_strdup_printf(pinfo->pool, "%s%s: ", dialect(r->source),
		                          kind == EC_SQL_EXTENDED  ? " extended"
		                          : kind == EC_SQL_PREPARE ? " prepare"
		                                                   : "");
		col_set_str(pinfo->cinfo, COL_PROTOCOL, dialect(r->source));
	}
	text = info_text(pinfo, tvb, EC_RECORD_AUDIT_HDR_LEN, text_len);
	col_clear_fence(pinfo->cinfo, COL_INFO);
	col_add_fstr(pinfo->cinfo, COL_INFO, "%s %s%s \u2192 %s%s", who, what, text,
	             outcome(pinfo, r, status),
	             (r->flags & EC_RECORDF_TRUNCATED)
	                 ? wmem_strdup_printf(pinfo->pool, " (truncated, %u bytes)",
	                                      r->data_len - EC_RECORD_AUDIT_HDR_LEN)
	                 : "");
	proto_item_append_text(ti, ", %s %s", who, outcome(pinfo, r, status));
}

void ec_audit_register(void)
{
	static hf_register_info hf[] = {
	    {&hf_shell_command,
	     {"Command", "ecapture.shell.command", FT_STRING, BASE_NONE, NULL, 0,
	      "The command line the user entered", HFILL}},
	    {&hf_shell_retval,
	     {"Exit status", "ecapture.shell.retval", FT_INT32, BASE_DEC, NULL, 0,
	      "The command's exit status ($?)", HFILL}},
	    {&hf_sql_query,
	     {"Query", "ecapture.sql.query", FT_STRING, BASE_NONE, NULL, 0,
	      "The query text the server received", HFILL}},
	    {&hf_sql_status,
	     {"Status", "ecapture.sql.status", FT_UINT32, BASE_DEC, NULL, 0,
	      "0: success; else the server's error (MySQL error number, PostgreSQL SQLSTATE as "
	      "the server packs it)",
	      HFILL}},
	    {&hf_sql_sqlstate,
	     {"SQLSTATE", "ecapture.sql.sqlstate", FT_STRING, BASE_NONE, NULL, 0,
	      "PostgreSQL: the query's SQLSTATE (00000: success)", HFILL}},
	    {&hf_sql_dialect,
	     {"Dialect", "ecapture.sql.dialect", FT_STRING, BASE_NONE, NULL, 0,
	      "The server: MySQL, MariaDB or PostgreSQL", HFILL}},
	    {&hf_sql_kind,
	     {"Kind", "ecapture.sql.kind", FT_UINT8, BASE_DEC, VALS(sql_kind_vals), 0,
	      "How the query was sent", HFILL}},
	    {&hf_status_raw,
	     {"Status (raw)", "ecapture.status", FT_UINT32, BASE_HEX, NULL, 0,
	      "As recorded; 0x80000000: not known", HFILL}},
	};
	static gint *ett[] = {&ett_audit};
	static ei_register_info ei[] = {
	    {&ei_short,
	     {"ecapture.expert.audit_short", PI_MALFORMED, PI_ERROR,
	      "Command record shorter than its header", EXPFILL}},
	    {&ei_failed,
	     {"ecapture.expert.failed", PI_RESPONSE_CODE, PI_NOTE, "The command or query failed",
	      EXPFILL}},
	};
	expert_module_t *expert;

	proto_register_field_array(proto_ecapture, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	expert = expert_register_protocol(proto_ecapture);
	expert_register_field_array(expert, ei, array_length(ei));
}
