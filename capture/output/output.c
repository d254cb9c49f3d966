// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private_file.h"
#include "user_rights.h"

static void init(struct ec_output *o, int fd, bool owns)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->owns_fd = owns;
	o->is_pipe = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
	o->buf = g_byte_array_sized_new(1 << 20);
	o->stop_fd = -1;
	o->saved_fl = -1;
	/* A reader that stalls must not stall us: see ec_output_flush. */
	if (o->is_pipe) {
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
			g_warning("cannot make the output pipe non-blocking: %s",
			          g_strerror(errno));
		else if (!(fl & O_NONBLOCK))
			o->saved_fl = fl;
	}
}

/*
 * Wait until O's pipe has room (or an error to report: its reader went), or a stop is asked for.
 * True if the stop came first.
 */
static bool wait_writable(struct ec_output *o)
{
	struct pollfd p[2] = {{.fd = o->fd, .events = POLLOUT},
	                      {.fd = o->stop_fd, .events = POLLIN}};

	for (;;) {
		int timeout = -1, n;

		if (o->stop_ns) {
			struct timespec ts;
			uint64_t now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			if (now >= o->stop_ns)
				return true;
			timeout = (int)((o->stop_ns - now + 999999) / 1000000);
		}
		n = poll(p, 2, timeout);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_warning("poll on the output: %s", g_strerror(errno));
			return true;
		}
		if (p[1].revents)
			return true;
		if (p[0].revents)
			return false;
	}
}

void ec_output_init_fd(struct ec_output *o, int fd)
{
	init(o, fd, false);
}

int ec_output_open(struct ec_output *o, const char *path, GError **err)
{
	struct stat st;
	bool created = false;
	int fd;

	if (strcmp(path, "-") == 0) {
		init(o, STDOUT_FILENO, false);
		return 0;
	}
	/* A FIFO or a file: either way, only where the user may write themselves. */
	if (ec_user_may_create("output file", path, err))
		return -1;
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
		fd = open(path,
		          O_WRONLY | O_CLOEXEC); /* waits for the reader, as Wireshark expects */
		if (fd < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "cannot open %s: %s", path, g_strerror(errno));
			return -1;
		}
	} else {
		/* It holds every key of the capture. */
		fd = ec_private_file_open("output file", path, EC_PRIVATE_KEEP, &created, err);
		if (fd < 0)
			return -1;
	}
	init(o, fd, true);
	o->pending = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (created)
		o->created = g_strdup(path);
	return 0;
}

int ec_output_commit(struct ec_output *o, GError **err)
{
	if (!o->pending)
		return 0;
	if (fchmod(o->fd, 0600) < 0)
		g_warning("cannot make the output file readable by its owner only: %s",
		          g_strerror(errno));
	if (ftruncate(o->fd, 0) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot truncate the output file: %s", g_strerror(errno));
		return -1;
	}
	o->pending = false;
	g_clear_pointer(&o->created, g_free);
	return 0;
}

int ec_output_flush(struct ec_output *o)
{
	size_t off = 0;

	if (!o->buf || o->pending)
		return 0;
	if (o->broken) {
		g_byte_array_set_size(o->buf, 0);
		return -o->error;
	}
	while (off < o->buf->len && !o->torn) {
		ssize_t n = write(o->fd, o->buf->data + off, o->buf->len - off);

		if (n >= 0) {
			off += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if (!o->stopping && !wait_writable(o))
				continue;
			/* Stopping: the rest is given up; a batch cut part-way ends the stream. */
			o->stopping = true;
			o->torn = off > 0;
			break;
		}
		o->broken = true;
		o->error = errno;
		g_byte_array_set_size(o->buf, 0);
		return -o->error;
	}
	o->written += off;
	o->dropped += o->buf->len - off;
	g_byte_array_set_size(o->buf, 0);
	return 0;
}

void ec_output_close(struct ec_output *o)
{
	/* Only an output that was opened (init) has flags to give back. */
	if (o->buf && o->fd >= 0 && o->saved_fl >= 0 && fcntl(o->fd, F_SETFL, o->saved_fl) < 0)
		g_warning("cannot make the output pipe blocking again: %s", g_strerror(errno));
	if (o->buf)
		g_byte_array_unref(o->buf);
	o->buf = NULL;
	if (o->owns_fd && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	/* Never committed: the capture did not start, so the file we made goes too. */
	ec_private_file_discard(&o->created);
}
