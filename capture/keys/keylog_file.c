// SPDX-License-Identifier: GPL-2.0-or-later
#include "keys/keylog_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "private_file.h"

struct ec_keylog_file {
	int fd;
	GString *buf;  /* lines not yet written */
	char *created; /* the path of a file this capture made, until it starts */
};

struct ec_keylog_file *ec_keylog_file_open(const char *path, GError **err)
{
	struct ec_keylog_file *f;
	bool created;
	/* It holds every key of the capture. */
	int fd = ec_private_file_open("key log file", path, EC_PRIVATE_APPEND, &created, err);

	if (fd < 0)
		return NULL;
	f = g_new0(struct ec_keylog_file, 1);
	f->fd = fd;
	f->buf = g_string_new(NULL);
	f->created = created ? g_strdup(path) : NULL;
	return f;
}

void ec_keylog_file_commit(struct ec_keylog_file *f)
{
	if (f)
		g_clear_pointer(&f->created, g_free);
}

void ec_keylog_file_append(struct ec_keylog_file *f, const char *lines, size_t len)
{
	if (f)
		g_string_append_len(f->buf, lines, (gssize)len);
}

void ec_keylog_file_flush(struct ec_keylog_file *f)
{
	if (!f || !f->buf->len)
		return;
	if (write(f->fd, f->buf->str, f->buf->len) < 0)
		g_warning("key log file: %s", g_strerror(errno));
	g_string_truncate(f->buf, 0);
}

void ec_keylog_file_close(struct ec_keylog_file *f)
{
	if (!f)
		return;
	close(f->fd);
	/* Never committed: the capture did not start, so the file it made goes too. */
	ec_private_file_discard(&f->created);
	g_string_free(f->buf, TRUE);
	g_free(f);
}
