// SPDX-License-Identifier: GPL-2.0-or-later
/* The process fields, one set for both places a process is named: comments and records. */
#include "ec_plugin.h"

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
