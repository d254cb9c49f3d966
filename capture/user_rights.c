// SPDX-License-Identifier: GPL-2.0-or-later
#include "user_rights.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

static void set_error(GError **err, const char *what, const char *path, int e)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
	            "cannot open %s %s: %s (a path you name is opened with your own rights)", what,
	            path, g_strerror(e));
}

int ec_user_may_access(const char *what, const char *path, int mode, GError **err)
{
	/* access() checks with the real user and, for anyone but root, without capabilities. */
	if (access(path, mode) == 0)
		return 0;
	set_error(err, what, path, errno);
	return -1;
}

int ec_user_may_create(const char *what, const char *path, GError **err)
{
	g_autofree char *dir = NULL;

	if (access(path, W_OK) == 0)
		return 0;
	if (errno == ENOENT) {
		dir = g_path_get_dirname(path);
		if (access(dir, W_OK | X_OK) == 0)
			return 0;
	}
	set_error(err, what, path, errno);
	return -1;
}

const char *ec_env_get(const char *name)
{
	static GHashTable *told; /* names whose ignoring was logged */
	const char *v = g_getenv(name);

	if (!v || getauxval(AT_SECURE) == 0)
		return v;
	if (!told)
		told = g_hash_table_new(g_str_hash, g_str_equal);
	if (!g_hash_table_contains(told, name)) {
		g_hash_table_add(told, (gpointer)name);
		g_debug("%s is ignored: this copy runs with capabilities its user does not have, "
		        "so the environment does not steer it",
		        name);
	}
	return NULL;
}
