// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a connection's plaintext is. There is no port or ALPN to go by, so the first bytes of a
 * stream decide: the HTTP/2 client preface or a server's first SETTINGS frame, an HTTP/1.x
 * request line or status line. Anything else stays data until a record starts like one.
 */
#include "ec_stream.h"

#include <string.h>

#define H2_PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

static const char *const methods[] = {
    "GET",      "HEAD",      "POST",  "PUT",  "DELETE", "CONNECT", "OPTIONS", "TRACE",  "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",   "LOCK",    "UNLOCK",  "REPORT", "SEARCH",
};

bool ec_app_is_h2_preface(tvbuff_t *data)
{
	return tvb_captured_length(data) >= H2_PREFACE_LEN &&
	       tvb_memeql(data, 0, (const guint8 *)H2_PREFACE, H2_PREFACE_LEN) == 0;
}

/* The preface, or a record too short to hold all of it that starts it ("PRI " at least). */
static bool h2_client_start(tvbuff_t *data)
{
	guint len = tvb_captured_length(data);

	if (len < 4)
		return false;
	return tvb_memeql(data, 0, (const guint8 *)H2_PREFACE, MIN(len, H2_PREFACE_LEN)) == 0;
}

/* A server's first frame: SETTINGS (type 4), no flags, stream 0, a whole number of settings. */
static bool h2_server_start(tvbuff_t *data)
{
	guint32 len;

	if (tvb_captured_length(data) < 9)
		return false;
	len = tvb_get_ntoh24(data, 0);
	return tvb_get_guint8(data, 3) == 4 && tvb_get_guint8(data, 4) == 0 &&
	       (tvb_get_ntohl(data, 5) & 0x7fffffffu) == 0 && len % 6 == 0 && len <= 16384;
}

/* "METHOD " with a known method, or "HTTP/1." */
static bool http1_start(tvbuff_t *data)
{
	guint len = tvb_captured_length(data);
	guint8 head[12];

	if (len >= 7 && tvb_memeql(data, 0, (const guint8 *)"HTTP/1.", 7) == 0)
		return true;
	len = MIN(len, sizeof(head));
	tvb_memcpy(data, head, 0, len);
	for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
		size_t n = strlen(methods[i]);

		if (len > n && memcmp(head, methods[i], n) == 0 && head[n] == ' ')
			return true;
	}
	return false;
}

enum ec_app ec_app_detect(tvbuff_t *data)
{
	if (h2_client_start(data) || h2_server_start(data))
		return EC_APP_HTTP2;
	if (http1_start(data))
		return EC_APP_HTTP;
	return EC_APP_NONE;
}
