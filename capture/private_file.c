// SPDX-License-Identifier: GPL-2.0-or-later
#include "private_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user_rights.h"

static void set_open_error(GError **err, const char *what, const char *path, int e)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open %s %s: %s", what,
	            path, e == ELOOP ? "it is a symbolic link" : g_strerror(e));
}

int ec_private_file_open(const char *what, const char *path, enum ec_private_mode mode,
                         bool *created, GError **err)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (mode == EC_PRIVATE_APPEND ? O_APPEND : 0);
	struct stat st;
	int fd;

	*created = false;
	if (ec_user_may_create(what, path, err))
		return -1;
	fd = open(path, flags | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		*created = true;
		return fd;
	}
	if (errno != EEXIST) {
		set_open_error(err, what, path, errno);
		return -1;
	}
	fd = open(path, flags);
	if (fd < 0) {
		set_open_error(err, what, path, errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		set_open_error(err, what, path, errno);
		close(fd);
		return -1;
	}
	/* Root writes only into its own files: another user's file may be a trap they set. */
	if (geteuid() == 0 && S_ISREG(st.st_mode) && st.st_uid != 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		char uid[16];

		snprintf(uid, sizeof(uid), "%u", (unsigned)st.st_uid);
		g_set_error(
		    err, G_FILE_ERROR, G_FILE_ERROR_PERM,
		    "cannot open %s %s: it belongs to %s %s, and as root ecapturedump writes "
		    "only files root owns (remove it or choose another name)",
		    what, path, pw ? "user" : "uid", pw ? pw->pw_name : uid);
		close(fd);
		return -1;
	}
	/* An older file of ours may be readable by others: it is about to hold keys (KEEP mode
	 * leaves that to its caller, who must not touch the file before it commits to it). */
	if (mode == EC_PRIVATE_APPEND && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
	    fchmod(fd, 0600) < 0)
		g_warning("cannot make %s readable by its owner only: %s", path, g_strerror(errno));
	return fd;
}

void ec_private_file_discard(char **made)
{
	if (*made && unlink(*made) < 0)
		g_warning("cannot remove %s: %s", *made, g_strerror(errno));
	g_clear_pointer(made, g_free);
}
