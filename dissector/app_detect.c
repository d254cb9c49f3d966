// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a connection's plaintext is. There is no ALPN to go by, so the first bytes of a stream
 * decide first: the HTTP/2 client preface or a server's first SETTINGS frame, an HTTP/1.x
 * request line or status line. Then the ports, when the record named them: a port that the
 * tcp.port table gives to PostgreSQL, MySQL or RESP (Redis) (their default ports, the user's
 * protocol preferences, "Decode As"). Then a database client's first message, which is
 * distinctive enough: PostgreSQL's StartupMessage, MySQL's login request, a RESP command.
 * Anything else stays data until a record starts like one.
 */
#include "ec_stream.h"
#include "ecapture/record.h"

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
	return tvb_get_uint8(data, 3) == 4 && tvb_get_uint8(data, 4) == 0 &&
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

/* StartupMessage: length, protocol 3.x, then parameters. */
static bool pgsql_startup(tvbuff_t *data)
{
	guint len = tvb_captured_length(data);
	guint32 msg_len;

	if (len < 8)
		return false;
	msg_len = tvb_get_ntohl(data, 0);
	return msg_len >= 8 && msg_len <= 10000 && tvb_get_ntohs(data, 4) == 3;
}

/*
 * A login request (HandshakeResponse41): a packet header (3-byte length, sequence 1, or 2
 * after an SSL request), capabilities with CLIENT_PROTOCOL_41, then, after the maximum packet
 * size and the character set, 23 bytes of filler: zero, but for MariaDB's extended
 * capabilities in the last 4.
 */
static bool mysql_login(tvbuff_t *data)
{
	guint len = tvb_captured_length(data);
	guint8 seq;

	if (len < 36 || tvb_get_letoh24(data, 0) < 32)
		return false;
	seq = tvb_get_uint8(data, 3);
	if ((seq != 1 && seq != 2) || !(tvb_get_letohl(data, 4) & 0x200u))
		return false;
	for (guint i = 13; i < 32; i++) {
		if (tvb_get_uint8(data, i) != 0)
			return false;
	}
	return true;
}

/* A command as an array of bulk strings: "*N\r\n$". */
static bool resp_command(tvbuff_t *data)
{
	guint len = tvb_captured_length(data), i = 1;

	if (len < 5 || tvb_get_uint8(data, 0) != '*')
		return false;
	while (i < len && i < 8 && g_ascii_isdigit(tvb_get_uint8(data, i)))
		i++;
	return i > 1 && i + 2 < len && tvb_get_uint8(data, i) == '\r' &&
	       tvb_get_uint8(data, i + 1) == '\n' && tvb_get_uint8(data, i + 2) == '$';
}

/*
 * The protocols handed plaintext by port: their dissectors' names, and the TCP port they
 * register by default, through which a dissector registered without a name (RESP in
 * Wireshark 4.0) is found.
 */
static const struct {
	const char *name;
	guint32 port;
} port_protos[EC_APP_COUNT] = {
    [EC_APP_PGSQL] = {"pgsql", 5432},
    [EC_APP_MYSQL] = {"mysql", 3306},
    [EC_APP_RESP] = {"resp", 6379},
};

static dissector_table_t tcp_port_table;
static dissector_handle_t handles[EC_APP_COUNT];

static enum ec_app by_port(guint32 port)
{
	dissector_handle_t h = port ? dissector_get_uint_handle(tcp_port_table, port) : NULL;

	for (int a = 0; h && a < EC_APP_COUNT; a++) {
		if (port_protos[a].name && handles[a] &&
		    dissector_handle_get_protocol_index(h) ==
		        dissector_handle_get_protocol_index(handles[a]))
			return (enum ec_app)a;
	}
	return EC_APP_NONE;
}

struct ec_app_guess ec_app_detect(tvbuff_t *data, const struct ec_rec_conn *c, uint8_t dir)
{
	struct ec_app_guess g = {EC_APP_NONE, false};
	bool received = dir == EC_RECORD_DIR_RECEIVED;

	if (h2_client_start(data) || h2_server_start(data)) {
		g.app = EC_APP_HTTP2;
	} else if (http1_start(data)) {
		g.app = EC_APP_HTTP;
	} else if (c->has_tuple && (g.app = by_port(c->remote_port)) != EC_APP_NONE) {
		g.serves = false;
	} else if (c->has_tuple && (g.app = by_port(c->local_port)) != EC_APP_NONE) {
		g.serves = true;
	} else if (c->dir[dir].seq == 0) {
		/* A client's first message: whoever sent it is the client. */
		if (pgsql_startup(data))
			g.app = EC_APP_PGSQL;
		else if (mysql_login(data))
			g.app = EC_APP_MYSQL;
		else if (resp_command(data))
			g.app = EC_APP_RESP;
		g.serves = received;
	}
	return g;
}

dissector_handle_t ec_app_handle(enum ec_app app)
{
	return app > EC_APP_NONE && app < EC_APP_COUNT ? handles[app] : NULL;
}

void ec_app_handoff(void)
{
	tcp_port_table = find_dissector_table("tcp.port");
	handles[EC_APP_HTTP] = find_dissector_add_dependency("http-over-tls", proto_ecapture);
	handles[EC_APP_HTTP2] = find_dissector_add_dependency("http2", proto_ecapture);
	for (int a = 0; a < EC_APP_COUNT; a++) {
		if (!port_protos[a].name)
			continue;
		handles[a] = find_dissector_add_dependency(port_protos[a].name, proto_ecapture);
		if (!handles[a])
			handles[a] =
			    dissector_get_default_uint_handle("tcp.port", port_protos[a].port);
	}
}
