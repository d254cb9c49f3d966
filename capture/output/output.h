/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a writer's stream goes: a file, stdout, or Wireshark's FIFO. Output is formatted into
 * buf and written with one write() per batch of events; a reader that went away shows as EPIPE.
 * A FIFO or pipe is written without blocking: while its reader does not read, the flush waits in
 * poll() for room, for stop_fd to become readable (a stop request: a signal) or for stop_ns (the
 * capture's end); then, and from
 * then on, what cannot be written at once is given up and counted (dropped).
 */
#ifndef EC_OUTPUT_H
#define EC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ec_output {
	int fd;
	bool owns_fd;
	bool is_pipe;     /* FIFO or pipe: watch for the reader going away */
	bool broken;      /* a write failed; nothing more is written */
	int error;        /* ... its errno */
	bool pending;     /* a regular file not yet committed: held in buf, old content kept */
	bool stopping;    /* a stop was asked for: never wait for the reader */
	bool torn;        /* a batch was given up part-way: the stream ends there */
	int stop_fd;      /* readable: stop waiting for the reader (-1: none) */
	uint64_t stop_ns; /* CLOCK_MONOTONIC: stop waiting then too (0: never; --duration) */
	int saved_fl;     /* the fd's flags before we made it non-blocking (-1: unchanged) */
	uint64_t dropped; /* bytes given up: the reader did not read them before the stop */
	char *created;    /* the path of a file we created, removed if never committed */
	GByteArray *buf;  /* formatted, not yet written */
	uint64_t written;
};

/*
 * PATH: "-" for stdout, an existing FIFO (opened for writing), or a file (see private_file.h).
 * A regular file is written only once committed: until then its old content stays and what is
 * flushed waits in buf, so a capture that fails to start leaves an existing file untouched
 * (and removes a file it created).
 */
int ec_output_open(struct ec_output *o, const char *path, GError **err);

/* The capture started: truncate the file and write from now on. 0, or -1 with ERR set. */
int ec_output_commit(struct ec_output *o, GError **err);

/* Use an fd that is already open (not closed by ec_output_close). */
void ec_output_init_fd(struct ec_output *o, int fd);

/*
 * buf is written out at the latest when it holds this much, even in the middle of a drain: the
 * output's memory stays bounded whatever a drain or a release of held packets formats.
 */
#define EC_OUTPUT_BATCH_MAX (4u << 20)

/*
 * Write out buf. 0 (what was given up is counted in dropped), or -errno (-EPIPE: the reader
 * closed its end); once failed, the same.
 */
int ec_output_flush(struct ec_output *o);

void ec_output_close(struct ec_output *o);

#endif
