// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/target_file.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user_rights.h"

void ec_target_file_free(gpointer p)
{
	struct ec_target_file *f = p;

	g_free(f->path);
	g_free(f->root);
	g_free(f);
}

struct ec_target_file *ec_target_list_find(GPtrArray *list, const struct stat *st)
{
	for (guint i = 0; i < list->len; i++) {
		struct ec_target_file *f = list->pdata[i];

		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return f;
	}
	return NULL;
}

struct ec_target_file *ec_target_list_add(GPtrArray *list, const char *path, const struct stat *st)
{
	struct ec_target_file *f = ec_target_list_find(list, st);

	if (f)
		return f;
	f = g_new0(struct ec_target_file, 1);
	f->path = g_strdup(path);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	g_ptr_array_add(list, f);
	return f;
}

int ec_target_list_add_named(GPtrArray *list, const char *what, const char *path, GError **err)
{
	struct stat st;

	/* The user's rights first: nothing is learnt of a path they may not see. */
	if (ec_user_may_access(what, path, R_OK, err))
		return -1;
	if (stat(path, &st) != 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s %s: %s", what,
		            path, g_strerror(errsv));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s %s: not a regular file",
		            what, path);
		return -1;
	}
	ec_target_list_add(list, path, &st)->requested = true;
	return 0;
}

int ec_target_unusable(const struct ec_target_file *file, GError **why, GError **err)
{
	if (file->requested) {
		g_propagate_error(err, g_steal_pointer(why));
		return -1;
	}
	g_warning("not tracing %s: %s", file->path, (*why)->message);
	g_clear_error(why);
	return 0;
}
