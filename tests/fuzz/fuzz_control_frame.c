// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The extcap control pipe's frame parser (extcap/control_frame.c) over a byte stream as the
 * extcap reads it from Wireshark: every frame it returns lies inside the input, every step
 * consumes bytes, and a frame it returns re-encodes to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "control_frame.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GByteArray) again = g_byte_array_new();
	size_t at = 0;

	while (at < size) {
		struct ec_ctl_frame f;
		size_t used;
		enum ec_ctl_parse_result r = ec_ctl_frame_parse(data + at, size - at, &f, &used);

		if (r == EC_CTL_INCOMPLETE)
			break;
		if (used == 0 || used > size - at)
			abort();
		if (r == EC_CTL_FRAME) {
			if (f.payload != data + at + EC_CTL_HEADER_LEN ||
			    f.len + EC_CTL_HEADER_LEN != used)
				abort();
			g_byte_array_set_size(again, 0);
			ec_ctl_frame_append(again, f.num, f.cmd, f.payload, f.len);
			if (again->len != used || memcmp(again->data, data + at, used))
				abort();
		}
		at += used;
	}
	return 0;
}
