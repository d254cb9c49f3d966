// SPDX-License-Identifier: GPL-2.0-or-later
#include "control_frame.h"

#include <string.h>

/* Where the next frame may start after a bad one: the next sync byte, or the end. */
static size_t skip_to_sync(const uint8_t *buf, size_t len)
{
	const uint8_t *t = len > 1 ? memchr(buf + 1, EC_CTL_SYNC, len - 1) : NULL;

	return t ? (size_t)(t - buf) : len;
}

enum ec_ctl_parse_result ec_ctl_frame_parse(const uint8_t *buf, size_t len, struct ec_ctl_frame *f,
                                            size_t *used)
{
	size_t n;

	*used = 0;
	if (len == 0)
		return EC_CTL_INCOMPLETE;
	if (buf[0] != EC_CTL_SYNC) {
		*used = skip_to_sync(buf, len);
		return EC_CTL_MALFORMED;
	}
	if (len < 4)
		return EC_CTL_INCOMPLETE;
	n = (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
	if (n < 2 || n > EC_CTL_MAX_PAYLOAD + 2) {
		*used = skip_to_sync(buf, len);
		return EC_CTL_MALFORMED;
	}
	if (len < 4 + n)
		return EC_CTL_INCOMPLETE;
	f->num = buf[4];
	f->cmd = buf[5];
	f->payload = buf + EC_CTL_HEADER_LEN;
	f->len = n - 2;
	*used = 4 + n;
	return EC_CTL_FRAME;
}

void ec_ctl_frame_append(GByteArray *out, uint8_t num, uint8_t cmd, const void *payload, size_t len)
{
	size_t n = (len > EC_CTL_MAX_PAYLOAD ? EC_CTL_MAX_PAYLOAD : len) + 2;
	const uint8_t hdr[EC_CTL_HEADER_LEN] = {
	    EC_CTL_SYNC, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, num, cmd,
	};

	g_byte_array_append(out, hdr, sizeof(hdr));
	if (n > 2)
		g_byte_array_append(out, payload, (guint)(n - 2));
}
