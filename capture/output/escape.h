/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from traced processes (program names, command lines, commands, queries, paths) as it may
 * reach a terminal or a log: every control character (C0, DEL, C1) and every byte that is not
 * UTF-8 written as \xNN, so a traced process cannot move the cursor, retitle the terminal or
 * forge a log line. Printable text, UTF-8 included, stays as it is.
 */
#ifndef EC_ESCAPE_H
#define EC_ESCAPE_H

#include <stddef.h>
#include <glib.h>

/* Append LEN bytes of TEXT to OUT, escaped; the characters in KEEP ("\n\t", "") stay raw. */
void ec_escape_append(GString *out, const char *text, size_t len, const char *keep);

#endif
