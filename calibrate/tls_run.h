/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One handshake of the library with itself: a client and a server SSL object in this process
 * over a non-blocking socketpair, with the key log and the handshake messages recorded.
 */
#ifndef CAL_TLS_RUN_H
#define CAL_TLS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "ossl.h"

#define RUN_MAX_LINES  16
#define RUN_SECRET_MAX 64
#define RUN_RANDOM_LEN 32

enum { SIDE_CLIENT, SIDE_SERVER, SIDE_COUNT };

struct run_config {
	const char *name;
	int client_max; /* ABI_TLS1_x_VERSION */
	int server_max;
	const char *ciphersuites; /* TLS 1.3 suites, NULL for the default */
	const char *cipher_list;  /* TLS 1.2 ciphers, NULL for the default */
	int fd_base;              /* distinctive fd numbers fd_base .. fd_base + 3 */
};

struct keylog_line {
	char label[40];
	uint8_t random[RUN_RANDOM_LEN];
	uint8_t secret[RUN_SECRET_MAX];
	size_t secret_len;
};

struct run_side {
	void *ssl;
	void *rbio, *wbio;
	int rfd, wfd; /* the fd numbers behind rbio and wbio */
	struct keylog_line lines[RUN_MAX_LINES];
	int nlines;
	uint8_t *client_hello, *server_hello; /* as the message callback saw them */
	size_t client_hello_len, server_hello_len;
};

struct run {
	const struct run_config *cfg;
	void *client_ctx, *server_ctx;
	struct run_side side[SIDE_COUNT];
	int version; /* negotiated, SSL_version() */
};

/* Runs the handshake; the objects stay alive until run_free. 0, or -1 after report_fail(). */
int run_handshake(const struct ossl *o, const struct run_config *cfg, struct run *r);
void run_free(const struct ossl *o, struct run *r);

/* The key log line LABEL of side S, or NULL. */
const struct keylog_line *run_line(const struct run_side *s, const char *label);

#endif
