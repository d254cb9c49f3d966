// SPDX-License-Identifier: GPL-2.0-or-later
#include "elevate.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ec_error.h"

#define PRIVILEGED_COPY ECAPTURE_HELPER_DIR "/ecapturedump"

/* Whether this process is the privileged copy (which must not run itself again). */
static bool is_privileged_copy(void)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);

	return self && strcmp(self, PRIVILEGED_COPY) == 0;
}

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "USER";
}

void ec_elevate(char **argv, const GError *why, GError **err)
{
	struct stat st;
	struct group *gr;

	if (is_privileged_copy()) {
		g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION,
		            "%s; this copy has no capabilities: an administrator enables them with "
		            "\"dpkg-reconfigure ecapture-wireshark\"",
		            why->message);
		return;
	}
	if (stat(PRIVILEGED_COPY, &st) < 0) {
		/* Not installed by the package: root is the only way. */
		g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION, "%s", why->message);
		return;
	}
	if (access(PRIVILEGED_COPY, X_OK) == 0) {
		execv(PRIVILEGED_COPY, argv);
		g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION, "cannot run %s: %s",
		            PRIVILEGED_COPY, g_strerror(errno));
		return;
	}
	gr = getgrgid(st.st_gid);
	if (st.st_gid != 0 && gr && strcmp(gr->gr_name, ECAPTURE_GROUP) == 0)
		g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION,
		            "capturing with eCapture needs membership of the group " ECAPTURE_GROUP
		            ": an administrator adds you with \"adduser %s " ECAPTURE_GROUP
		            "\", then log in again",
		            user_name());
	else
		g_set_error(err, EC_ERROR, EC_ERROR_PERMISSION,
		            "capturing with eCapture needs root; capturing as a normal user is not "
		            "enabled: an administrator enables it with \"dpkg-reconfigure "
		            "ecapture-wireshark\" and adds you to the group " ECAPTURE_GROUP);
}
