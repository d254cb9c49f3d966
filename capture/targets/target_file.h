/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file to trace (a TLS library, a program), as every finder of this stage reports it, and the
 * one rule for a file that turns out unusable. Uprobes attach to an inode, so a list holds one
 * entry per (device, inode), whatever the paths it was found under.
 */
#ifndef EC_TARGET_FILE_H
#define EC_TARGET_FILE_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

struct ec_target_file {
	char *path; /* a path through which this process can open the file */
	dev_t dev;
	ino_t ino;
	bool requested;  /* named by the user: failures are errors, not warnings */
	guint n_procs;   /* running processes that map or run it (when found that way) */
	pid_t first_pid; /* one of them */
	/*
	 * "/proc/PID/root" of a process that maps it whose root is not ours (a chroot, a
	 * container): where the file's own loader and libraries are; NULL if found in our root.
	 */
	char *root;
};

void ec_target_file_free(gpointer f);

struct stat;

/* The entry of LIST (struct ec_target_file *) for the file ST describes; NULL if it has none. */
struct ec_target_file *ec_target_list_find(GPtrArray *list, const struct stat *st);

/* That entry, added to LIST under PATH if it was not there yet. */
struct ec_target_file *ec_target_list_add(GPtrArray *list, const char *path, const struct stat *st);

/*
 * PATH, named by the user, added to LIST as requested (it must be readable by the user). It must be
 * a regular file: else -1 with ERR set, its message starting with WHAT ("TLS library", "program",
 * "bash") and PATH.
 */
int ec_target_list_add_named(GPtrArray *list, const char *what, const char *path, GError **err);

/*
 * FILE cannot be traced (*WHY says why). A file the user named is an error: moved to ERR,
 * returns -1. A file that was found is left out with a warning: returns 0.
 */
int ec_target_unusable(const struct ec_target_file *file, GError **why, GError **err);

#endif
