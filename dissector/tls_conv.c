// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every TCP connection ecapturedump writes is TLS, from its first payload or after a plaintext
 * preamble (PostgreSQL's SSLRequest, MySQL's greeting, STARTTLS). Wireshark picks a TCP
 * payload's dissector by port, the lower port first: a client's ephemeral port that happens to
 * be registered by another protocol (44818 EtherNet/IP, 48898 ADS...) would take a connection
 * from TLS, and its keys would never be used. A packet that names its process (our comment)
 * gives its TCP conversation a dissector that looks at the first payload: a TLS record makes the
 * whole conversation TLS, as "Decode As" would; anything else is a preamble, and the conversation
 * is left to the port's dissector (pgsql, mysql, smtp...), which follows the switch to TLS
 * itself.
 */
#include "ec_plugin.h"

#include <epan/conversation.h>

static dissector_handle_t tls_handle, first_handle;
static const char preamble_mark; /* conversation data: the first payload was not TLS */

/* The first bytes of a TLS record: content type 20..23, version 3.x. */
static bool tls_record_start(tvbuff_t *tvb)
{
	guint8 type;

	if (tvb_captured_length(tvb) < 3)
		return false;
	type = tvb_get_uint8(tvb, 0);
	return type >= 20 && type <= 23 && tvb_get_uint8(tvb, 1) == 3 && tvb_get_uint8(tvb, 2) <= 4;
}

/* The conversation's first payload decides; 0 leaves the payload to TCP's usual choice. */
static int dissect_first(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
	conversation_t *conv = find_or_create_conversation(pinfo);

	if (!conv || conversation_get_proto_data(conv, proto_ecapture) == &preamble_mark)
		return 0;
	if (tls_record_start(tvb)) {
		conversation_set_dissector(conv, tls_handle);
		return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
	}
	conversation_add_proto_data(conv, proto_ecapture, (void *)&preamble_mark);
	return 0;
}

void ec_tls_conv_follow(packet_info *pinfo)
{
	conversation_t *conv;

	if (!tls_handle || pinfo->ptype != PT_TCP || pinfo->fd->visited)
		return;
	conv = find_or_create_conversation(pinfo);
	if (conv && !conversation_get_dissector(conv, pinfo->num) &&
	    conversation_get_proto_data(conv, proto_ecapture) != &preamble_mark)
		conversation_set_dissector(conv, first_handle);
}

void ec_tls_conv_handoff(void)
{
	tls_handle = find_dissector("tls");
	first_handle = create_dissector_handle(dissect_first, proto_ecapture);
}
