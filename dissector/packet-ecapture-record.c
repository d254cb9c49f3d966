// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records (ecapture/record.h): what the exported-PDU dissector hands to the dissector named
 * "ecapture" after the tags. The header is checked before anything of it is believed; a bad
 * record gets an expert error and nothing else is done with it.
 */
#include "ec_plugin.h"
#include "ecapture/record.h"

#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/to_str.h>

static int hf_version = -1;
static int hf_type = -1;
static int hf_direction = -1;
static int hf_source = -1;
static int hf_flags = -1;
static int hf_truncated = -1;
static int hf_length = -1;
static int hf_conn_id = -1;
static int hf_cmdline_len = -1;
static int hf_data = -1;

static gint ett_record = -1;
static gint ett_flags = -1;

static expert_field ei_bad_magic = EI_INIT;
static expert_field ei_bad_version = EI_INIT;
static expert_field ei_too_short = EI_INIT;
static expert_field ei_bad_length = EI_INIT;
static expert_field ei_bad_direction = EI_INIT;
static expert_field ei_truncated = EI_INIT;

static const value_string type_vals[] = {
    {EC_RECORD_TLS_DATA, "TLS data"},
    {EC_RECORD_SHELL, "Shell command"},
    {EC_RECORD_SQL, "SQL query"},
    {0, NULL},
};

static const value_string direction_vals[] = {
    {EC_RECORD_DIR_SENT, "Sent by the process"},
    {EC_RECORD_DIR_RECEIVED, "Received by the process"},
    {0, NULL},
};

/* Filled from ecapture/record.h's table of source names when the fields are registered. */
static value_string source_vals[EC_RECORD_SRC_MAX + 2];

static void fill_source_vals(void)
{
	int n = 0;

	source_vals[n++] = (value_string){EC_RECORD_SRC_UNKNOWN,
	                                  ec_record_source_names(EC_RECORD_SRC_UNKNOWN)->name};
	for (unsigned int s = 1; s <= EC_RECORD_SRC_MAX; s++)
		if (ec_record_source_known(s))
			source_vals[n++] = (value_string){s, ec_record_source_names(s)->name};
	source_vals[n] = (value_string){0, NULL};
}

static int *const flag_fields[] = {&hf_truncated, NULL};

/* Header offsets (ecapture/record.h). */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 2,
	OFF_TYPE = 3,
	OFF_PID = 4,
	OFF_TID = 8,
	OFF_UID = 12,
	OFF_FD = 16,
	OFF_DIR = 20,
	OFF_SOURCE = 21,
	OFF_FLAGS = 22,
	OFF_LENGTH = 24,
	OFF_CONN = 28,
	OFF_COMM = 36,
	OFF_CMDLINE_LEN = 52,
};

/* What the process called to send or receive the data. */
static const char *call_name(const struct ec_rec *r)
{
	bool sent = r->direction == EC_RECORD_DIR_SENT;
	const struct ec_record_source_names *n = ec_record_source_names(r->source);

	if (!n->call_sent)
		return sent ? "sent" : "received";
	return sent ? n->call_sent : n->call_received;
}

/* "1.2.3.4:443" or "[::1]:443": the other end, when the tags gave the connection. */
static const char *peer_str(packet_info *pinfo, const struct ec_rec *r)
{
	bool sent = r->direction == EC_RECORD_DIR_SENT;
	const address *a = sent ? &pinfo->dst : &pinfo->src;
	guint32 port = sent ? pinfo->destport : pinfo->srcport;
	const char *s;

	if (pinfo->ptype != PT_TCP || (a->type != AT_IPv4 && a->type != AT_IPv6))
		return NULL;
	s = address_to_str(pinfo->pool, a);
	return wmem_strdup_printf(pinfo->pool, a->type == AT_IPv6 ? "[%s]:%u" : "%s:%u", s, port);
}

/* "curl[1234] → 10.0.0.2:443 SSL_write 87 bytes": who, with whom, what, how much. */
static const char *summary(packet_info *pinfo, const struct ec_rec *r)
{
	const char *peer = peer_str(pinfo, r);
	bool sent = r->direction == EC_RECORD_DIR_SENT;
	wmem_strbuf_t *b = wmem_strbuf_new(pinfo->pool, "");

	wmem_strbuf_append_printf(b, "%s[%u]", r->comm, r->pid);
	if (peer)
		wmem_strbuf_append_printf(b, " %s %s", sent ? "\u2192" : "\u2190", peer);
	else if (r->fd >= 0)
		wmem_strbuf_append_printf(b, " fd %d", r->fd);
	if (r->type == EC_RECORD_TLS_DATA)
		wmem_strbuf_append_printf(b, " %s %u bytes", call_name(r), r->data_len);
	else
		wmem_strbuf_append_printf(b, " %s, %u bytes",
		                          val_to_str_const(r->type, type_vals, "unknown record"),
		                          r->data_len);
	if (r->flags & EC_RECORDF_TRUNCATED)
		wmem_strbuf_append(b, " (truncated)");
	return wmem_strbuf_get_str(b);
}

/* The summary first, then what the application dissector put in the Info column. */
static void set_info(packet_info *pinfo, const char *sum, enum ec_shown shown)
{
	const char *app = col_get_text(pinfo->cinfo, COL_INFO);

	switch (shown) {
	case EC_SHOWN_APP:
		if (app && *app) {
			col_prepend_fstr(pinfo->cinfo, COL_INFO, "%s: ", sum);
			return;
		}
		break;
	case EC_SHOWN_PART:
		/* The application dissector may have started before it asked for more. */
		col_set_str(pinfo->cinfo, COL_PROTOCOL, "eCapture");
		col_clear_fence(pinfo->cinfo, COL_INFO);
		col_add_fstr(pinfo->cinfo, COL_INFO, "%s [part of a reassembled PDU]", sum);
		return;
	case EC_SHOWN_DATA:
		break;
	}
	col_clear_fence(pinfo->cinfo, COL_INFO);
	col_add_str(pinfo->cinfo, COL_INFO, sum);
}

/* The fixed header and the cmdline, into R and the tree. False if the record is unusable. */
static bool dissect_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *rt, proto_item *ti,
                           struct ec_rec *r, int *data_off)
{
	guint len = tvb_captured_length(tvb);
	guint version, clen;
	const char *comm;

	if (len < 2 || tvb_get_uint8(tvb, OFF_MAGIC) != EC_RECORD_MAGIC0 ||
	    tvb_get_uint8(tvb, OFF_MAGIC + 1) != EC_RECORD_MAGIC1) {
		expert_add_info(pinfo, ti, &ei_bad_magic);
		return false;
	}
	if (len < EC_RECORD_FIXED_LEN) {
		expert_add_info_format(pinfo, ti, &ei_too_short,
		                       "Record of %u bytes is shorter than its %u-byte header", len,
		                       EC_RECORD_FIXED_LEN);
		return false;
	}
	proto_tree_add_item_ret_uint(rt, hf_version, tvb, OFF_VERSION, 1, ENC_NA, &version);
	if (version != EC_RECORD_VERSION) {
		expert_add_info_format(pinfo, ti, &ei_bad_version, "Record version %u is not %u",
		                       version, EC_RECORD_VERSION);
		return false;
	}
	r->type = tvb_get_uint8(tvb, OFF_TYPE);
	r->pid = tvb_get_ntohl(tvb, OFF_PID);
	r->tid = tvb_get_ntohl(tvb, OFF_TID);
	r->uid = tvb_get_ntohl(tvb, OFF_UID);
	r->fd = (int32_t)tvb_get_ntohl(tvb, OFF_FD);
	r->direction = tvb_get_uint8(tvb, OFF_DIR);
	r->source = tvb_get_uint8(tvb, OFF_SOURCE);
	r->flags = tvb_get_ntohs(tvb, OFF_FLAGS);
	r->data_len = tvb_get_ntohl(tvb, OFF_LENGTH);
	r->conn_id = tvb_get_ntoh64(tvb, OFF_CONN);
	comm = (const char *)tvb_get_ptr(tvb, OFF_COMM, 16);
	r->comm = ec_text_escaped(pinfo->pool, comm, strnlen(comm, 16), "", false);
	clen = tvb_get_ntohs(tvb, OFF_CMDLINE_LEN);

	proto_tree_add_item(rt, hf_type, tvb, OFF_TYPE, 1, ENC_NA);
	proto_tree_add_item(rt, hf_ec_pid, tvb, OFF_PID, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_ec_tid, tvb, OFF_TID, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_ec_uid, tvb, OFF_UID, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_ec_fd, tvb, OFF_FD, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_direction, tvb, OFF_DIR, 1, ENC_NA);
	proto_tree_add_item(rt, hf_source, tvb, OFF_SOURCE, 1, ENC_NA);
	proto_tree_add_bitmask(rt, tvb, OFF_FLAGS, hf_flags, ett_flags, flag_fields,
	                       ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_length, tvb, OFF_LENGTH, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(rt, hf_conn_id, tvb, OFF_CONN, 8, ENC_BIG_ENDIAN);
	proto_tree_add_string(rt, hf_ec_comm, tvb, OFF_COMM, 16, r->comm);
	proto_tree_add_item(rt, hf_cmdline_len, tvb, OFF_CMDLINE_LEN, 2, ENC_BIG_ENDIAN);
	if (EC_RECORD_FIXED_LEN + clen > len) {
		expert_add_info_format(pinfo, ti, &ei_bad_length,
		                       "Command line of %u bytes runs past the record's end", clen);
		return false;
	}
	if (clen)
		proto_tree_add_string(
		    rt, hf_ec_cmdline, tvb, EC_RECORD_FIXED_LEN, (gint)clen,
		    ec_text_escaped(pinfo->pool,
		                    (const char *)tvb_get_ptr(tvb, EC_RECORD_FIXED_LEN, (gint)clen),
		                    clen, "", false));
	*data_off = (int)(EC_RECORD_FIXED_LEN + clen);
	return true;
}

/*
 * The data, with the length the process saw as its reported length: a record cut short then
 * ends in "captured too little" rather than in a malformed message. If the frame does not
 * report that length itself, the data gets a buffer of its own that does.
 */
static tvbuff_t *data_tvb(tvbuff_t *tvb, packet_info *pinfo, int off, guint avail, guint32 len)
{
	tvbuff_t *dtvb;

	if (len <= avail || (guint)tvb_reported_length_remaining(tvb, off) >= len)
		return tvb_new_subset_length_caplen(tvb, off, (gint)avail, (gint)MAX(avail, len));
	dtvb = tvb_new_child_real_data(tvb, tvb_get_ptr(tvb, off, (gint)avail), avail, (gint)len);
	add_new_data_source(pinfo, dtvb, "Truncated data");
	return dtvb;
}

/* The data's length must agree with the header: all of it, or less when marked truncated. */
static bool check_data(packet_info *pinfo, proto_item *ti, const struct ec_rec *r, guint avail)
{
	if (r->direction != EC_RECORD_DIR_SENT && r->direction != EC_RECORD_DIR_RECEIVED) {
		expert_add_info_format(pinfo, ti, &ei_bad_direction, "Unknown direction %u",
		                       r->direction);
		return false;
	}
	if (r->flags & EC_RECORDF_TRUNCATED) {
		if (avail > r->data_len) {
			expert_add_info_format(pinfo, ti, &ei_bad_length,
			                       "%u data bytes follow, more than the length %u",
			                       avail, r->data_len);
			return false;
		}
		expert_add_info_format(pinfo, ti, &ei_truncated,
		                       "Only %u of %u data bytes captured", avail, r->data_len);
		return true;
	}
	if (avail != r->data_len) {
		expert_add_info_format(pinfo, ti, &ei_bad_length,
		                       "%u data bytes follow, but the length says %u", avail,
		                       r->data_len);
		return false;
	}
	return true;
}

static int dissect_ec_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	volatile enum ec_shown shown = EC_SHOWN_DATA;
	struct ec_rec r = {0};
	const char *sum;
	proto_item *ti;
	proto_tree *rt;
	tvbuff_t *dtvb;
	int off = 0;
	guint avail;
	bool ok;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, "eCapture");
	col_clear(pinfo->cinfo, COL_INFO);
	ti = proto_tree_add_item(tree, proto_ecapture, tvb, 0, -1, ENC_NA);
	rt = proto_item_add_subtree(ti, ett_record);
	if (!dissect_header(tvb, pinfo, rt, ti, &r, &off)) {
		col_set_str(pinfo->cinfo, COL_INFO, "Malformed eCapture record");
		return tvb_captured_length(tvb);
	}
	avail = tvb_captured_length_remaining(tvb, off);
	ok = check_data(pinfo, ti, &r, avail);
	sum = summary(pinfo, &r);
	proto_item_append_text(ti, ", %s", sum);
	if (avail)
		proto_tree_add_item(rt, hf_data, tvb, off, (gint)avail, ENC_NA);
	if (ok && avail) {
		dtvb = data_tvb(tvb, pinfo, off, avail, r.data_len);
		if (r.type == EC_RECORD_SHELL || r.type == EC_RECORD_SQL) {
			ec_audit_dissect(dtvb, pinfo, rt, ti, &r);
			return tvb_captured_length(tvb);
		}
		if (r.type != EC_RECORD_TLS_DATA) {
			call_data_dissector(dtvb, pinfo, tree);
		} else {
			/* An exception out of the application dissector still gets the summary. */
			shown = EC_SHOWN_APP;
			/* clang-format off */
			TRY {
				shown = ec_stream_dissect(dtvb, pinfo, tree, rt, &r);
			}
			FINALLY {
				set_info(pinfo, sum, shown);
			}
			ENDTRY;
			/* clang-format on */
			return tvb_captured_length(tvb);
		}
	}
	set_info(pinfo, sum, shown);
	return tvb_captured_length(tvb);
}

void ec_record_register(void)
{
	fill_source_vals();
	static hf_register_info hf[] = {
	    {&hf_version,
	     {"Version", "ecapture.version", FT_UINT8, BASE_DEC, NULL, 0, "Record format version",
	      HFILL}},
	    {&hf_type,
	     {"Type", "ecapture.type", FT_UINT8, BASE_DEC, VALS(type_vals), 0, NULL, HFILL}},
	    {&hf_direction,
	     {"Direction", "ecapture.direction", FT_UINT8, BASE_DEC, VALS(direction_vals), 0,
	      "Whether the process sent or received the data", HFILL}},
	    {&hf_source,
	     {"Source", "ecapture.source", FT_UINT8, BASE_DEC, VALS(source_vals), 0,
	      "The library or runtime the data was taken from", HFILL}},
	    {&hf_flags, {"Flags", "ecapture.flags", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_truncated,
	     {"Truncated", "ecapture.truncated", FT_BOOLEAN, 16, NULL, EC_RECORDF_TRUNCATED,
	      "Fewer data bytes were captured than the process saw", HFILL}},
	    {&hf_length,
	     {"Length", "ecapture.length", FT_UINT32, BASE_DEC, NULL, 0,
	      "Length of the data as the process saw it", HFILL}},
	    {&hf_conn_id,
	     {"Connection ID", "ecapture.conn_id", FT_UINT64, BASE_HEX, NULL, 0,
	      "Stable for one connection of one process", HFILL}},
	    {&hf_cmdline_len,
	     {"Command line length", "ecapture.cmdline_len", FT_UINT16, BASE_DEC, NULL, 0, NULL,
	      HFILL}},
	    {&hf_data, {"Data", "ecapture.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	};
	static gint *ett[] = {&ett_record, &ett_flags};
	static ei_register_info ei[] = {
	    {&ei_bad_magic,
	     {"ecapture.expert.bad_magic", PI_MALFORMED, PI_ERROR,
	      "Not an eCapture record (bad magic)", EXPFILL}},
	    {&ei_bad_version,
	     {"ecapture.expert.bad_version", PI_UNDECODED, PI_WARN, "Unsupported record version",
	      EXPFILL}},
	    {&ei_too_short,
	     {"ecapture.expert.too_short", PI_MALFORMED, PI_ERROR, "Record shorter than its header",
	      EXPFILL}},
	    {&ei_bad_length,
	     {"ecapture.expert.bad_length", PI_MALFORMED, PI_ERROR, "Record length mismatch",
	      EXPFILL}},
	    {&ei_bad_direction,
	     {"ecapture.expert.bad_direction", PI_MALFORMED, PI_ERROR, "Unknown direction",
	      EXPFILL}},
	    {&ei_truncated,
	     {"ecapture.expert.truncated", PI_SEQUENCE, PI_WARN, "Record data truncated", EXPFILL}},
	};
	expert_module_t *expert;

	proto_register_field_array(proto_ecapture, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	expert = expert_register_protocol(proto_ecapture);
	expert_register_field_array(expert, ei, array_length(ei));
	register_dissector(EC_RECORD_DISSECTOR, dissect_ec_record, proto_ecapture);
}

void ec_record_handoff(void)
{
}
