// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTTP/2 reader of the text output: frames encoded here with libnghttp2's own HPACK encoder,
 * read whole, byte by byte (partial frames across records), several in one record, one over
 * the bound, garbage, and text of the traced process escaped.
 */
#include <string.h>
#include <glib.h>
#include <nghttp2/nghttp2.h>

#include "output/h2_text.h"

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

static void frame_hdr(GByteArray *b, uint32_t len, uint8_t type, uint8_t flags, uint32_t stream)
{
	uint8_t h[9] = {len >> 16,    len >> 8,     len,         type,  flags,
	                stream >> 24, stream >> 16, stream >> 8, stream};

	g_byte_array_append(b, h, 9);
}

/* A HEADERS frame (END_HEADERS, FLAGS more) of NV through DEFLATER. */
static void headers(GByteArray *b, nghttp2_hd_deflater *deflater, const nghttp2_nv *nv, size_t n,
                    uint8_t flags, uint32_t stream)
{
	uint8_t block[16384];
	ssize_t len = nghttp2_hd_deflate_hd(deflater, block, sizeof(block), (nghttp2_nv *)nv, n);

	g_assert_cmpint(len, >, 0);
	frame_hdr(b, (uint32_t)len, 0x1, 0x4 | flags, stream);
	g_byte_array_append(b, block, (guint)len);
}

#define NV(n, v)                                                                                   \
	{                                                                                          \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, 0                    \
	}

static const nghttp2_nv request[] = {
    NV(":method", "GET"),
    NV(":path", "/h2/1"),
    NV(":scheme", "https"),
    NV(":authority", "127.0.0.1"),
    NV("user-agent", "curl/7.88.1"),
    NV("accept", "*/*"),
};

/* The client's first record: preface, SETTINGS, WINDOW_UPDATE, HEADERS; then a second request
 * whose headers come from the dynamic table. */
static GByteArray *client_bytes(void)
{
	GByteArray *b = g_byte_array_new();
	nghttp2_hd_deflater *deflater;
	static const uint8_t settings[] = {0, 3, 0, 0, 0, 100, 0, 4, 0, 0x20, 0, 0};
	static const uint8_t window[] = {0, 0x7f, 0, 1};
	nghttp2_nv second[G_N_ELEMENTS(request)];

	g_assert_cmpint(nghttp2_hd_deflate_new(&deflater, 4096), ==, 0);
	g_byte_array_append(b, (const uint8_t *)PREFACE, 24);
	frame_hdr(b, sizeof(settings), 0x4, 0, 0);
	g_byte_array_append(b, settings, sizeof(settings));
	frame_hdr(b, sizeof(window), 0x8, 0, 0);
	g_byte_array_append(b, window, sizeof(window));
	headers(b, deflater, request, G_N_ELEMENTS(request), 0x1, 1);
	memcpy(second, request, sizeof(second));
	second[1] = (nghttp2_nv)NV(":path", "/h2/2");
	headers(b, deflater, second, G_N_ELEMENTS(second), 0x1, 3);
	nghttp2_hd_deflate_del(deflater);
	return b;
}

static const char client_text[] = "HTTP/2 connection preface\n"
                                  "HTTP/2 SETTINGS stream=0 flags=0x0 length=12\n"
                                  "  MAX_CONCURRENT_STREAMS=100\n"
                                  "  INITIAL_WINDOW_SIZE=2097152\n"
                                  "HTTP/2 WINDOW_UPDATE stream=0 flags=0x0 length=4\n"
                                  "  increment=8323073\n";

static void check_requests(const char *out)
{
	if (!g_str_has_prefix(out, client_text))
		g_printerr("%s", out);
	g_assert_true(g_str_has_prefix(out, client_text));
	g_assert_nonnull(strstr(out, "HTTP/2 HEADERS stream=1 flags=0x5 END_STREAM END_HEADERS "));
	g_assert_nonnull(strstr(out, ":method: GET\n:path: /h2/1\n:scheme: https\n"
	                             ":authority: 127.0.0.1\nuser-agent: curl/7.88.1\naccept: */*\n"
	                             "HTTP/2 HEADERS stream=3 flags=0x5"));
	g_assert_nonnull(strstr(out,
	                        ":method: GET\n:path: /h2/2\n:scheme: https\n"
	                        ":authority: 127.0.0.1\nuser-agent: curl/7.88.1\naccept: */*\n"));
	g_assert_null(strstr(out, "not decoded"));
}

/* Several frames in one record. */
static void test_whole(void)
{
	g_autoptr(GByteArray) b = client_bytes();
	g_autoptr(GString) out = g_string_new(NULL);
	struct ec_h2_dir *c = ec_h2_dir_new(true), *s = ec_h2_dir_new(false);

	g_assert_true(ec_h2_is_preface(b->data, b->len));
	g_assert_false(ec_h2_is_server_start(b->data, b->len));
	g_assert_true(ec_h2_is_server_start(b->data + 24, 9 + 12 + 9 + 4));
	g_assert_false(ec_h2_is_server_start(b->data + 24, 9 + 12 + 9 + 3)); /* a frame cut */
	g_assert_false(ec_h2_is_server_start((const uint8_t *)"GET / HTTP/1.1\r\n", 16));
	ec_h2_feed(c, s, b->data, b->len, out);
	check_requests(out->str);
	ec_h2_dir_free(c);
	ec_h2_dir_free(s);
}

/* Every frame (and the preface) cut across records, down to one byte each: the same text. */
static void test_partial(void)
{
	g_autoptr(GByteArray) b = client_bytes();
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) whole = g_string_new(NULL);

	for (size_t step = 1; step <= 13; step += 4) {
		struct ec_h2_dir *c = ec_h2_dir_new(true);

		g_string_truncate(out, 0);
		for (size_t i = 0; i < b->len; i += step)
			ec_h2_feed(c, NULL, b->data + i, MIN(step, b->len - i), out);
		check_requests(out->str);
		if (step == 1)
			g_string_assign(whole, out->str);
		ec_h2_dir_free(c);
	}
}

/* Frames over EC_H2_FRAME_MAX: DATA shown as it comes, others skipped and named; the frame
 * after them is read from its start. */
static void test_over_bound(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GString) out = g_string_new(NULL);
	struct ec_h2_dir *s = ec_h2_dir_new(false);
	nghttp2_hd_deflater *deflater;
	static const nghttp2_nv status[] = {NV(":status", "200")};
	uint32_t big = EC_H2_FRAME_MAX + 1000;
	g_autofree uint8_t *body = g_malloc(big);

	memset(body, 'a', big);
	body[big - 1] = '\n';
	g_assert_cmpint(nghttp2_hd_deflate_new(&deflater, 4096), ==, 0);
	headers(b, deflater, status, 1, 0, 1);
	frame_hdr(b, big, 0x0, 0x1, 1);
	g_byte_array_append(b, body, big);
	frame_hdr(b, big, 0x6, 0, 0); /* a PING far too big */
	g_byte_array_append(b, body, big);
	frame_hdr(b, 4, 0x3, 0, 5);
	g_byte_array_append(b, (const uint8_t *)"\0\0\0\x08", 4);
	for (size_t i = 0; i < b->len; i += 5000)
		ec_h2_feed(s, NULL, b->data + i, MIN(5000, b->len - i), out);
	g_assert_nonnull(strstr(out->str, "HTTP/2 HEADERS stream=1 flags=0x4 END_HEADERS length="));
	g_assert_nonnull(strstr(out->str, ":status: 200\n"));
	g_assert_nonnull(
	    strstr(out->str, "HTTP/2 DATA stream=1 flags=0x1 END_STREAM length=17384\naaaa"));
	g_assert_nonnull(strstr(out->str, "HTTP/2 PING stream=0 flags=0x0 length=17384\n"
	                                  "  (17384 bytes, over the 16384 held: not shown)\n"));
	g_assert_nonnull(strstr(out->str, "HTTP/2 RST_STREAM stream=5 flags=0x0 length=4\n"
	                                  "  error=CANCEL\n"));
	/* A header block too big to hold: the HPACK state is gone, said once. */
	g_byte_array_set_size(b, 0);
	g_string_truncate(out, 0);
	frame_hdr(b, big, 0x1, 0x4, 7);
	g_byte_array_append(b, body, big);
	headers(b, deflater, status, 1, 0, 9);
	ec_h2_feed(s, NULL, b->data, b->len, out);
	g_assert_nonnull(strstr(out->str, "(headers of this direction no longer decoded: a header "
	                                  "block too big to hold)\n"));
	g_assert_nonnull(strstr(out->str, "HTTP/2 HEADERS stream=9 "));
	g_assert_nonnull(strstr(out->str, "bytes of headers not decoded)\n"));
	nghttp2_hd_deflate_del(deflater);
	ec_h2_dir_free(s);
}

/* Garbage: no crash, the text stays bounded and holds no raw control; a bad header block
 * stops the decoding of the direction's headers, said. */
static void test_garbage(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	GRand *r = g_rand_new_with_seed(22);
	uint8_t buf[4096];

	for (int round = 0; round < 200; round++) {
		struct ec_h2_dir *c = ec_h2_dir_new(round & 1), *s = ec_h2_dir_new(false);

		for (int rec = 0; rec < 8; rec++) {
			size_t n = g_rand_int_range(r, 1, sizeof(buf));

			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)g_rand_int(r);
			if (rec == 0 && round % 4 == 2)
				buf[3] = 0x1, buf[0] = 0,
				buf[1] = 0; /* a HEADERS frame of garbage */
			g_string_truncate(out, 0);
			ec_h2_feed(c, s, buf, n, out);
			g_assert_cmpuint(out->len, <, EC_H2_TEXT_MAX + 8 * sizeof(buf));
			for (size_t i = 0; i < out->len; i++)
				g_assert_true((uint8_t)out->str[i] >= 0x20 || out->str[i] == '\n' ||
				              out->str[i] == '\t');
		}
		ec_h2_dir_free(c);
		ec_h2_dir_free(s);
	}
	g_rand_free(r);
}

/* Header names and values and DATA from the traced process are escaped. */
static void test_escaped(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GString) out = g_string_new(NULL);
	struct ec_h2_dir *s = ec_h2_dir_new(false);
	nghttp2_hd_deflater *deflater;
	static const nghttp2_nv nv[] = {NV(":status", "200"), NV("x-evil", "\x1b]0;owned\a")};

	g_assert_cmpint(nghttp2_hd_deflate_new(&deflater, 4096), ==, 0);
	headers(b, deflater, nv, 2, 0, 1);
	frame_hdr(b, 7, 0x0, 0x9, 1); /* PADDED: 1 byte of padding */
	g_byte_array_append(b, (const uint8_t *)"\x01ok\x1b[\n\0", 7);
	ec_h2_feed(s, NULL, b->data, b->len, out);
	g_assert_nonnull(strstr(out->str, "x-evil: \\x1b]0;owned\\x07\n"));
	g_assert_nonnull(strstr(out->str, "HTTP/2 DATA stream=1 flags=0x9 END_STREAM PADDED "
	                                  "length=7\nok\\x1b[\n"));
	g_assert_null(strchr(out->str, 0x1b));
	nghttp2_hd_deflate_del(deflater);
	ec_h2_dir_free(s);
}

/* The peer's SETTINGS_HEADER_TABLE_SIZE lets the encoder use a bigger table (within the bound). */
static void test_table_size(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GString) out = g_string_new(NULL);
	struct ec_h2_dir *c = ec_h2_dir_new(false), *s = ec_h2_dir_new(false);
	nghttp2_hd_deflater *deflater;
	static const uint8_t settings[] = {0, 1, 0, 0, 0x40, 0}; /* 16384 */
	g_autofree char *val = g_strnfill(6000, 'v');
	nghttp2_nv nv[] = {NV(":status", "200"), {(uint8_t *)"x-big", (uint8_t *)val, 5, 6000, 0}};

	frame_hdr(b, sizeof(settings), 0x4, 0, 0);
	g_byte_array_append(b, settings, sizeof(settings));
	ec_h2_feed(c, s, b->data, b->len, out); /* the client says: tables up to 16384 */
	g_assert_nonnull(strstr(out->str, "HEADER_TABLE_SIZE=16384"));
	g_byte_array_set_size(b, 0);
	g_assert_cmpint(nghttp2_hd_deflate_new(&deflater, 16384), ==, 0);
	g_assert_cmpint(nghttp2_hd_deflate_change_table_size(deflater, 16384), ==, 0);
	headers(b, deflater, nv, 2, 0, 1);
	headers(b, deflater, nv, 2, 0, 3); /* the 6000-byte entry from the table */
	g_string_truncate(out, 0);
	ec_h2_feed(s, c, b->data, b->len, out);
	g_assert_null(strstr(out->str, "not decoded"));
	g_assert_nonnull(strstr(out->str, "HTTP/2 HEADERS stream=3"));
	g_assert_cmpuint(strlen(strstr(out->str, "HTTP/2 HEADERS stream=3")), >, 6000);
	nghttp2_hd_deflate_del(deflater);
	ec_h2_dir_free(c);
	ec_h2_dir_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/h2_text/whole", test_whole);
	g_test_add_func("/h2_text/partial", test_partial);
	g_test_add_func("/h2_text/over_bound", test_over_bound);
	g_test_add_func("/h2_text/garbage", test_garbage);
	g_test_add_func("/h2_text/escaped", test_escaped);
	g_test_add_func("/h2_text/table_size", test_table_size);
	return g_test_run();
}
