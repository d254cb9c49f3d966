// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/audit_exe.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/elf_info.h"

/* The usual locations: their real paths (/bin/bash and /usr/bin/bash are one file). */
static void add_std(GPtrArray *list, const char *const *patterns)
{
	for (const char *const *p = patterns; p && *p; p++) {
		glob_t g;

		if (glob(*p, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *real = realpath(g.gl_pathv[i], NULL);
			struct stat st;

			if (real && stat(real, &st) == 0 && S_ISREG(st.st_mode))
				ec_lib_list_add(list, real, &st);
			free(real);
		}
		globfree(&g);
	}
}

static bool name_matches(const char *base, const char *const *names)
{
	for (const char *const *n = names; n && *n; n++)
		if (strcmp(base, *n) == 0)
			return true;
	return false;
}

/* The executable of process PID if its base name is one of NAMES. */
static void add_process(GPtrArray *list, const char *pid, const char *const *names)
{
	char link[64], target[4096];
	g_autofree char *via_root = NULL;
	const char *base;
	struct stat st, here;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%s/exe", pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (target[0] != '/' || g_str_has_suffix(target, " (deleted)"))
		return;
	base = strrchr(target, '/') + 1;
	if (!name_matches(base, names) || stat(link, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (ec_lib_list_find(list, &st))
		return;
	/* The plain path when it names the same file here, else the one in its own root. */
	if (stat(target, &here) == 0 && here.st_dev == st.st_dev && here.st_ino == st.st_ino) {
		ec_lib_list_add(list, target, &st);
		return;
	}
	via_root = g_strdup_printf("/proc/%s/root%s", pid, target);
	ec_lib_list_add(
	    list, stat(via_root, &here) == 0 && here.st_ino == st.st_ino ? via_root : link, &st);
}

static void add_running(GPtrArray *list, const char *const *names)
{
	g_autofree char *self = g_strdup_printf("%d", getpid());
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) && strcmp(de->d_name, self) != 0)
			add_process(list, de->d_name, names);
	closedir(d);
}

GPtrArray *ec_find_programs(const char *what, const char *override, const char *const *std_paths,
                            const char *const *names, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_lib_file_free);
	struct stat st;

	if (override && *override) {
		if (stat(override, &st) != 0) {
			int errsv = errno;

			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s %s: %s",
			            what, override, g_strerror(errsv));
			g_ptr_array_unref(list);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			            "%s %s: not a regular file", what, override);
			g_ptr_array_unref(list);
			return NULL;
		}
		ec_lib_list_add(list, override, &st)->requested = true;
		return list;
	}
	add_std(list, std_paths);
	add_running(list, names);
	return list;
}

/* DIR/NAME if it is a regular file. */
static gchar *lib_in(const char *dir, const char *name)
{
	gchar *path = g_build_filename(dir, name, NULL);
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return path;
	g_free(path);
	return NULL;
}

gchar *ec_find_needed_lib(const char *program, const char *prefix)
{
	g_autoptr(GError) err = NULL;
	struct ec_elf *elf = ec_elf_open(program, &err);
	g_auto(GStrv) needed = NULL, runpath = NULL;
	g_autofree gchar *origin = g_path_get_dirname(program);
	gchar *found = NULL;

	if (!elf)
		return NULL;
	needed = ec_elf_needed(elf, NULL);
	runpath = ec_elf_runpath(elf, NULL);
	ec_elf_close(elf);
	for (char **n = needed; n && *n && !found; n++) {
		if (!g_str_has_prefix(*n, prefix))
			continue;
		for (char **d = runpath; d && *d && !found; d++) {
			g_autofree gchar *dir = g_str_has_prefix(*d, "$ORIGIN")
			                            ? g_strconcat(origin, *d + 7, NULL)
			                            : g_strdup(*d);

			found = lib_in(dir, *n);
		}
		for (size_t i = 0; ec_lib_dirs[i] && !found; i++)
			found = lib_in(ec_lib_dirs[i], *n);
	}
	if (found) {
		char *real = realpath(found, NULL);

		if (real) {
			g_free(found);
			found = g_strdup(real);
			free(real);
		}
	}
	return found;
}
