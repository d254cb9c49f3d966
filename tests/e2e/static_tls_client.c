// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program with OpenSSL linked into its executable (built by test_tls_static.sh against
 * libssl.a with its symbols exported, as node's own build does): on SIGUSR1 it makes one HTTPS
 * request to 127.0.0.1:PORT for PATH, prints PATH once answered, and keeps the connection open
 * until killed.
 * usage: static_tls_client PORT PATH
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/ssl.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char req[512], buf[4096];
	sigset_t set;
	SSL_CTX *ctx;
	SSL *ssl;
	int sig, fd, n;

	if (argc != 3)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready\n");
	fflush(stdout);
	if (sigwait(&set, &sig) != 0)
		return 1;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 1;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1) {
		fprintf(stderr, "error: TLS handshake failed\n");
		return 1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", argv[2]);
	if (SSL_write(ssl, req, (int)strlen(req)) <= 0 || (n = SSL_read(ssl, buf, sizeof(buf))) <= 0) {
		fprintf(stderr, "error: no answer\n");
		return 1;
	}
	printf("%s\n", argv[2]);
	fflush(stdout);
	pause();
	return 0;
}
