// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/escape.h"

#include "ecapture/escape.h"

void ec_escape_append(GString *out, const char *text, size_t len, const char *keep)
{
	char unit[EC_ESCAPE_UNIT_MAX];
	size_t i = 0, n;

	while (i < len) {
		size_t start = i;

		/* A run of bytes that stay as they are, appended at once. */
		while (i < len && !ec_escape_next(text + i, len - i, keep, &n))
			i += n;
		if (i > start)
			g_string_append_len(out, text + start, (gssize)(i - start));
		if (i < len) {
			g_string_append_len(out, unit, (gssize)ec_escape_hex(unit, text + i, n));
			i += n;
		}
	}
}

char *ec_escape_dup(const char *text, size_t len, const char *keep)
{
	GString *out = g_string_sized_new(len + 1);

	ec_escape_append(out, text, len, keep);
	return g_string_free(out, FALSE);
}
