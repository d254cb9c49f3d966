/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fields of struct ec_ssl_layout in declaration order, as an X-macro X(name, required):
 * the calibration helper prints them as "name=offset" lines and the engine parses the same
 * names back. Required fields are those the keys cannot do without (TLS 1.2: client_random,
 * session, session_master_key; TLS 1.3: version and the five secret/hash fields); a build
 * where one of them is not found is not usable. s3 is found only in OpenSSL 1.1.1, whose client
 * random lies behind a pointer.
 */
#ifndef EC_LAYOUT_FIELDS_H
#define EC_LAYOUT_FIELDS_H

#define EC_SSL_LAYOUT_FIELDS(X)                                                                    \
	X(version, 1)                                                                              \
	X(client_random, 1)                                                                        \
	X(session, 1)                                                                              \
	X(session_master_key, 1)                                                                   \
	X(session_cipher, 0)                                                                       \
	X(cipher_id, 0)                                                                            \
	X(handshake_secret, 1)                                                                     \
	X(handshake_traffic_hash, 1)                                                               \
	X(client_app_traffic_secret, 1)                                                            \
	X(server_app_traffic_secret, 1)                                                            \
	X(exporter_master_secret, 1)                                                               \
	X(rbio, 0)                                                                                 \
	X(wbio, 0)                                                                                 \
	X(bio_num, 0)                                                                              \
	X(s3, 0)

#endif
