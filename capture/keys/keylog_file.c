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
	uint64_t lost; /* lines not written (whole or in part) */
	int failing;   /* the errno of the last failed write, 0 once one succeeds */
	bool torn;     /* the file ends inside a line: the next write ends it first */
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

/* The lines in TEXT (LEN bytes), a last one without its newline included. */
static uint64_t count_lines(const char *text, size_t len)
{
	uint64_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len && text[len - 1] != '\n');
}

void ec_keylog_file_flush(struct ec_keylog_file *f)
{
	size_t off = 0;

	if (!f || !f->buf->len)
		return;
	if (f->torn) /* the torn line becomes a line of its own, which readers skip */
		g_string_prepend_c(f->buf, '\n');
	while (off < f->buf->len) {
		ssize_t n = write(f->fd, f->buf->str + off, f->buf->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;
			/* A line written in part is lost too: back to its start. */
			size_t from = off;

			while (from > 0 && f->buf->str[from - 1] != '\n')
				from--;
			f->lost += count_lines(f->buf->str + from, f->buf->len - from) -
			           (f->torn && off == 0); /* the newline prepended: no line */
			f->torn = off > 0 ? from < off : f->torn;
			if (err != f->failing) /* said once, not at every batch */
				g_warning("key log file: %s: its key log lines are lost",
				          g_strerror(err));
			f->failing = err;
			g_string_truncate(f->buf, 0);
			return;
		}
		off += (size_t)n;
	}
	f->failing = 0;
	f->torn = false;
	g_string_truncate(f->buf, 0);
}

uint64_t ec_keylog_file_lost(const struct ec_keylog_file *f)
{
	return f ? f->lost : 0;
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
