// SPDX-License-Identifier: GPL-2.0-or-later
/* Shell commands and database queries: pcapng records (link type 252) or text lines. */
#include <arpa/inet.h>
#include <string.h>

#include "ecapture/record.h"
#include "engine/engine_int.h"
#include "engine/owners.h"
#include "output/pcapng.h"
#include "output/record_writer.h"

static const char *audit_source_name(uint8_t source)
{
	switch (source) {
	case EC_RECORD_SRC_BASH:
		return "bash";
	case EC_RECORD_SRC_ZSH:
		return "zsh";
	case EC_RECORD_SRC_MYSQL:
		return "mysqld";
	case EC_RECORD_SRC_MARIADB:
		return "mariadbd";
	case EC_RECORD_SRC_POSTGRES:
		return "postgres";
	}
	return "?";
}

#define ZSH_META 0x83

/*
 * Append the text of EV to OUT as the program meant it. zsh keeps its lines "metafied": a byte
 * that is special to it (NUL, 0x83-0xa2) is stored as 0x83 followed by the byte XOR 32; a UTF-8
 * character can contain such bytes. Returns how many bytes that removed.
 */
static uint32_t append_data(GByteArray *out, const struct ec_audit_event *ev)
{
	uint32_t removed = 0;

	if (ev->source != EC_RECORD_SRC_ZSH) {
		g_byte_array_append(out, ev->data, ev->data_len);
		return 0;
	}
	for (uint32_t i = 0; i < ev->data_len; i++) {
		uint8_t c = ev->data[i];

		if (c == ZSH_META && i + 1 < ev->data_len) {
			c = ev->data[++i] ^ 32;
			removed++;
		}
		g_byte_array_append(out, &c, 1);
	}
	return removed;
}

/* "--- 2026-11-23 20:40:01.123456 bash pid=1 tid=1 uid=0 (bash) status=1\n<text>\n" */
static void append_text(struct engine *e, const struct ec_audit_event *ev)
{
	GString *out = e->scratch;

	g_string_truncate(out, 0);
	ec_engine_text_header(e, ev->hdr.ts_ns, out);
	ec_meta_comment(out, ev->proc.comm, ev->proc.pid, ev->proc.tid, ev->proc.uid, -1, NULL);
	g_string_append_printf(out, " (%s%s)", audit_source_name(ev->source),
	                       ev->type != EC_RECORD_SQL        ? ""
	                       : ev->subtype == EC_SQL_EXTENDED ? ", extended protocol"
	                       : ev->subtype == EC_SQL_PREPARE  ? ", prepared statement"
	                                                        : "");
	if (ev->status != EC_STATUS_UNKNOWN && ev->source == EC_RECORD_SRC_POSTGRES) {
		char state[6];

		ec_pg_sqlstate((uint32_t)ev->status, state);
		g_string_append_printf(out, " sqlstate=%s", state);
	} else if (ev->status != EC_STATUS_UNKNOWN) {
		g_string_append_printf(out, " status=%d", ev->status);
	}
	if (ev->flags & EC_AUDITF_TRUNCATED)
		g_string_append_printf(out, " truncated from %u bytes", ev->len);
	g_string_append_c(out, '\n');
	g_byte_array_append(e->out.buf, (const uint8_t *)out->str, out->len);
	g_byte_array_set_size(e->record, 0);
	append_data(e->record, ev);
	g_byte_array_append(e->out.buf, e->record->data, e->record->len);
	if (!e->record->len || e->record->data[e->record->len - 1] != '\n')
		g_byte_array_append(e->out.buf, (const uint8_t *)"\n", 1);
}

void ec_engine_on_audit(struct engine *e, const struct ec_audit_event *ev, size_t size)
{
	struct ec_record_meta m;
	uint8_t hdr[EC_RECORD_AUDIT_HDR_LEN] = {0};
	uint32_t status_be, removed;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->data_len)
		return;
	if (e->opts->output_kind == EC_OUT_TEXT) {
		append_text(e, ev);
		return;
	}
	if (e->opts->output_kind != EC_OUT_PCAPNG)
		return;

	memset(&m, 0, sizeof(m));
	m.type = ev->type;
	m.direction = EC_RECORD_DIR_RECEIVED;
	m.source = ev->source;
	m.flags = (ev->flags & EC_AUDITF_TRUNCATED) ? EC_RECORDF_TRUNCATED : 0;
	m.pid = ev->proc.pid;
	m.tid = ev->proc.tid;
	m.uid = ev->proc.uid;
	m.fd = -1;
	memcpy(m.comm, ev->proc.comm, sizeof(m.comm));
	m.cmdline = ec_owners_learn_cmdline(e->owners, &ev->proc);

	/* The audit header, then the text: one contiguous data block for the record. */
	status_be = htonl((uint32_t)ev->status);
	memcpy(hdr, &status_be, sizeof(status_be));
	hdr[4] = ev->subtype;
	g_byte_array_set_size(e->audit, 0);
	g_byte_array_append(e->audit, hdr, sizeof(hdr));
	removed = append_data(e->audit, ev);
	m.data_len = EC_RECORD_AUDIT_HDR_LEN + ev->len - MIN(removed, ev->len);

	g_byte_array_set_size(e->record, 0);
	ec_record_append(e->record, &m, e->audit->data, e->audit->len);
	ec_pcapng_epb(e->out.buf, e->records_idb, ev->hdr.ts_ns + e->mono_to_real, e->record->data,
	              e->record->len, e->record->len, EC_PCAPNG_DIR_INBOUND, NULL);
}
