/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files a capture writes for its user (-w, --keylog, --log-file): they hold keys or plaintext.
 * Created 0600; never through a symbolic link; as root, never a file another user owns (a
 * file in a shared directory that someone else prepared). Opened with the caller's own rights:
 * ecapturedump's capabilities give no access to files (no DAC override).
 */
#ifndef EC_PRIVATE_FILE_H
#define EC_PRIVATE_FILE_H

#include <stdbool.h>
#include <glib.h>

enum ec_private_mode {
	EC_PRIVATE_APPEND, /* add to what is there */
	EC_PRIVATE_KEEP,   /* write from the start, but truncate only when told (see below) */
};

/*
 * PATH opened for writing: an fd, or -1 with ERR set ("cannot open WHAT PATH: reason").
 * *CREATED says whether this call made the file. In EC_PRIVATE_KEEP mode the old content stays
 * until the caller truncates (ftruncate) and restricts it (fchmod 0600), so a capture that
 * fails to start leaves an existing file as it was.
 */
int ec_private_file_open(const char *what, const char *path, enum ec_private_mode mode,
                         bool *created, GError **err);

/*
 * *MADE: the path of a file ec_private_file_open created, kept (g_strdup) until the capture has
 * started, then cleared. A capture that never started removes it with this (a failure is
 * logged); *MADE is freed and NULL after. NULL *MADE: nothing to do.
 */
void ec_private_file_discard(char **made);

#endif
