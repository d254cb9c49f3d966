// SPDX-License-Identifier: GPL-2.0-or-later
/* HTTP/2 frames of one connection direction as text (see h2_text.h). */
#include "output/h2_text.h"

#include <stdlib.h>
#include <string.h>
#include <nghttp2/nghttp2.h>

#include "output/escape.h"

#define FRAME_HDR 9

enum {
	T_DATA = 0x0,
	T_HEADERS = 0x1,
	T_PRIORITY = 0x2,
	T_RST_STREAM = 0x3,
	T_SETTINGS = 0x4,
	T_PUSH_PROMISE = 0x5,
	T_PING = 0x6,
	T_GOAWAY = 0x7,
	T_WINDOW_UPDATE = 0x8,
	T_CONTINUATION = 0x9,
};

enum {
	F_END_STREAM = 0x1, /* DATA, HEADERS; ACK for SETTINGS and PING */
	F_END_HEADERS = 0x4,
	F_PADDED = 0x8,
	F_PRIORITY = 0x20,
};

static const char preface[EC_H2_PREFACE_LEN + 1] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* The inflater's allocations, counted against EC_H2_HPACK_MEM_MAX. */
struct hd_mem {
	nghttp2_mem mem;
	size_t used;
};

struct ec_h2_dir {
	nghttp2_hd_inflater *hd;
	struct hd_mem mem;
	uint32_t table_size;    /* SETTINGS_HEADER_TABLE_SIZE the inflater follows */
	uint32_t table_pending; /* a new one, applied when the header block ends ... */
	bool has_pending;       /* ... if there is one */
	bool in_block;          /* a header block has begun and not ended */
	bool hpack_lost;        /* the HPACK state no longer matches the sender's */
	uint32_t preface_left;  /* bytes of the client preface still to come */
	/* The frame being read. */
	uint8_t hdr[FRAME_HDR];
	uint8_t hdr_len;
	uint8_t type, flags;
	uint32_t len, stream, got;
	bool streamed;     /* its payload is handled as it comes (DATA, or too big to hold) */
	uint16_t pad;      /* DATA: padding at its end */
	bool data_nl;      /* DATA: the last byte shown was a newline, or none was shown */
	size_t text_limit; /* OUT may grow to this in this feed */
	bool text_cut;     /* ... and text was left out for it */
	uint8_t buf[EC_H2_FRAME_MAX];
};

/* Each block starts with its size (max_align_t keeps the rest aligned). */
#define MEM_HDR sizeof(max_align_t)

static void *mem_malloc(size_t size, void *ud)
{
	struct hd_mem *m = ud;
	uint8_t *p;

	if (size > EC_H2_HPACK_MEM_MAX || m->used + size > EC_H2_HPACK_MEM_MAX)
		return NULL;
	p = malloc(MEM_HDR + size);
	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	m->used += size;
	return p + MEM_HDR;
}

static void mem_free(void *ptr, void *ud)
{
	struct hd_mem *m = ud;
	uint8_t *p = ptr;
	size_t size;

	if (!p)
		return;
	p -= MEM_HDR;
	memcpy(&size, p, sizeof(size));
	m->used -= size;
	free(p);
}

static void *mem_calloc(size_t n, size_t size, void *ud)
{
	void *p;

	if (size && n > EC_H2_HPACK_MEM_MAX / size)
		return NULL;
	p = mem_malloc(n * size, ud);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void *mem_realloc(void *ptr, size_t size, void *ud)
{
	uint8_t *p;
	size_t old;

	if (!ptr)
		return mem_malloc(size, ud);
	memcpy(&old, (uint8_t *)ptr - MEM_HDR, sizeof(old));
	p = mem_malloc(size, ud);
	if (!p)
		return NULL;
	memcpy(p, ptr, old < size ? old : size);
	mem_free(ptr, ud);
	return p;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool ec_h2_is_preface(const uint8_t *data, size_t len)
{
	return len >= EC_H2_PREFACE_LEN && !memcmp(data, preface, EC_H2_PREFACE_LEN);
}

bool ec_h2_is_server_start(const uint8_t *data, size_t len)
{
	size_t at = 0;

	if (len < FRAME_HDR || data[3] != T_SETTINGS || data[4] || be32(data + 5) ||
	    (((size_t)data[0] << 16 | (size_t)data[1] << 8 | data[2]) % 6))
		return false;
	while (at + FRAME_HDR <= len) {
		size_t flen = (size_t)data[at] << 16 | (size_t)data[at + 1] << 8 | data[at + 2];

		if (data[at + 3] > T_CONTINUATION || flen > EC_H2_FRAME_MAX)
			return false;
		at += FRAME_HDR + flen;
	}
	return at == len;
}

struct ec_h2_dir *ec_h2_dir_new(bool client)
{
	struct ec_h2_dir *d = g_new0(struct ec_h2_dir, 1);

	d->mem.mem = (nghttp2_mem){&d->mem, mem_malloc, mem_free, mem_calloc, mem_realloc};
	if (nghttp2_hd_inflate_new2(&d->hd, &d->mem.mem)) {
		g_free(d);
		return NULL;
	}
	d->table_size = 4096; /* the protocol's initial value */
	d->preface_left = client ? EC_H2_PREFACE_LEN : 0;
	d->data_nl = true;
	return d;
}

void ec_h2_dir_free(struct ec_h2_dir *d)
{
	if (!d)
		return;
	nghttp2_hd_inflate_del(d->hd);
	g_free(d);
}

static bool text_room(struct ec_h2_dir *d, GString *out)
{
	if (out->len < d->text_limit)
		return true;
	d->text_cut = true;
	return false;
}

static void lose_hpack(struct ec_h2_dir *d, GString *out, const char *why)
{
	if (d->hpack_lost)
		return;
	d->hpack_lost = true;
	g_string_append_printf(out, "  (headers of this direction no longer decoded: %s)\n", why);
}

static void apply_table_size(struct ec_h2_dir *d)
{
	if (!d->has_pending || d->in_block || d->hpack_lost)
		return;
	if (nghttp2_hd_inflate_change_table_size(d->hd, d->table_pending) == 0)
		d->table_size = d->table_pending;
	d->has_pending = false;
}

/* A header block fragment through the inflater; FINAL: END_HEADERS. */
static void inflate(struct ec_h2_dir *d, const uint8_t *in, size_t n, bool final, GString *out)
{
	if (d->hpack_lost) {
		g_string_append_printf(out, "  (%zu bytes of headers not decoded)\n", n);
		return;
	}
	d->in_block = true;
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t r = nghttp2_hd_inflate_hd2(d->hd, &nv, &flags, in, n, final);

		if (r < 0) {
			lose_hpack(d, out, nghttp2_strerror((int)r));
			return;
		}
		in += r;
		n -= (size_t)r;
		if ((flags & NGHTTP2_HD_INFLATE_EMIT) && text_room(d, out)) {
			ec_escape_append(out, (const char *)nv.name, nv.namelen, "");
			g_string_append(out, ": ");
			ec_escape_append(out, (const char *)nv.value, nv.valuelen, "");
			g_string_append_c(out, '\n');
		}
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->hd);
			d->in_block = false;
			apply_table_size(d);
			return;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && n == 0)
			return;
	}
}

static const char *type_name(uint8_t type)
{
	static const char *const names[] = {
	    "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
	    "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};

	return type < G_N_ELEMENTS(names) ? names[type] : NULL;
}

static const char *error_name(uint32_t code)
{
	static const char *const names[] = {"NO_ERROR",
	                                    "PROTOCOL_ERROR",
	                                    "INTERNAL_ERROR",
	                                    "FLOW_CONTROL_ERROR",
	                                    "SETTINGS_TIMEOUT",
	                                    "STREAM_CLOSED",
	                                    "FRAME_SIZE_ERROR",
	                                    "REFUSED_STREAM",
	                                    "CANCEL",
	                                    "COMPRESSION_ERROR",
	                                    "CONNECT_ERROR",
	                                    "ENHANCE_YOUR_CALM",
	                                    "INADEQUATE_SECURITY",
	                                    "HTTP_1_1_REQUIRED"};

	return code < G_N_ELEMENTS(names) ? names[code] : "unknown";
}

static const char *setting_name(uint16_t id)
{
	static const char *const names[] = {NULL,
	                                    "HEADER_TABLE_SIZE",
	                                    "ENABLE_PUSH",
	                                    "MAX_CONCURRENT_STREAMS",
	                                    "INITIAL_WINDOW_SIZE",
	                                    "MAX_FRAME_SIZE",
	                                    "MAX_HEADER_LIST_SIZE"};

	return id < G_N_ELEMENTS(names) && names[id] ? names[id] : NULL;
}

/* "HTTP/2 HEADERS stream=1 flags=0x5 (END_STREAM END_HEADERS) length=30" */
static void frame_line(const struct ec_h2_dir *d, GString *out)
{
	const char *name = type_name(d->type);
	bool ack = d->type == T_SETTINGS || d->type == T_PING;
	bool end_stream = d->type == T_DATA || d->type == T_HEADERS;
	bool headers =
	    d->type == T_HEADERS || d->type == T_CONTINUATION || d->type == T_PUSH_PROMISE;
	bool padded = d->type == T_DATA || d->type == T_HEADERS || d->type == T_PUSH_PROMISE;

	if (name)
		g_string_append_printf(out, "HTTP/2 %s", name);
	else
		g_string_append_printf(out, "HTTP/2 frame type=0x%02x", d->type);
	g_string_append_printf(out, " stream=%u flags=0x%x", d->stream, d->flags);
	if (d->flags & 0x1 && (ack || end_stream))
		g_string_append(out, ack ? " ACK" : " END_STREAM");
	if (d->flags & F_END_HEADERS && headers)
		g_string_append(out, " END_HEADERS");
	if (d->flags & F_PADDED && padded)
		g_string_append(out, " PADDED");
	if (d->flags & F_PRIORITY && d->type == T_HEADERS)
		g_string_append(out, " PRIORITY");
	g_string_append_printf(out, " length=%u\n", d->len);
}

/* The payload of a header-carrying frame, from OFF on, less PAD bytes at its end. */
static void header_block(struct ec_h2_dir *d, size_t off, size_t pad, GString *out)
{
	if (off + pad > d->len) {
		g_string_append(out, "  (malformed: padding longer than the frame)\n");
		lose_hpack(d, out, "a malformed frame");
		return;
	}
	inflate(d, d->buf + off, d->len - off - pad, d->flags & F_END_HEADERS, out);
}

static void settings(struct ec_h2_dir *d, struct ec_h2_dir *peer, GString *out)
{
	if (d->flags & F_END_STREAM || d->len % 6) {
		if (d->len % 6)
			g_string_append(out, "  (malformed: length not a multiple of 6)\n");
		return;
	}
	for (uint32_t i = 0; i + 6 <= d->len; i += 6) {
		uint16_t id = (uint16_t)(d->buf[i] << 8 | d->buf[i + 1]);
		uint32_t v = be32(d->buf + i + 2);
		const char *name = setting_name(id);

		if (name)
			g_string_append_printf(out, "  %s=%u\n", name, v);
		else
			g_string_append_printf(out, "  0x%x=%u\n", id, v);
		/* The sender's decoder allows the peer's encoder this table. */
		if (id == 1 && peer) {
			peer->table_pending = MIN(v, EC_H2_TABLE_MAX);
			peer->has_pending = true;
			apply_table_size(peer);
		}
	}
}

/* A frame held whole (at most EC_H2_FRAME_MAX bytes): its line and what it says. */
static void held_frame(struct ec_h2_dir *d, struct ec_h2_dir *peer, GString *out)
{
	size_t pad = 0, off = 0;

	frame_line(d, out);
	if ((d->type == T_HEADERS || d->type == T_PUSH_PROMISE) && d->flags & F_PADDED) {
		if (d->len < 1) {
			g_string_append(out, "  (malformed: no pad length)\n");
			lose_hpack(d, out, "a malformed frame");
			return;
		}
		pad = d->buf[0];
		off = 1;
	}
	switch (d->type) {
	case T_HEADERS:
		if (d->flags & F_PRIORITY)
			off += 5;
		header_block(d, off, pad, out);
		break;
	case T_PUSH_PROMISE:
		if (off + 4 + pad > d->len) {
			header_block(d, d->len + 1, 0, out); /* says malformed */
			break;
		}
		g_string_append_printf(out, "  promised stream=%u\n",
		                       be32(d->buf + off) & 0x7fffffffu);
		header_block(d, off + 4, pad, out);
		break;
	case T_CONTINUATION:
		header_block(d, 0, 0, out);
		break;
	case T_SETTINGS:
		settings(d, peer, out);
		break;
	case T_RST_STREAM:
		if (d->len == 4)
			g_string_append_printf(out, "  error=%s\n", error_name(be32(d->buf)));
		break;
	case T_WINDOW_UPDATE:
		if (d->len == 4)
			g_string_append_printf(out, "  increment=%u\n", be32(d->buf) & 0x7fffffffu);
		break;
	case T_GOAWAY:
		if (d->len < 8)
			break;
		g_string_append_printf(out, "  last stream=%u error=%s\n",
		                       be32(d->buf) & 0x7fffffffu, error_name(be32(d->buf + 4)));
		if (d->len > 8) {
			g_string_append(out, "  ");
			ec_escape_append(out, (const char *)d->buf + 8, d->len - 8, "");
			g_string_append_c(out, '\n');
		}
		break;
	default:
		break;
	}
}

/* The frame header is complete: what its payload will be. */
static void frame_start(struct ec_h2_dir *d, GString *out)
{
	d->len = (uint32_t)d->hdr[0] << 16 | (uint32_t)d->hdr[1] << 8 | d->hdr[2];
	d->type = d->hdr[3];
	d->flags = d->hdr[4];
	d->stream = be32(d->hdr + 5) & 0x7fffffffu;
	d->got = 0;
	d->pad = 0;
	d->streamed = d->type == T_DATA || d->len > EC_H2_FRAME_MAX;
	if (!d->streamed)
		return;
	frame_line(d, out);
	if (d->type != T_DATA) {
		g_string_append_printf(out, "  (%u bytes, over the %u held: not shown)\n", d->len,
		                       EC_H2_FRAME_MAX);
		if (d->type == T_HEADERS || d->type == T_CONTINUATION || d->type == T_PUSH_PROMISE)
			lose_hpack(d, out, "a header block too big to hold");
	}
	d->data_nl = true;
}

/* N payload bytes of a streamed frame at offset d->got. */
static void streamed_bytes(struct ec_h2_dir *d, const uint8_t *p, size_t n, GString *out)
{
	size_t start = 0, end = d->len, from = d->got, to = d->got + n;

	if (d->type != T_DATA)
		return;
	if (d->flags & F_PADDED) {
		if (from == 0 && n) {
			d->pad = p[0];
			if ((size_t)d->pad + 1 > d->len) {
				g_string_append(out,
				                "  (malformed: padding longer than the frame)\n");
				d->pad = (uint16_t)(d->len ? d->len - 1 : 0);
			}
		}
		start = 1;
		end = d->len - d->pad;
	}
	if (from < start)
		from = start;
	if (to > end)
		to = end;
	if (from >= to || !text_room(d, out))
		return;
	ec_escape_append(out, (const char *)p + (from - d->got), to - from, "\n\t");
	d->data_nl = p[to - d->got - 1] == '\n';
}

static void frame_end(struct ec_h2_dir *d, struct ec_h2_dir *peer, GString *out)
{
	if (!d->streamed)
		held_frame(d, peer, out);
	else if (d->type == T_DATA && !d->data_nl)
		g_string_append_c(out, '\n');
	d->hdr_len = 0;
	d->got = 0;
}

void ec_h2_feed(struct ec_h2_dir *d, struct ec_h2_dir *peer, const uint8_t *data, size_t len,
                GString *out)
{
	d->text_limit = out->len + EC_H2_TEXT_MAX;
	d->text_cut = false;
	while (len) {
		size_t n;

		if (d->preface_left) {
			size_t at = EC_H2_PREFACE_LEN - d->preface_left;

			n = MIN(len, d->preface_left);
			if (memcmp(data, preface + at, n)) {
				/* Not the preface after all: read frames from here. */
				d->preface_left = 0;
				continue;
			}
			d->preface_left -= (uint32_t)n;
			data += n;
			len -= n;
			if (!d->preface_left)
				g_string_append(out, "HTTP/2 connection preface\n");
			continue;
		}
		if (d->hdr_len < FRAME_HDR) {
			n = MIN(len, (size_t)(FRAME_HDR - d->hdr_len));
			memcpy(d->hdr + d->hdr_len, data, n);
			d->hdr_len = (uint8_t)(d->hdr_len + n);
			data += n;
			len -= n;
			if (d->hdr_len < FRAME_HDR)
				break;
			frame_start(d, out);
			if (!d->len)
				frame_end(d, peer, out);
			continue;
		}
		n = MIN(len, (size_t)(d->len - d->got));
		if (d->streamed)
			streamed_bytes(d, data, n, out);
		else
			memcpy(d->buf + d->got, data, n);
		d->got += (uint32_t)n;
		data += n;
		len -= n;
		if (d->got == d->len)
			frame_end(d, peer, out);
	}
	if (d->text_cut)
		g_string_append_printf(out, "  (text of this record cut at %u KiB)\n",
		                       EC_H2_TEXT_MAX / 1024);
}

void ec_h2_lost(struct ec_h2_dir *d)
{
	d->preface_left = 0;
	d->hdr_len = 0;
	d->got = 0;
	d->hpack_lost = true;
}
