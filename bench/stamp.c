// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader end of the latency benchmark: reads a capture tool's output from stdin and, as
 * soon as a line (lines) or a whole pcapng block (pcapng) has arrived, prints the wall-clock
 * time of its arrival and every marker it holds: "SEC.NSEC MARKER" per marker, flushed at once.
 * A marker is PREFIX followed by letters, digits and '-'.
 *
 *   stamp lines|pcapng PREFIX
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHB_TYPE      0x0A0D0D0Au
#define BYTE_ORDER_LE 0x1A2B3C4Du
#define MIN_BLOCK     12u

struct input {
	unsigned char *buf;
	size_t len, cap;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "stamp: %s: %s\n", what, why);
	exit(1);
}

static bool marker_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-';
}

/* Print every marker in P[0..N) with the arrival time T. */
static void print_markers(const unsigned char *p, size_t n, const char *prefix,
                          const struct timespec *t)
{
	size_t plen = strlen(prefix);
	const unsigned char *end = p + n;

	while (p < end) {
		const unsigned char *m = memmem(p, (size_t)(end - p), prefix, plen);
		const unsigned char *q;

		if (!m)
			break;
		for (q = m + plen; q < end && marker_char(*q); q++)
			;
		printf("%lld.%09ld %.*s\n", (long long)t->tv_sec, t->tv_nsec, (int)(q - m), m);
		p = q;
	}
}

/* Length of the complete line at the start of P[0..N), newline included; 0 if none yet. */
static size_t next_line(const unsigned char *p, size_t n, bool *swap)
{
	const unsigned char *nl = memchr(p, '\n', n);

	(void)swap;
	return nl ? (size_t)(nl - p) + 1 : 0;
}

static uint32_t u32_at(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

/* Length of the complete pcapng block at the start of P[0..N); 0 if it has not all arrived. */
static size_t next_block(const unsigned char *p, size_t n, bool *swap)
{
	uint32_t len;

	if (n < MIN_BLOCK)
		return 0;
	if (u32_at(p, false) == SHB_TYPE) /* a section header says the byte order */
		*swap = u32_at(p + 8, false) != BYTE_ORDER_LE;
	len = u32_at(p + 4, *swap);
	if (len < MIN_BLOCK || len % 4)
		die("stdin", "not a pcapng stream (bad block length)");
	return len <= n ? len : 0;
}

int main(int argc, char **argv)
{
	size_t (*next)(const unsigned char *, size_t, bool *);
	struct input in = {.cap = 1 << 20};
	bool swap = false;

	if (argc != 3 || !argv[2][0])
		die("usage", "stamp lines|pcapng PREFIX");
	if (!strcmp(argv[1], "lines"))
		next = next_line;
	else if (!strcmp(argv[1], "pcapng"))
		next = next_block;
	else
		die("usage", "stamp lines|pcapng PREFIX");
	in.buf = malloc(in.cap);
	if (!in.buf)
		die("buffer", strerror(errno));
	for (;;) {
		struct timespec now;
		size_t off = 0, unit;
		ssize_t r;

		if (in.len == in.cap) { /* a block larger than the buffer: grow it */
			unsigned char *b = realloc(in.buf, in.cap * 2);

			if (!b)
				die("buffer", strerror(errno));
			in.buf = b;
			in.cap *= 2;
		}
		r = read(STDIN_FILENO, in.buf + in.len, in.cap - in.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("stdin", strerror(errno));
		if (r == 0)
			break;
		clock_gettime(CLOCK_REALTIME, &now);
		in.len += (size_t)r;
		while ((unit = next(in.buf + off, in.len - off, &swap)) > 0) {
			print_markers(in.buf + off, unit, argv[2], &now);
			off += unit;
		}
		memmove(in.buf, in.buf + off, in.len - off);
		in.len -= off;
		fflush(stdout);
	}
	free(in.buf);
	return 0;
}
