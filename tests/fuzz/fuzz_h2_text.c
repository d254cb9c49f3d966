// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text output's HTTP/2 reader (output/h2_text): fuzzed bytes as both directions of a
 * connection, cut into records at fuzzed places. Nothing crashes or leaks, and the text holds
 * no control character but newline and tab.
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "output/h2_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_h2_dir *d[2];
	GString *out = g_string_new(NULL);
	size_t at = 1;

	if (!size)
		return 0;
	d[0] = ec_h2_dir_new(data[0] & 1);
	d[1] = ec_h2_dir_new(false);
	if (!d[0] || !d[1])
		abort();
	/* Each record: a byte (its length's low bits, its direction, a loss), then its bytes. */
	while (at < size) {
		uint8_t ctl = data[at++];
		size_t n = MIN((size_t)(ctl & 0x3f) * 37 + 1, size - at);
		int dir = (ctl >> 6) & 1;

		g_string_truncate(out, 0);
		ec_h2_feed(d[dir], d[!dir], data + at, n, out);
		if (ctl >> 7 && (data[0] & 2))
			ec_h2_lost(d[dir]);
		for (size_t i = 0; i < out->len; i++) {
			unsigned char c = (unsigned char)out->str[i];

			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				abort();
		}
		at += n;
	}
	ec_h2_dir_free(d[0]);
	ec_h2_dir_free(d[1]);
	g_string_free(out, TRUE);
	return 0;
}
