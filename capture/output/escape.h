/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from traced processes (program names, command lines, commands, queries, paths) as it may
 * reach a terminal, a log, a pcapng comment or a record: control characters (C0, DEL, C1 raw
 * or as UTF-8), bidirectional controls and every byte that is not UTF-8 written as \xNN, so a
 * traced process cannot move the cursor, retitle the terminal, reorder a line or forge a log
 * line. Printable text, UTF-8 included, stays as it is. The rule itself is
 * include/ecapture/escape.h, shared with the Wireshark plugin.
 */
#ifndef EC_ESCAPE_H
#define EC_ESCAPE_H

#include <stddef.h>
#include <glib.h>

/* Append LEN bytes of TEXT to OUT, escaped; the characters in KEEP ("\n\t", "") stay raw. */
void ec_escape_append(GString *out, const char *text, size_t len, const char *keep);

/* LEN bytes of TEXT escaped, NUL-terminated (g_free). */
char *ec_escape_dup(const char *text, size_t len, const char *keep);

#endif
