// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-packet process metadata. ecapturedump names the process of each packet in the packet's
 * comment; a postdissector turns a comment of that form into ecapture.* fields, so they filter
 * and show as columns like any other field. It reads the packet's block (or the user's edited
 * copy of it), not frame.comment, so it needs no other field to have been dissected and works
 * the same in single-pass tshark, where no field values are kept from earlier dissectors. Such a
 * packet's TCP connection is TLS (tls_conv.c).
 */
#include "ec_plugin.h"
#include "meta_parse.h"

#include <string.h>

#include <epan/epan.h>
#include <wiretap/wtap.h>

static gint ett_ec_meta = -1;
static dissector_handle_t meta_handle;

static void add_meta(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const struct ec_meta *m)
{
	/* Comments come from files: nothing raw from them reaches a field or a terminal. */
	const char *comm = ec_text_escaped(pinfo->pool, m->comm, strlen(m->comm), "", false);
	proto_item *ti, *items[6];
	proto_tree *st;
	int n = 0;

	ti = proto_tree_add_item(tree, proto_ecapture, tvb, 0, 0, ENC_NA);
	proto_item_append_text(ti, ", Process: %s[%u]", comm, m->pid);
	proto_item_set_generated(ti);
	st = proto_item_add_subtree(ti, ett_ec_meta);
	items[n++] = proto_tree_add_uint(st, hf_ec_pid, tvb, 0, 0, m->pid);
	items[n++] = proto_tree_add_uint(st, hf_ec_tid, tvb, 0, 0, m->tid);
	items[n++] = proto_tree_add_uint(st, hf_ec_uid, tvb, 0, 0, m->uid);
	items[n++] = proto_tree_add_string(st, hf_ec_comm, tvb, 0, 0, comm);
	if (m->has_fd)
		items[n++] = proto_tree_add_int(st, hf_ec_fd, tvb, 0, 0, m->fd);
	if (m->cmdline)
		items[n++] = proto_tree_add_string(
		    st, hf_ec_cmdline, tvb, 0, 0,
		    ec_text_escaped(pinfo->pool, m->cmdline, strlen(m->cmdline), "", false));
	/* They come from the comment, not from the packet's bytes. */
	for (int i = 0; i < n; i++)
		proto_item_set_generated(items[i]);
}

/* The block holding this packet's comments: the user's edited one if there is one. */
static wtap_block_t packet_block(packet_info *pinfo)
{
	if (pinfo->fd->has_modified_block)
		return epan_get_modified_block(pinfo->epan, pinfo->fd);
	return pinfo->rec ? pinfo->rec->block : NULL;
}

static int dissect_ec_meta(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	wtap_block_t block;
	char *comment;

	if (!(block = packet_block(pinfo)))
		return 0;
	for (guint i = 0; wtap_block_get_nth_string_option_value(block, OPT_COMMENT, i, &comment) ==
	                  WTAP_OPTTYPE_SUCCESS;
	     i++) {
		struct ec_meta m;

		if (!comment || !ec_meta_parse(pinfo->pool, comment, &m))
			continue;
		ec_tls_conv_follow(pinfo);
		if (tree)
			add_meta(tree, pinfo, tvb, &m);
	}
	return tvb_captured_length(tvb);
}

void ec_meta_register(void)
{
	static gint *ett[] = {&ett_ec_meta};

	proto_register_subtree_array(ett, array_length(ett));
	meta_handle = create_dissector_handle(dissect_ec_meta, proto_ecapture);
}

void ec_meta_handoff(void)
{
	register_postdissector(meta_handle);
}
