// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/exe_discovery.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A path to PID's executable that this process can open, naming the file ST describes. */
static gchar *exe_path(const char *pid, const struct stat *st)
{
	g_autofree gchar *link = g_strdup_printf("/proc/%s/exe", pid);
	g_autofree gchar *target = g_file_read_link(link, NULL);
	struct stat here;

	if (target && target[0] == '/' && !g_str_has_suffix(target, " (deleted)")) {
		gchar *via_root = g_strdup_printf("/proc/%s/root%s", pid, target);

		if (stat(target, &here) == 0 && here.st_dev == st->st_dev &&
		    here.st_ino == st->st_ino) {
			g_free(via_root);
			return g_steal_pointer(&target);
		}
		if (stat(via_root, &here) == 0 && here.st_dev == st->st_dev &&
		    here.st_ino == st->st_ino)
			return via_root;
		g_free(via_root);
	}
	return g_steal_pointer(&link);
}

static void add_running(GPtrArray *list)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!d)
		return;
	while ((de = readdir(d))) {
		char link[300];
		struct stat st;
		struct ec_lib_file *f;

		if (!isdigit((unsigned char)de->d_name[0]) || atoi(de->d_name) == self)
			continue;
		snprintf(link, sizeof(link), "/proc/%s/exe", de->d_name);
		/* Kernel threads have no executable; stat follows the link to the file. */
		if (stat(link, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		f = ec_lib_list_find(list, &st);
		if (!f) {
			g_autofree gchar *path = exe_path(de->d_name, &st);

			f = ec_lib_list_add(list, path, &st);
			f->first_pid = atoi(de->d_name);
		}
		f->n_procs++;
	}
	closedir(d);
}

GPtrArray *ec_find_exes(const char *const *extra, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_lib_file_free);

	for (const char *const *p = extra; p && *p; p++) {
		struct stat st;

		if (stat(*p, &st) != 0) {
			int errsv = errno;

			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv),
			            "program %s: %s", *p, g_strerror(errsv));
			g_ptr_array_unref(list);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			            "program %s: not a regular file", *p);
			g_ptr_array_unref(list);
			return NULL;
		}
		if (!ec_lib_list_find(list, &st))
			ec_lib_list_add(list, *p, &st)->requested = true;
	}
	add_running(list);
	return list;
}
