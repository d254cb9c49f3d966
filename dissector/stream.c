// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS plaintext to its application dissector (HTTP/1.x, HTTP/2, PostgreSQL, MySQL, RESP),
 * reassembled per connection and direction.
 *
 * The application dissector gets each record with can_desegment set, as TCP would give it a
 * segment. When it answers with desegment_offset/desegment_len, the bytes from that offset on
 * start a multi-record PDU (MSP) in a reassembly table, and the following records of the same
 * direction are added to it until it is as long as was asked (or, for "one more segment", on
 * each record); then the reassembled bytes are dissected, which may again leave a tail, and so
 * on. A record that completes a PDU is added whole, so whatever follows the PDU in it is
 * dissected in the same call. Several messages in one record are the application dissector's
 * own loop.
 *
 * All of this is decided on the first pass and written down per frame (struct plan); later
 * passes replay it: the same bytes go to the same dissector, reassembled data comes back from
 * the table.
 */
#include "ec_stream.h"
#include "ecapture/record.h"

#include <epan/proto_data.h>
#include <epan/reassemble.h>

/* An unfinished PDU larger than this is given up (its records stay unreassembled). */
#define MSP_MAX (64u * 1024u * 1024u)

enum plan_kind {
	PLAN_RAW,         /* no application protocol: data */
	PLAN_DIRECT,      /* the record's data to the application dissector */
	PLAN_NODESEG,     /* the same, without desegmentation (a truncated record) */
	PLAN_PART,        /* all of the record goes into a PDU that ends in a later frame */
	PLAN_REASSEMBLED, /* the record completes a PDU: its reassembled bytes are dissected */
};

struct plan {
	uint8_t kind, app, ends, dir;
	uint32_t msp_id;  /* PART, REASSEMBLED: the PDU */
	uint32_t tail_id; /* DIRECT, REASSEMBLED: the PDU that the record's last bytes start */
	struct ec_rec_conn *conn;
};

/* What the application dissector left over. */
struct leftover {
	bool more;
	guint32 offset; /* of the first byte not dissected */
	guint32 need;   /* bytes still missing; 0: unknown */
};

static reassembly_table msp_table;
static guint32 next_msp_id;

static int hf_segments = -1;
static int hf_segment = -1;
static int hf_segment_overlap = -1;
static int hf_segment_overlap_conflict = -1;
static int hf_segment_multiple_tails = -1;
static int hf_segment_too_long = -1;
static int hf_segment_error = -1;
static int hf_segment_count = -1;
static int hf_reassembled_in = -1;
static int hf_reassembled_length = -1;
static int hf_reassembled_data = -1;
static gint ett_segment = -1;
static gint ett_segments = -1;

static const fragment_items msp_items = {
    &ett_segment,
    &ett_segments,
    &hf_segments,
    &hf_segment,
    &hf_segment_overlap,
    &hf_segment_overlap_conflict,
    &hf_segment_multiple_tails,
    &hf_segment_too_long,
    &hf_segment_error,
    &hf_segment_count,
    &hf_reassembled_in,
    &hf_reassembled_length,
    &hf_reassembled_data,
    "Segments",
};

/* MSP ids are unique in a file: they alone are the reassembly key. */
static gpointer msp_key(const packet_info *pinfo _U_, const guint32 id, const void *data _U_)
{
	return GUINT_TO_POINTER(id);
}

static void msp_key_free(gpointer p _U_)
{
}

static const reassembly_table_functions msp_functions = {
    g_direct_hash, g_direct_equal, msp_key, msp_key, msp_key_free, msp_key_free,
};

static void stream_init(void)
{
	next_msp_id = 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Every pass                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static struct leftover call_app(const struct plan *p, tvbuff_t *tvb, packet_info *pinfo,
                                proto_tree *tree, bool desegment)
{
	dissector_handle_t h = ec_app_handle((enum ec_app)p->app);
	struct leftover left = {0};
	guint len = tvb_captured_length(tvb);
	port_type ptype = pinfo->ptype;
	guint32 match_uint = pinfo->match_uint;
	bool until_fin;

	if (!h) {
		call_data_dissector(tvb, pinfo, tree);
		return left;
	}
	pinfo->can_desegment = desegment ? 2 : 0;
	pinfo->desegment_offset = 0;
	pinfo->desegment_len = 0;
	/*
	 * HTTP warns of "unencrypted HTTP over an encrypted port" when a TCP port is 443 and TLS is
	 * not in the frame. This plaintext did come out of TLS: let the ports not be TCP ports.
	 */
	if (p->app == EC_APP_HTTP || p->app == EC_APP_HTTP2)
		pinfo->ptype = PT_NONE;
	/*
	 * The database dissectors tell a client's messages from the server's as TCP lets them:
	 * the port they were found by (match_uint) is the server's.
	 */
	pinfo->match_uint =
	    (p->dir == EC_RECORD_DIR_SENT) == p->conn->serves ? pinfo->srcport : pinfo->destport;
	call_dissector_with_data(h, tvb, pinfo, tree, NULL);
	if (desegment && pinfo->desegment_len && pinfo->desegment_offset >= 0 &&
	    (guint)pinfo->desegment_offset < len) {
		left.more = true;
		left.offset = (guint32)pinfo->desegment_offset;
		if (pinfo->desegment_len != DESEGMENT_ONE_MORE_SEGMENT)
			left.need = pinfo->desegment_len;
	}
	until_fin = left.more && pinfo->desegment_len == DESEGMENT_UNTIL_FIN;
	pinfo->can_desegment = 0;
	pinfo->desegment_offset = 0;
	pinfo->desegment_len = 0;
	if (until_fin) {
		/* Records carry no end of connection to wait for: take the rest as it is. */
		call_dissector_with_data(h, tvb_new_subset_remaining(tvb, (gint)left.offset), pinfo,
		                         tree, NULL);
		left.more = false;
	}
	pinfo->ptype = ptype;
	pinfo->match_uint = match_uint;
	return left;
}

/* "Reassembled PDU in frame N", once the first pass has got there. */
static void show_reassembled_in(tvbuff_t *data, packet_info *pinfo, proto_tree *item_tree,
                                guint32 msp_id)
{
	fragment_head *fh = msp_id ? fragment_get(&msp_table, pinfo, msp_id, NULL) : NULL;

	if (fh && (fh->flags & FD_DEFRAGMENTED) && fh->reassembled_in != pinfo->num)
		process_reassembled_data(data, 0, pinfo, "Reassembled eCapture data", fh,
		                         &msp_items, NULL, item_tree);
}

/* Dissect this frame's record as planned; *DISSECTED is what went to the application. */
static struct leftover run_plan(const struct plan *p, tvbuff_t *data, packet_info *pinfo,
                                proto_tree *tree, proto_tree *item_tree, tvbuff_t **dissected)
{
	struct leftover none = {0};
	fragment_head *fh;
	tvbuff_t *rtvb;

	*dissected = data;
	switch ((enum plan_kind)p->kind) {
	case PLAN_RAW:
		call_data_dissector(data, pinfo, tree);
		break;
	case PLAN_NODESEG:
		call_app(p, data, pinfo, tree, false);
		break;
	case PLAN_DIRECT:
		return call_app(p, data, pinfo, tree, true);
	case PLAN_PART:
		show_reassembled_in(data, pinfo, item_tree, p->msp_id);
		break;
	case PLAN_REASSEMBLED:
		fh = fragment_get(&msp_table, pinfo, p->msp_id, NULL);
		rtvb = fh ? process_reassembled_data(data, 0, pinfo, "Reassembled eCapture data",
		                                     fh, &msp_items, NULL, item_tree)
		          : NULL;
		if (!rtvb) {
			show_reassembled_in(data, pinfo, item_tree, p->msp_id);
			break;
		}
		*dissected = rtvb;
		return call_app(p, rtvb, pinfo, tree, true);
	}
	return none;
}

/* ------------------------------------------------------------------------------------------ */
/* First pass                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Decide what to do with the record before dissecting it. */
static struct plan *plan_record(tvbuff_t *data, packet_info *pinfo, const struct ec_rec *r)
{
	struct plan *p = wmem_new0(wmem_file_scope(), struct plan);
	struct ec_rec_conn *c = ec_conn_for(pinfo, r, data);
	struct ec_dir *d = &c->dir[r->direction];
	guint len = tvb_captured_length(data);

	p->conn = c;
	p->dir = r->direction;
	p->ends = (uint8_t)ec_conn_learn(pinfo, c, r);
	if (c->app == EC_APP_NONE && !d->msp_id) {
		struct ec_app_guess g = ec_app_detect(data, c, r->direction);

		c->app = g.app;
		c->serves = g.serves;
	}
	p->app = (uint8_t)c->app;
	if (d->msp_id && d->seq + len - d->msp_start > MSP_MAX)
		d->msp_id = 0;
	if (c->app == EC_APP_NONE) {
		p->kind = PLAN_RAW;
	} else if (r->flags & EC_RECORDF_TRUNCATED) {
		/* Bytes are missing after this: a PDU pending across them can never be whole. */
		d->msp_id = 0;
		p->kind = PLAN_NODESEG;
	} else if (!d->msp_id) {
		p->kind = PLAN_DIRECT;
	} else {
		bool short_of_end = d->msp_end && d->seq + len < d->msp_end;

		p->kind = short_of_end ? PLAN_PART : PLAN_REASSEMBLED;
		p->msp_id = d->msp_id;
		if (!fragment_add(&msp_table, data, 0, pinfo, d->msp_id, NULL,
		                  (guint32)(d->seq - d->msp_start), len, short_of_end) &&
		    !short_of_end) {
			/* The table refused it: give the PDU up rather than wait forever. */
			d->msp_id = 0;
			p->kind = PLAN_PART;
		}
	}
	return p;
}

/*
 * After the first dissection: keep what the application dissector left for the next record.
 * START is the stream offset of DISSECTED's first byte.
 */
static void keep_leftover(struct plan *p, packet_info *pinfo, tvbuff_t *dissected, uint64_t start,
                          struct leftover left)
{
	struct ec_dir *d = &p->conn->dir[p->dir];
	guint len = tvb_captured_length(dissected);

	if (!left.more)
		return;
	if (left.offset == 0 && p->kind == PLAN_REASSEMBLED) {
		/* Still too short: the same PDU goes on collecting. */
		fragment_set_partial_reassembly(&msp_table, pinfo, p->msp_id, NULL);
		d->msp_id = p->msp_id;
		d->msp_start = start;
	} else {
		d->msp_id = next_msp_id++;
		d->msp_start = start + left.offset;
		p->tail_id = d->msp_id;
		fragment_add(&msp_table, dissected, (gint)left.offset, pinfo, d->msp_id, NULL, 0,
		             len - left.offset, TRUE);
	}
	d->msp_end = left.need ? start + len + left.need : 0;
	if (left.offset == 0) {
		/* Nothing was dissected here after all: on later passes it is a part. */
		p->kind = PLAN_PART;
		p->msp_id = d->msp_id;
		p->tail_id = 0;
	}
}

enum ec_shown ec_stream_dissect(tvbuff_t *data, packet_info *pinfo, proto_tree *tree,
                                proto_tree *item_tree, const struct ec_rec *r)
{
	struct plan *p = p_get_proto_data(wmem_file_scope(), pinfo, proto_ecapture, 0);
	bool first = !p, to_app;
	struct leftover left;
	tvbuff_t *dissected;
	uint64_t start = 0;

	if (!p) {
		if (PINFO_FD_VISITED(pinfo)) {
			/* The first pass never got here (an exception): nothing to replay. */
			call_data_dissector(data, pinfo, tree);
			return EC_SHOWN_DATA;
		}
		p = plan_record(data, pinfo, r);
		p_add_proto_data(wmem_file_scope(), pinfo, proto_ecapture, 0, p);
	}
	to_app = p->kind == PLAN_DIRECT || p->kind == PLAN_REASSEMBLED;
	if (first) {
		/*
		 * The stream moves on before the application dissector runs: should it throw,
		 * this record counts as consumed and nothing stays pending.
		 */
		struct ec_dir *d = &p->conn->dir[p->dir];

		if (to_app) {
			start = p->kind == PLAN_REASSEMBLED ? d->msp_start : d->seq;
			d->msp_id = 0;
		}
		d->seq += tvb_captured_length(data);
	}
	ec_conn_apply(pinfo, p->conn, p->dir, (enum ec_ends)p->ends);
	left = run_plan(p, data, pinfo, tree, item_tree, &dissected);
	if (first && to_app)
		keep_leftover(p, pinfo, dissected, start, left);
	else if (!first)
		show_reassembled_in(data, pinfo, item_tree, p->tail_id);
	switch ((enum plan_kind)p->kind) {
	case PLAN_RAW:
		return EC_SHOWN_DATA;
	case PLAN_PART:
		return EC_SHOWN_PART;
	default:
		return EC_SHOWN_APP;
	}
}

void ec_stream_register(void)
{
	static hf_register_info hf[] = {
	    {&hf_segments,
	     {"Reassembled segments", "ecapture.segments", FT_NONE, BASE_NONE, NULL, 0,
	      "Records whose data makes up this PDU", HFILL}},
	    {&hf_segment,
	     {"Segment", "ecapture.segment", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_segment_overlap,
	     {"Segment overlap", "ecapture.segment.overlap", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL,
	      HFILL}},
	    {&hf_segment_overlap_conflict,
	     {"Conflicting data in segment overlap", "ecapture.segment.overlap.conflict",
	      FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_segment_multiple_tails,
	     {"Multiple tail segments found", "ecapture.segment.multipletails", FT_BOOLEAN,
	      BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_segment_too_long,
	     {"Segment too long", "ecapture.segment.toolongfragment", FT_BOOLEAN, BASE_NONE, NULL,
	      0, NULL, HFILL}},
	    {&hf_segment_error,
	     {"Reassembly error", "ecapture.segment.error", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL,
	      HFILL}},
	    {&hf_segment_count,
	     {"Segment count", "ecapture.segment.count", FT_UINT32, BASE_DEC, NULL, 0, NULL,
	      HFILL}},
	    {&hf_reassembled_in,
	     {"Reassembled PDU in frame", "ecapture.reassembled_in", FT_FRAMENUM, BASE_NONE, NULL,
	      0, "The PDU this record is part of ends in this frame", HFILL}},
	    {&hf_reassembled_length,
	     {"Reassembled length", "ecapture.reassembled.length", FT_UINT32, BASE_DEC, NULL, 0,
	      NULL, HFILL}},
	    {&hf_reassembled_data,
	     {"Reassembled data", "ecapture.reassembled.data", FT_BYTES, BASE_NONE, NULL, 0, NULL,
	      HFILL}},
	};
	static gint *ett[] = {&ett_segment, &ett_segments};

	proto_register_field_array(proto_ecapture, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	reassembly_table_register(&msp_table, &msp_functions);
	register_init_routine(stream_init);
	ec_conn_register();
}

void ec_stream_handoff(void)
{
	ec_app_handoff();
}
