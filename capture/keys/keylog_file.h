/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key log file (--keylog): NSS key log lines appended as they come, for tools that read
 * SSLKEYLOGFILE. Lines are gathered and written once per batch of events, like the stream.
 */
#ifndef EC_KEYLOG_FILE_H
#define EC_KEYLOG_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct ec_keylog_file;

/* PATH opened for appending (created 0600); NULL with ERR set if it cannot be. */
struct ec_keylog_file *ec_keylog_file_open(const char *path, GError **err);

/* The capture started: the file stays. Until then, closing F removes a file the open created. */
void ec_keylog_file_commit(struct ec_keylog_file *f);

/* Gather LEN bytes of whole key log lines; F may be NULL (no key log file: nothing done). */
void ec_keylog_file_append(struct ec_keylog_file *f, const char *lines, size_t len);

/*
 * Write out what was gathered. A failed or short write (a full disk) is logged with its reason,
 * and the lines not written whole are dropped and counted (ec_keylog_file_lost).
 */
void ec_keylog_file_flush(struct ec_keylog_file *f);

/* Key log lines lost so far (0 for NULL). */
uint64_t ec_keylog_file_lost(const struct ec_keylog_file *f);

/* Close F (NULL is fine); what was not flushed is dropped. */
void ec_keylog_file_close(struct ec_keylog_file *f);

#endif
