// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every TCP connection ecapturedump writes is a TLS connection (it follows only those), but
 * Wireshark picks a TCP payload's dissector by port, the lower port first: a client's ephemeral
 * port that happens to be registered by another protocol (44818 EtherNet/IP, 48898 ADS...) would
 * take the connection from TLS, and its keys would never be used. A packet that names its process
 * (our comment) makes its TCP conversation TLS, as "Decode As" would, before its payload is seen.
 */
#include "ec_plugin.h"

#include <epan/conversation.h>

static dissector_handle_t tls_handle;

void ec_tls_conv_follow(packet_info *pinfo)
{
	conversation_t *conv;

	if (!tls_handle || pinfo->ptype != PT_TCP || pinfo->fd->visited)
		return;
	conv = find_or_create_conversation(pinfo);
	if (conv && !conversation_get_dissector(conv, pinfo->num))
		conversation_set_dissector(conv, tls_handle);
}

void ec_tls_conv_handoff(void)
{
	tls_handle = find_dissector("tls");
}
