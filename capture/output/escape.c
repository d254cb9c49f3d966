// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/escape.h"

#include <stdio.h>
#include <string.h>

void ec_escape_append(GString *out, const char *text, size_t len, const char *keep)
{
	size_t i = 0;

	while (i < len) {
		const gchar *p = text + i;
		gunichar c = g_utf8_get_char_validated(p, (gssize)(len - i));
		size_t n = c < 0x80 ? 1 : (size_t)(g_utf8_next_char(p) - p);

		if (c == (gunichar)-1 || c == (gunichar)-2 ||
		    (c < 0x20 && (c == 0 || !strchr(keep, (int)c))) || (c >= 0x7f && c <= 0x9f)) {
			/* One byte at a time: an invalid sequence may hide a valid start after it.
			 */
			n = (c >= 0x80 && c <= 0x9f) ? n : 1;
			for (size_t k = 0; k < n; k++)
				g_string_append_printf(out, "\\x%02x", (unsigned char)text[i + k]);
		} else {
			g_string_append_len(out, p, (gssize)n);
		}
		i += n;
	}
}
