/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/2 for the text output: one direction of one connection read as frames (RFC 9113) and
 * written as text: a line per frame (type, stream, flags, length), the headers of HEADERS,
 * CONTINUATION and PUSH_PROMISE decoded by libnghttp2's HPACK inflater (stateful: one per
 * direction), the payload of DATA frames, SETTINGS, WINDOW_UPDATE, RST_STREAM and GOAWAY
 * values. Everything from the traced process is escaped (output/escape.h).
 *
 * Bounds: a frame is held whole up to EC_H2_FRAME_MAX payload bytes (SETTINGS_MAX_FRAME_SIZE's
 * default), across records; a bigger frame's payload is shown as it comes (DATA) or skipped
 * and named (others). The HPACK dynamic table follows the peer's SETTINGS_HEADER_TABLE_SIZE up
 * to EC_H2_TABLE_MAX, and the inflater allocates at most EC_H2_HPACK_MEM_MAX bytes; past
 * either, or after lost bytes, the direction's headers are no longer decoded (said once). The
 * text one feed adds is about EC_H2_TEXT_MAX bytes at most (a note says when it is cut).
 */
#ifndef EC_H2_TEXT_H
#define EC_H2_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define EC_H2_PREFACE_LEN   24
#define EC_H2_FRAME_MAX     16384u
#define EC_H2_TABLE_MAX     65536u
#define EC_H2_HPACK_MEM_MAX (256u * 1024u)
#define EC_H2_TEXT_MAX      (128u * 1024u)

struct ec_h2_dir;

/*
 * The reader of one direction; CLIENT: it starts with the client connection preface. NULL
 * when the inflater cannot be made (out of memory).
 */
struct ec_h2_dir *ec_h2_dir_new(bool client);
void ec_h2_dir_free(struct ec_h2_dir *d);

/* Whether DATA (LEN bytes) starts with the whole client connection preface. */
bool ec_h2_is_preface(const uint8_t *data, size_t len);

/*
 * Whether DATA (LEN bytes) is how a server starts HTTP/2: whole frames and nothing else, the
 * first a SETTINGS of stream 0 (a server may send it before it reads the client's preface).
 */
bool ec_h2_is_server_start(const uint8_t *data, size_t len);

/*
 * The next LEN bytes of D's direction, as text appended to OUT. PEER is the other direction of
 * the connection (its HPACK table follows the SETTINGS of this one), or NULL.
 */
void ec_h2_feed(struct ec_h2_dir *d, struct ec_h2_dir *peer, const uint8_t *data, size_t len,
                GString *out);

/*
 * Bytes of D's direction were lost: the next bytes are taken as the start of a frame, and the
 * headers are no longer decoded (the HPACK state is gone).
 */
void ec_h2_lost(struct ec_h2_dir *d);

#endif
