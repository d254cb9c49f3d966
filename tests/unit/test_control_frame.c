// SPDX-License-Identifier: GPL-2.0-or-later
/* The extcap control pipe frames (extcap/control_frame.c): what Wireshark sends and reads. */
#include <string.h>
#include <glib.h>

#include "control_frame.h"

/* A frame as Wireshark's InterfaceToolbar::controlSend builds it. */
static GByteArray *wire(uint8_t num, uint8_t cmd, const char *payload)
{
	GByteArray *b = g_byte_array_new();
	size_t n = strlen(payload) + 2;
	const uint8_t hdr[] = {'T', (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, num, cmd};

	g_byte_array_append(b, hdr, sizeof(hdr));
	g_byte_array_append(b, (const uint8_t *)payload, (guint)strlen(payload));
	return b;
}

static void test_one(void)
{
	g_autoptr(GByteArray) b = wire(1, EC_CTL_SET, "123,456");
	struct ec_ctl_frame f;
	size_t used;

	g_assert_cmpint(ec_ctl_frame_parse(b->data, b->len, &f, &used), ==, EC_CTL_FRAME);
	g_assert_cmpuint(used, ==, b->len);
	g_assert_cmpuint(f.num, ==, 1);
	g_assert_cmpuint(f.cmd, ==, EC_CTL_SET);
	g_assert_cmpmem(f.payload, f.len, "123,456", 7);
}

/* A button press: set with no payload; "initialized" on control 0. */
static void test_empty_payload(void)
{
	g_autoptr(GByteArray) b = wire(0, EC_CTL_INITIALIZED, "");
	struct ec_ctl_frame f;
	size_t used;

	g_assert_cmpint(ec_ctl_frame_parse(b->data, b->len, &f, &used), ==, EC_CTL_FRAME);
	g_assert_cmpuint(used, ==, 6);
	g_assert_cmpuint(f.len, ==, 0);
}

/* Every prefix of a frame asks for more; two frames back to back come out one by one. */
static void test_incomplete_and_stream(void)
{
	g_autoptr(GByteArray) b = wire(3, EC_CTL_SET, "abc");
	g_autoptr(GByteArray) two = wire(2, EC_CTL_SET, "1000");
	struct ec_ctl_frame f;
	size_t used, first = b->len;

	for (size_t n = 0; n < b->len; n++)
		g_assert_cmpint(ec_ctl_frame_parse(b->data, n, &f, &used), ==, EC_CTL_INCOMPLETE);
	g_byte_array_append(b, two->data, two->len);
	g_assert_cmpint(ec_ctl_frame_parse(b->data, b->len, &f, &used), ==, EC_CTL_FRAME);
	g_assert_cmpuint(used, ==, first);
	g_assert_cmpint(ec_ctl_frame_parse(b->data + used, b->len - used, &f, &used), ==,
	                EC_CTL_FRAME);
	g_assert_cmpuint(f.num, ==, 2);
	g_assert_cmpmem(f.payload, f.len, "1000", 4);
}

/* No sync byte, or a length below 2 or over 65537: skip to the next 'T' (or everything). */
static void test_malformed(void)
{
	const uint8_t junk[] = {'x', 'y', 'T', 0, 0, 2, 1, 1};
	const uint8_t short_len[] = {'T', 0, 0, 1, 'z'};
	const uint8_t long_len[] = {'T', 0x01, 0x00, 0x02, 1, 1, 'T'};
	const uint8_t no_sync[] = {'a', 'b', 'c'};
	struct ec_ctl_frame f;
	size_t used;

	g_assert_cmpint(ec_ctl_frame_parse(junk, sizeof(junk), &f, &used), ==, EC_CTL_MALFORMED);
	g_assert_cmpuint(used, ==, 2);
	g_assert_cmpint(ec_ctl_frame_parse(junk + used, sizeof(junk) - used, &f, &used), ==,
	                EC_CTL_FRAME);
	g_assert_cmpint(ec_ctl_frame_parse(short_len, sizeof(short_len), &f, &used), ==,
	                EC_CTL_MALFORMED);
	g_assert_cmpuint(used, ==, sizeof(short_len));
	g_assert_cmpint(ec_ctl_frame_parse(long_len, sizeof(long_len), &f, &used), ==,
	                EC_CTL_MALFORMED);
	g_assert_cmpuint(used, ==, 6);
	g_assert_cmpint(ec_ctl_frame_parse(no_sync, sizeof(no_sync), &f, &used), ==,
	                EC_CTL_MALFORMED);
	g_assert_cmpuint(used, ==, sizeof(no_sync));
}

/* What we write parses back; a payload over the maximum is cut, not sent over-long. */
static void test_append_roundtrip(void)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autofree char *big = g_malloc(EC_CTL_MAX_PAYLOAD + 100);
	struct ec_ctl_frame f;
	size_t used;

	memset(big, 'a', EC_CTL_MAX_PAYLOAD + 100);
	ec_ctl_frame_append(out, 4, EC_CTL_STATUSBAR, "status", 6);
	ec_ctl_frame_append(out, 5, EC_CTL_ADD, big, EC_CTL_MAX_PAYLOAD + 100);
	g_assert_cmpint(ec_ctl_frame_parse(out->data, out->len, &f, &used), ==, EC_CTL_FRAME);
	g_assert_cmpuint(f.cmd, ==, EC_CTL_STATUSBAR);
	g_assert_cmpmem(f.payload, f.len, "status", 6);
	g_assert_cmpint(ec_ctl_frame_parse(out->data + used, out->len - used, &f, &used), ==,
	                EC_CTL_FRAME);
	g_assert_cmpuint(f.num, ==, 5);
	g_assert_cmpuint(f.len, ==, EC_CTL_MAX_PAYLOAD);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/control_frame/one", test_one);
	g_test_add_func("/control_frame/empty_payload", test_empty_payload);
	g_test_add_func("/control_frame/incomplete_and_stream", test_incomplete_and_stream);
	g_test_add_func("/control_frame/malformed", test_malformed);
	g_test_add_func("/control_frame/append_roundtrip", test_append_roundtrip);
	return g_test_run();
}
