/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A row of --list-targets: a file a capture would trace, or would skip and why. The modules
 * make them (their list), the engine gathers them (ec_capture_list_targets, engine.h) and a
 * front end prints them; so the type sits here, below all three.
 */
#ifndef EC_TARGET_ROW_H
#define EC_TARGET_ROW_H

#include <sys/types.h>
#include <glib.h>

struct ec_target_row {
	char *module; /* "OpenSSL", "Go", "bash" */
	char *path;   /* as this process opens it (/proc/PID/root/... in another mount namespace) */
	char *version; /* what the file says it is; NULL when unknown */
	char *keys;    /* where the keys come from ("layout calibrated"); NULL: not a TLS target */
	guint n_procs; /* running processes that map or run it (0: found on disk or named) */
	pid_t first_pid; /* one of them */
	char *skipped;   /* NULL: it would be traced; else why not */
};

/* A row for MODULE's file PATH (SKIPPED: why it would not be traced; NULL: it would be). */
struct ec_target_row *ec_target_row_new(const char *module, const char *path, guint n_procs,
                                        pid_t first_pid, const char *skipped);
void ec_target_row_free(gpointer row);

#endif
