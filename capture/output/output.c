// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
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
		return -EPIPE;
	}
	while (off < o->buf->len) {
		ssize_t n = write(o->fd, o->buf->data + off, o->buf->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->broken = true;
			g_byte_array_set_size(o->buf, 0);
			return -errno;
		}
		off += n;
	}
	o->written += off;
	g_byte_array_set_size(o->buf, 0);
	return 0;
}

void ec_output_close(struct ec_output *o)
{
	if (o->buf)
		g_byte_array_unref(o->buf);
	o->buf = NULL;
	if (o->owns_fd && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	/* Never committed: the capture did not start, so the file we made goes too. */
	ec_private_file_discard(&o->created);
}
