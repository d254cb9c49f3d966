// SPDX-License-Identifier: GPL-2.0-or-later
/* The symbols Wireshark looks for in a plugin, and the protocol they register. */
#include "ec_plugin.h"

#include <ws_version.h>

WS_DLL_PUBLIC_DEF const char plugin_version[] = ECAPTURE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#if WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 2)
#include <wsutil/plugins.h>

/* What kind of plugin this is ("tshark -G plugins" says "dissector"); 4.0 has no such call. */
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
	return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

int proto_ecapture = -1;

static void proto_register_ecapture(void)
{
	proto_ecapture = proto_register_protocol("eCapture", "eCapture", "ecapture");
	ec_fields_register();
	ec_meta_register();
	ec_record_register();
	ec_stream_register();
	ec_audit_register();
}

static void proto_reg_handoff_ecapture(void)
{
	ec_meta_handoff();
	ec_tls_conv_handoff();
	ec_record_handoff();
	ec_stream_handoff();
}

void plugin_register(void)
{
	static proto_plugin plugin;

	plugin.register_protoinfo = proto_register_ecapture;
	plugin.register_handoff = proto_reg_handoff_ecapture;
	proto_register_plugin(&plugin);
}
