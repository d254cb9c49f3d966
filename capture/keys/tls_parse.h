/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plaintext start of a TLS connection, read from the first TCP payload of each direction:
 * is it TLS, the ClientHello random, the ServerHello's cipher suite and version. The input is
 * untrusted network data: nothing is read outside [p, p + len).
 */
#ifndef EC_TLS_PARSE_H
#define EC_TLS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * P looks like the start of a TLS record: content type 20..23 (change_cipher_spec, alert,
 * handshake, application_data), version 3.0..3.4 and, when the 5-byte header is all there, a
 * length of 1..2^14 + 2048. Needs at least the first 3 bytes.
 */
bool ec_tls_record_start(const uint8_t *p, size_t len);

/*
 * P starts with a handshake record holding a ClientHello: its 32-byte random (the key log
 * index) goes to RANDOM. Needs the first 43 bytes.
 */
bool ec_tls_client_hello_random(const uint8_t *p, size_t len, uint8_t random[32]);

/*
 * P starts with a handshake record holding a ServerHello (or a TLS 1.3 HelloRetryRequest, which
 * has the same form and the same suite as the ServerHello that follows it). Sets CIPHER_SUITE
 * (IANA value) and VERSION: the supported_versions extension's choice when present (0x0304 for
 * TLS 1.3), else legacy_version. False, with nothing set, when the message is malformed, spans
 * more than its first record, or is not all in [P, P + LEN). Either output may be NULL.
 */
bool ec_tls_server_hello(const uint8_t *p, size_t len, uint16_t *cipher_suite, uint16_t *version);

#endif
