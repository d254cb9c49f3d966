// SPDX-License-Identifier: GPL-2.0-or-later
/* The process fields, one set for both places a process is named: comments and records. */
#include "ec_plugin.h"

#include "ecapture/escape.h"

int hf_ec_pid = -1;
int hf_ec_tid = -1;
int hf_ec_uid = -1;
int hf_ec_comm = -1;
int hf_ec_cmdline = -1;
int hf_ec_fd = -1;

void ec_fields_register(void)
{
	static hf_register_info hf[] = {
	    {&hf_ec_pid,
	     {"Process ID", "ecapture.pid", FT_UINT32, BASE_DEC, NULL, 0,
	      "Process (thread group) ID", HFILL}},
	    {&hf_ec_tid, {"Thread ID", "ecapture.tid", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_ec_uid, {"User ID", "ecapture.uid", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_ec_comm,
	     {"Command", "ecapture.comm", FT_STRING, BASE_NONE, NULL, 0,
	      "The kernel's task name (comm)", HFILL}},
	    {&hf_ec_cmdline,
	     {"Command line", "ecapture.cmdline", FT_STRING, BASE_NONE, NULL, 0,
	      "Arguments joined by spaces", HFILL}},
	    {&hf_ec_fd,
	     {"File descriptor", "ecapture.fd", FT_INT32, BASE_DEC, NULL, 0,
	      "The socket's descriptor in the process", HFILL}},
	};

	proto_register_field_array(proto_ecapture, hf, array_length(hf));
}

const char *ec_text_escaped(wmem_allocator_t *scope, const char *s, size_t len, const char *keep,
                            bool c_style)
{
	wmem_strbuf_t *b = wmem_strbuf_new_sized(scope, len + 1);
	char unit[EC_ESCAPE_UNIT_MAX];

	for (size_t i = 0, n; i < len; i += n) {
		if (ec_escape_next(s + i, len - i, keep, &n)) {
			wmem_strbuf_append_len(b, unit, ec_escape_hex(unit, s + i, n));
		} else if (c_style && s[i] == '\n') {
			wmem_strbuf_append(b, "\\n");
		} else if (c_style && s[i] == '\r') {
			wmem_strbuf_append(b, "\\r");
		} else if (c_style && s[i] == '\t') {
			wmem_strbuf_append(b, "\\t");
		} else {
			wmem_strbuf_append_len(b, s + i, n);
		}
	}
	return wmem_strbuf_finalize(b);
}
