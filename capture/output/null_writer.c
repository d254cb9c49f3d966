// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys only (--keylog without -w): the stream itself gets nothing. */
#include "output/writer.h"

static const struct ec_writer_ops null_ops = {0};

struct ec_writer *ec_null_writer_new(void)
{
	struct ec_writer *w = g_new0(struct ec_writer, 1);

	w->ops = &null_ops;
	w->out.fd = -1;
	return w;
}
