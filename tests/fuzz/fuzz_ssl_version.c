// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OpenSSL version detection (targets/ssl_version): the version text parser, and the whole
 * detection over a libssl file and the libcrypto next to it. An input is the libssl's bytes,
 * optionally followed by FUZZ_SEPARATOR and the libcrypto's (else the libcrypto is an empty
 * file); its first line is also parsed as a version text.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "targets/ssl_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

static void parse_text(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	g_autofree gchar *text = g_strndup((const char *)data, nl ? (size_t)(nl - data) : size);
	struct ec_openssl_version v = {0};

	if (!ec_openssl_version_parse(text, &v))
		return;
	if (v.major < 0 || v.minor < 0 || v.patch < 0 || strlen(v.letter) > 2 ||
	    !g_str_has_prefix(text, "OpenSSL "))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ssl, *crypto;
	size_t ssl_len, crypto_len;
	g_autofree gchar *path = NULL;
	struct ec_openssl_version v;
	GError *err = NULL;

	parse_text(data, size);
	fuzz_split(data, size, &ssl, &ssl_len, &crypto, &crypto_len);
	path = fuzz_write_file("libssl.so.3", ssl, ssl_len);
	/*
	 * Always a sibling, empty when the input has no second part: the search must not go on to
	 * this machine's own libcrypto, which is not fuzzed data and takes a thousand times longer.
	 */
	g_free(fuzz_write_file("libcrypto.so.3", crypto, crypto_len));
	if (ec_openssl_version_detect(path, &v, &err) < 0) {
		if (!err)
			abort();
		g_error_free(err);
		return 0;
	}
	if (!v.text || !v.libcrypto_path || v.major < 0)
		abort();
	ec_openssl_version_clear(&v);
	return 0;
}
