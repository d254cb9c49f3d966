// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client of the latency benchmark: one keep-alive HTTPS connection to 127.0.0.1:PORT, a
 * few warm-up requests, then COUNT requests INTERVAL_MS apart, each for the path /MARKER with
 * MARKER = PREFIX and a six-digit number. Before each request's SSL_write it prints
 * "SEC.NSEC MARKER" (CLOCK_REALTIME) on stdout; with UDP_PORT it also sends MARKER as one UDP
 * datagram to 127.0.0.1:UDP_PORT at that moment, for a plain packet capture to see.
 *
 *   https_pinger PORT COUNT INTERVAL_MS PREFIX [UDP_PORT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define WARMUP 3

static void die(const char *what)
{
	fprintf(stderr, "https_pinger: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int port_arg(const char *s)
{
	long v = strtol(s, NULL, 10);

	if (v <= 0 || v > 65535)
		die("usage: https_pinger PORT COUNT INTERVAL_MS PREFIX [UDP_PORT] (bad port)");
	return (int)v;
}

/* Read one HTTP/1.1 response (headers and a Content-Length body) and drop it. */
static void read_response(SSL *ssl)
{
	char buf[8192];
	size_t got = 0;
	char *end = NULL;
	long body = 0;

	while (!end) {
		int r;

		if (got >= sizeof(buf) - 1)
			die("response headers too long");
		r = SSL_read(ssl, buf + got, (int)(sizeof(buf) - 1 - got));
		if (r <= 0)
			die("the server closed the connection");
		got += (size_t)r;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	{
		const char *cl = strcasestr(buf, "\r\nContent-Length:");

		if (!cl)
			die("response without Content-Length");
		body = strtol(cl + 17, NULL, 10);
	}
	body -= (long)(got - (size_t)(end + 4 - buf));
	while (body > 0) {
		int r = SSL_read(ssl, buf, body < (long)sizeof(buf) ? (int)body : (int)sizeof(buf));

		if (r <= 0)
			die("the server closed the connection in a body");
		body -= r;
	}
}

static void request(SSL *ssl, const char *marker, int udp, const struct sockaddr_in *to)
{
	char req[256];
	struct timespec t;
	int n = snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nHost: bench\r\n\r\n", marker);

	clock_gettime(CLOCK_REALTIME, &t);
	printf("%lld.%09ld %s\n", (long long)t.tv_sec, t.tv_nsec, marker);
	if (udp >= 0)
		sendto(udp, marker, strlen(marker), 0, (const struct sockaddr *)to, sizeof(*to));
	if (SSL_write(ssl, req, n) != n)
		die("SSL_write failed");
	read_response(ssl);
}

int main(int argc, char **argv)
{
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in udp_to = srv;
	struct timespec gap;
	char marker[128];
	long count, interval_ms;
	int fd, udp = -1, one = 1;
	SSL_CTX *ctx;
	SSL *ssl;

	if (argc != 5 && argc != 6)
		die("usage: https_pinger PORT COUNT INTERVAL_MS PREFIX [UDP_PORT]");
	srv.sin_port = htons((unsigned short)port_arg(argv[1]));
	count = strtol(argv[2], NULL, 10);
	interval_ms = strtol(argv[3], NULL, 10);
	if (count <= 0 || interval_ms < 0 || strlen(argv[4]) > 64)
		die("usage: https_pinger PORT COUNT INTERVAL_MS PREFIX [UDP_PORT]");
	if (argc == 6) {
		udp_to.sin_port = htons((unsigned short)port_arg(argv[5]));
		udp = socket(AF_INET, SOCK_DGRAM, 0);
		if (udp < 0)
			die("cannot open a UDP socket");
	}
	gap.tv_sec = interval_ms / 1000;
	gap.tv_nsec = (interval_ms % 1000) * 1000000L;

	ctx = SSL_CTX_new(TLS_client_method());
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!ctx || fd < 0 || connect(fd, (struct sockaddr *)&srv, sizeof(srv)))
		die("cannot connect to the server");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1)
		die("TLS handshake failed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Warm-up: the connection's first requests wait for its keys in packets mode. */
	for (int i = 0; i < WARMUP; i++) {
		snprintf(marker, sizeof(marker), "warmup-%d", i);
		request(ssl, marker, -1, NULL);
		nanosleep(&gap, NULL);
	}
	for (long i = 0; i < count; i++) {
		snprintf(marker, sizeof(marker), "%s%06ld", argv[4], i);
		request(ssl, marker, udp, &udp_to);
		nanosleep(&gap, NULL);
	}
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	if (udp >= 0)
		close(udp);
	SSL_CTX_free(ctx);
	return 0;
}
