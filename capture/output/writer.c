// SPDX-License-Identifier: GPL-2.0-or-later
/* What every writer shares: choosing one, its output, and freeing it. */
#include "output/writer.h"

#include <errno.h>
#include <unistd.h>

#include "ec_error.h"
#include "output/pcapng.h"

struct ec_writer *ec_writer_new(const struct ec_capture_opts *o)
{
	switch (o->output_kind) {
	case EC_OUT_PCAPNG:
		return ec_pcapng_writer_new();
	case EC_OUT_TEXT:
		return ec_text_writer_new(o->text_group);
	case EC_OUT_NONE:
		break;
	}
	return ec_null_writer_new();
}

int ec_writer_open(struct ec_writer *w, const char *path, GError **err)
{
	return ec_output_open(&w->out, path, err);
}

void ec_writer_use_fd(struct ec_writer *w, int fd)
{
	ec_output_init_fd(&w->out, fd);
}

int ec_writer_commit(struct ec_writer *w, GError **err)
{
	return ec_output_commit(&w->out, err);
}

int ec_writer_flush(struct ec_writer *w)
{
	return ec_output_flush(&w->out);
}

void ec_writer_free(struct ec_writer *w)
{
	if (!w)
		return;
	ec_output_close(&w->out);
	if (w->ops->free)
		w->ops->free(w);
	g_free(w);
}

int ec_writer_empty_pcapng(int fd, GError **err)
{
	g_autoptr(GByteArray) shb = g_byte_array_new();
	ssize_t n;

	ec_pcapng_shb(shb, NULL, NULL, "ecapturedump " ECAPTURE_VERSION);
	n = write(fd, shb->data, shb->len);
	if (n != (ssize_t)shb->len) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot write the pcapng header: %s",
		            n < 0 ? g_strerror(errno) : "short write");
		return -1;
	}
	return 0;
}
