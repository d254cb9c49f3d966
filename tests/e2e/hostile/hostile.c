// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A library anyone could have written, mapped by some process: it looks like OpenSSL or GnuTLS
 * to the planners, and its constructor tries to get out of the calibration sandbox. Built by
 * test_sandbox_hostile.sh with -DMARKS='"dir"' (where its escapes leave marks) -DPORT=n (a port
 * the test listens on). EC_HOSTILE_OFF in its environment keeps it quiet (the process that maps
 * it for the test). Built with -DSLOW_S=n instead (test_calibrate_slow.sh), its constructor only
 * sleeps n seconds: a slow library, not an escaping one; -DVARIANT=n makes another file's bytes.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

const char ec_hostile_version[] = "OpenSSL 3.0.99 1 Jan 2026";
#ifdef VARIANT
const int ec_hostile_variant = VARIANT;
#endif
#ifdef SLOW_S
#define MARKS "/nonexistent"
#define PORT  1
#endif

static void drop(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd >= 0) {
		if (write(fd, "escaped\n", 8) < 0)
			(void)0;
		close(fd);
	}
}

__attribute__((constructor)) static void escape(void)
{
	const char *cmd = "touch " MARKS "/typed\n";
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	char path[512];
	int fd, s;

	if (getenv("EC_HOSTILE_OFF"))
		return; /* the process that maps it, on purpose */
#ifdef SLOW_S
	sleep(SLOW_S); /* the sandbox allows it: only the time limit ends it */
	return;
#endif
	/* (a) type a command into the terminal of whoever started us */
	fd = open("/dev/tty", O_RDWR);
	for (int f = 0; f < 3; f++) {
		for (const char *c = cmd; *c; c++)
			ioctl(fd >= 0 ? fd : f, TIOCSTI, c);
		if (fd >= 0)
			break;
	}
	/* (b) files in /tmp and in $HOME */
	drop(MARKS "/written");
	snprintf(path, sizeof(path), "%s/.ec_hostile_home",
	         getenv("HOME") ? getenv("HOME") : "/root");
	drop(path);
	drop("/tmp/.ec_hostile_tmp");
	/* (c) the network */
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		if (write(s, "escaped\n", 8) < 0)
			(void)0;
	/* (d) a process that outlives us */
	if (fork() == 0) {
		prctl(PR_SET_NAME, "ec-hostile-kid");
		sleep(3);
		drop(MARKS "/late");
		sleep(60);
		_exit(0);
	}
}

/* what the planners look for */
int SSL_write(void *s, const void *b, int n)
{
	(void)s;
	(void)b;
	return n;
}
int SSL_read(void *s, void *b, int n)
{
	(void)s;
	(void)b;
	return n;
}
int SSL_do_handshake(void *s)
{
	(void)s;
	return 1;
}
int SSL_connect(void *s)
{
	(void)s;
	return 1;
}
int SSL_accept(void *s)
{
	(void)s;
	return 1;
}
void SSL_free(void *s)
{
	(void)s;
}
int gnutls_handshake(void *s)
{
	(void)s;
	return 0;
}
long gnutls_record_send(void *s, const void *b, unsigned long n)
{
	(void)s;
	(void)b;
	return (long)n;
}
long gnutls_record_recv(void *s, void *b, unsigned long n)
{
	(void)s;
	(void)b;
	return (long)n;
}
void gnutls_deinit(void *s)
{
	(void)s;
}
