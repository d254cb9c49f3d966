// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	int fd;

	if (strcmp(path, "-") == 0) {
		init(o, STDOUT_FILENO, false);
		return 0;
	}
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		fd = open(path,
		          O_WRONLY | O_CLOEXEC); /* waits for the reader, as Wireshark expects */
	else
		/* It holds every key of the capture: for its owner only, and never through a
		 * symlink someone planted. */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot open %s: %s",
		            path, errno == ELOOP ? "it is a symbolic link" : g_strerror(errno));
		return -1;
	}
	init(o, fd, true);
	return 0;
}

int ec_output_flush(struct ec_output *o)
{
	size_t off = 0;

	if (!o->buf)
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
}
