// SPDX-License-Identifier: GPL-2.0-or-later
/* Shell commands and database queries: a record each, described for the writer. */
#include <string.h>

#include "ecapture/record.h"
#include "engine/engine_int.h"
#include "engine/owners.h"
#include "output/record_writer.h"
#include "output/writer.h"

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

void ec_engine_on_audit(struct engine *e, const struct ec_audit_event *ev, size_t size)
{
	struct ec_record_meta m;
	struct ec_audit_text a;
	uint32_t removed;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->data_len) {
		e->loss.malformed++;
		return;
	}
	g_byte_array_set_size(e->text, 0);
	removed = append_data(e->text, ev);

	memset(&m, 0, sizeof(m));
	m.type = ev->type;
	m.direction = EC_RECORD_DIR_RECEIVED;
	m.source = ev->source;
	m.flags = (ev->flags & EC_AUDITF_TRUNCATED) ? EC_RECORDF_TRUNCATED : 0;
	m.pid = ev->proc.pid;
	ec_engine_proc_seen(e, ev->proc.pid);
	m.tid = ev->proc.tid;
	m.uid = ev->proc.uid;
	m.fd = -1;
	m.data_len = EC_RECORD_AUDIT_HDR_LEN + ev->len - MIN(removed, ev->len);
	memcpy(m.comm, ev->proc.comm, sizeof(m.comm));
	m.cmdline = ec_owners_learn_cmdline(e->owners, &ev->proc);

	a = (struct ec_audit_text){
	    .status = ev->status,
	    .subtype = ev->subtype,
	    .real_len = ev->len,
	    .text = e->text->data,
	    .len = e->text->len,
	};
	ec_writer_audit(e->out, ev->hdr.ts_ns + e->mono_to_real, &m, &a,
	                ec_lost_take(&e->records_lost));
}
