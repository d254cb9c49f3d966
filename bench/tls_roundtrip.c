// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS round trips over TCP loopback, timed: a server thread echoes what a client writes, both
 * through OpenSSL (so every round is one SSL_write + one SSL_read on each side, and real packets
 * cross lo). Prints the mean microseconds per round. Used by bench/run.sh with and without
 * captures, and with the empty probes of uprobe_floor.
 *
 * usage: tls_roundtrip ROUNDS BYTES
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct server {
	int listen_fd;
	SSL_CTX *ctx;
	long rounds;
	size_t bytes;
};

static void die(const char *what)
{
	fprintf(stderr, "tls_roundtrip: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* A throwaway self-signed certificate for the server. */
static void self_sign(SSL_CTX *ctx)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();

	if (!key || !cert)
		die("key generation failed");
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
	                           (const unsigned char *)"bench", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	if (!X509_sign(cert, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		die("certificate setup failed");
	X509_free(cert);
	EVP_PKEY_free(key);
}

static int read_full(SSL *ssl, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		int r = SSL_read(ssl, buf + got, (int)(n - got));

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	SSL *ssl = SSL_new(s->ctx);
	char *buf = malloc(s->bytes);
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		die("server handshake failed");
	for (long i = 0; i < s->rounds; i++)
		if (read_full(ssl, buf, s->bytes) || SSL_write(ssl, buf, (int)s->bytes) <= 0)
			die("server I/O failed");
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct server s = {0};
	struct sockaddr_in addr = {.sin_family = AF_INET,
	                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(addr);
	SSL_CTX *cctx;
	pthread_t th;
	SSL *ssl;
	char *buf;
	int fd, one = 1;
	struct timespec t0, t1;
	double us;

	if (argc != 3 || (s.rounds = atol(argv[1])) <= 0 || (s.bytes = atol(argv[2])) == 0)
		die("usage: tls_roundtrip ROUNDS BYTES");
	s.ctx = SSL_CTX_new(TLS_server_method());
	cctx = SSL_CTX_new(TLS_client_method());
	if (!s.ctx || !cctx)
		die("SSL_CTX_new failed");
	self_sign(s.ctx);
	s.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(s.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(s.listen_fd, 1) ||
	    getsockname(s.listen_fd, (struct sockaddr *)&addr, &alen))
		die("listen failed");
	pthread_create(&th, NULL, serve, &s);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect failed");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ssl = SSL_new(cctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		die("client handshake failed");
	buf = malloc(s.bytes);
	memset(buf, 'x', s.bytes);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < s.rounds; i++)
		if (SSL_write(ssl, buf, (int)s.bytes) <= 0 || read_full(ssl, buf, s.bytes))
			die("client I/O failed");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);

	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / s.rounds;
	printf("%.2f\n", us);
	SSL_free(ssl);
	close(fd);
	free(buf);
	SSL_CTX_free(cctx);
	SSL_CTX_free(s.ctx);
	return 0;
}
