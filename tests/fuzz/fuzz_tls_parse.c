// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS hello parser (keys/tls_parse): the first TCP payload of a connection, network data.
 * libFuzzer hands each input in a buffer of exactly its size, so any read past it is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "keys/tls_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t random[32];
	uint16_t suite = 0xdead, version = 0xbeef;
	bool start = ec_tls_record_start(data, size);

	if (ec_tls_client_hello_random(data, size, random)) {
		/* a ClientHello starts a record, and its random is bytes 11..42 of it */
		if (!start || size < 43 || memcmp(random, data + 11, 32) != 0)
			abort();
	}
	if (ec_tls_server_hello(data, size, &suite, &version)) {
		if (!start)
			abort();
	} else if (suite != 0xdead || version != 0xbeef) {
		abort(); /* nothing set on failure */
	}
	/* either output may be NULL */
	(void)ec_tls_server_hello(data, size, NULL, NULL);
	return 0;
}
