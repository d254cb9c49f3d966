/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frames of Wireshark's extcap control pipes (both directions): 'T', a 3-byte big-endian
 * length (payload + 2), the control number, the command, the payload. Pure functions on byte
 * buffers: the parser reads untrusted input (tests/unit/test_control_frame.c,
 * tests/fuzz/fuzz_control_frame.c).
 */
#ifndef EC_CONTROL_FRAME_H
#define EC_CONTROL_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define EC_CTL_SYNC        'T'
#define EC_CTL_HEADER_LEN  6
#define EC_CTL_MAX_PAYLOAD 65535 /* Wireshark sends nothing longer */

enum ec_ctl_cmd {
	EC_CTL_INITIALIZED = 0,
	EC_CTL_SET = 1,
	EC_CTL_ADD = 2,
	EC_CTL_REMOVE = 3,
	EC_CTL_ENABLE = 4,
	EC_CTL_DISABLE = 5,
	EC_CTL_STATUSBAR = 6,
	EC_CTL_INFORMATION = 7,
	EC_CTL_WARNING = 8,
	EC_CTL_ERROR = 9,
};

struct ec_ctl_frame {
	uint8_t num; /* the control */
	uint8_t cmd; /* enum ec_ctl_cmd (any value: an unknown one is the caller's to refuse) */
	const uint8_t *payload; /* inside the parsed buffer */
	size_t len;
};

enum ec_ctl_parse_result {
	EC_CTL_FRAME = 1,      /* *F is the first frame of BUF; it took *USED bytes */
	EC_CTL_INCOMPLETE = 0, /* BUF holds the start of a frame: read more */
	EC_CTL_MALFORMED = -1, /* BUF does not start with a frame; *USED bytes are to be skipped
	                        * (up to the next sync byte) to look for the next one */
};

/* The first frame of the LEN bytes at BUF. */
enum ec_ctl_parse_result ec_ctl_frame_parse(const uint8_t *buf, size_t len, struct ec_ctl_frame *f,
                                            size_t *used);

/* Append a frame to OUT; a payload over EC_CTL_MAX_PAYLOAD is cut there. */
void ec_ctl_frame_append(GByteArray *out, uint8_t num, uint8_t cmd, const void *payload,
                         size_t len);

#endif
