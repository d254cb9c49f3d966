// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* dup3 */
#include "tls_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cert.h"
#include "report.h"

#define MAX_ROUNDS 64 /* a handshake needs about four */

/* The run whose callbacks are being recorded (the helper is single-threaded). */
static struct run *current;

static const char *const side_names[SIDE_COUNT] = {"client", "server"};

static struct run_side *side_of(const void *ssl)
{
	for (int i = 0; current && i < SIDE_COUNT; i++) {
		if (current->side[i].ssl == ssl)
			return &current->side[i];
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits S[0..LEN) into OUT; -1 unless they are an even count fitting in MAX bytes. */
static int unhex(const char *s, size_t len, uint8_t *out, size_t max)
{
	if (len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "LABEL <client random hex> <secret hex>" */
static void keylog_cb(const void *ssl, const char *line)
{
	struct run_side *s = side_of(ssl);
	struct keylog_line *k;
	const char *sp1, *sp2;

	if (!s || s->nlines >= RUN_MAX_LINES)
		return;
	k = &s->lines[s->nlines];
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp2 || (size_t)(sp1 - line) >= sizeof(k->label) ||
	    unhex(sp1 + 1, (size_t)(sp2 - sp1 - 1), k->random, sizeof(k->random)) < 0 ||
	    (size_t)(sp2 - sp1 - 1) != 2 * RUN_RANDOM_LEN ||
	    unhex(sp2 + 1, strlen(sp2 + 1), k->secret, sizeof(k->secret)) < 0) {
		report_fail("unexpected key log line from the library");
		return;
	}
	memcpy(k->label, line, (size_t)(sp1 - line));
	k->label[sp1 - line] = '\0';
	k->secret_len = strlen(sp2 + 1) / 2;
	s->nlines++;
}

static void keep_message(uint8_t **dst, size_t *dst_len, const void *buf, size_t len)
{
	if (*dst)
		return; /* the first one: a HelloRetryRequest would be a second ServerHello */
	*dst = malloc(len);
	if (!*dst)
		return;
	memcpy(*dst, buf, len);
	*dst_len = len;
}

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   void *ssl, void *arg)
{
	struct run_side *s = side_of(ssl);
	const uint8_t *m = buf;

	(void)write_p, (void)version, (void)arg;
	if (!s || content_type != ABI_SSL3_RT_HANDSHAKE || len < 4)
		return;
	if (m[0] == ABI_SSL3_MT_CLIENT_HELLO)
		keep_message(&s->client_hello, &s->client_hello_len, buf, len);
	else if (m[0] == ABI_SSL3_MT_SERVER_HELLO)
		keep_message(&s->server_hello, &s->server_hello_len, buf, len);
}

static void *new_ctx(const struct ossl *o, const struct run_config *cfg, bool server)
{
	int max = server ? cfg->server_max : cfg->client_max;
	void *ctx = o->SSL_CTX_new(o->TLS_method());

	if (!ctx) {
		report_fail("SSL_CTX_new failed: %s", ossl_errors(o));
		return NULL;
	}
	if (o->SSL_CTX_ctrl(ctx, ABI_SSL_CTRL_SET_MIN_PROTO_VERSION, ABI_TLS1_2_VERSION, NULL) !=
	        1 ||
	    o->SSL_CTX_ctrl(ctx, ABI_SSL_CTRL_SET_MAX_PROTO_VERSION, max, NULL) != 1) {
		report_fail("cannot set the protocol versions: %s", ossl_errors(o));
		goto fail;
	}
	if ((cfg->ciphersuites && o->SSL_CTX_set_ciphersuites(ctx, cfg->ciphersuites) != 1) ||
	    (cfg->cipher_list && o->SSL_CTX_set_cipher_list(ctx, cfg->cipher_list) != 1)) {
		report_fail("cipher %s unavailable: %s",
		            cfg->ciphersuites ? cfg->ciphersuites : cfg->cipher_list,
		            ossl_errors(o));
		goto fail;
	}
	if (server && (o->SSL_CTX_use_certificate_ASN1(ctx, (int)cert_der_len, cert_der) != 1 ||
	               o->SSL_CTX_use_PrivateKey_ASN1(ABI_EVP_PKEY_EC, ctx, key_der,
	                                              (long)key_der_len) != 1 ||
	               o->SSL_CTX_check_private_key(ctx) != 1)) {
		report_fail("cannot load the test certificate: %s", ossl_errors(o));
		goto fail;
	}
	o->SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	o->SSL_CTX_set_msg_callback(ctx, msg_cb);
	return ctx;
fail:
	o->SSL_CTX_free(ctx);
	return NULL;
}

/* dup SRC to the fd number TARGET, which must be free. */
static int place_fd(int src, int target)
{
	if (fcntl(target, F_GETFD) != -1 || errno != EBADF) {
		report_fail("fd %d is already in use", target);
		return -1;
	}
	if (dup3(src, target, O_CLOEXEC) < 0) {
		report_fail("dup3 to fd %d: %s", target, strerror(errno));
		return -1;
	}
	return target;
}

/* Side S on socket FD, with separate BIO objects (and fd numbers) for reading and writing. */
static int setup_side(const struct ossl *o, struct run *r, int k, int fd)
{
	struct run_side *s = &r->side[k];

	s->ssl = o->SSL_new(k == SIDE_CLIENT ? r->client_ctx : r->server_ctx);
	if (!s->ssl) {
		report_fail("SSL_new failed: %s", ossl_errors(o));
		return -1;
	}
	s->rfd = place_fd(fd, r->cfg->fd_base + 2 * k);
	s->wfd = s->rfd < 0 ? -1 : place_fd(fd, r->cfg->fd_base + 2 * k + 1);
	if (s->wfd < 0)
		return -1;
	s->rbio = o->BIO_new_socket(s->rfd, ABI_BIO_NOCLOSE);
	s->wbio = o->BIO_new_socket(s->wfd, ABI_BIO_NOCLOSE);
	if (!s->rbio || !s->wbio) {
		report_fail("BIO_new_socket failed: %s", ossl_errors(o));
		return -1;
	}
	o->SSL_set_bio(s->ssl, s->rbio, s->wbio); /* the SSL owns them from here */
	if (k == SIDE_CLIENT)
		o->SSL_set_connect_state(s->ssl);
	else
		o->SSL_set_accept_state(s->ssl);
	return 0;
}

static int shake(const struct ossl *o, struct run *r)
{
	bool done[SIDE_COUNT] = {false, false};

	for (int round = 0; round < MAX_ROUNDS; round++) {
		for (int k = 0; k < SIDE_COUNT; k++) {
			int ret, e;

			if (done[k])
				continue;
			ret = o->SSL_do_handshake(r->side[k].ssl);
			if (ret == 1) {
				done[k] = true;
				continue;
			}
			e = o->SSL_get_error(r->side[k].ssl, ret);
			if (e != ABI_SSL_ERROR_WANT_READ && e != ABI_SSL_ERROR_WANT_WRITE) {
				report_fail("handshake %s failed on the %s side: %s", r->cfg->name,
				            side_names[k], ossl_errors(o));
				return -1;
			}
		}
		if (done[SIDE_CLIENT] && done[SIDE_SERVER])
			return 0;
	}
	report_fail("handshake %s did not complete", r->cfg->name);
	return -1;
}

int run_handshake(const struct ossl *o, const struct run_config *cfg, struct run *r)
{
	int sv[2], rc = -1;
	int want = cfg->client_max < cfg->server_max ? cfg->client_max : cfg->server_max;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	for (int k = 0; k < SIDE_COUNT; k++)
		r->side[k].rfd = r->side[k].wfd = -1;
	r->client_ctx = new_ctx(o, cfg, false);
	r->server_ctx = r->client_ctx ? new_ctx(o, cfg, true) : NULL;
	if (!r->server_ctx)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		report_fail("socketpair: %s", strerror(errno));
		return -1;
	}
	current = r;
	if (setup_side(o, r, SIDE_CLIENT, sv[0]) == 0 &&
	    setup_side(o, r, SIDE_SERVER, sv[1]) == 0 && shake(o, r) == 0)
		rc = 0;
	current = NULL;
	close(sv[0]);
	close(sv[1]);
	if (rc < 0)
		return -1;
	r->version = o->SSL_version(r->side[SIDE_CLIENT].ssl);
	if (r->version != want || o->SSL_version(r->side[SIDE_SERVER].ssl) != want) {
		report_fail("handshake %s negotiated version 0x%x, not 0x%x", cfg->name, r->version,
		            want);
		return -1;
	}
	return report_reason() ? -1 : 0;
}

void run_free(const struct ossl *o, struct run *r)
{
	for (int k = 0; k < SIDE_COUNT; k++) {
		struct run_side *s = &r->side[k];

		if (s->ssl)
			o->SSL_free(s->ssl);
		if (s->rfd >= 0)
			close(s->rfd);
		if (s->wfd >= 0)
			close(s->wfd);
		free(s->client_hello);
		free(s->server_hello);
	}
	if (r->client_ctx)
		o->SSL_CTX_free(r->client_ctx);
	if (r->server_ctx)
		o->SSL_CTX_free(r->server_ctx);
	memset(r, 0, sizeof(*r));
}

const struct keylog_line *run_line(const struct run_side *s, const char *label)
{
	for (int i = 0; i < s->nlines; i++) {
		if (strcmp(s->lines[i].label, label) == 0)
			return &s->lines[i];
	}
	return NULL;
}
