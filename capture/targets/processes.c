// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/processes.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool ec_proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[32];
	FILE *f;
	bool ok = false;

	if (!len)
		return false;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ok = true;
	}
	fclose(f);
	return ok;
}

void ec_proc_foreach(void (*fn)(const char *pid, void *data), void *data)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d) {
		g_warning("cannot list the running processes: /proc: %s", g_strerror(errno));
		return;
	}
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			fn(de->d_name, data);
	closedir(d);
}

static bool same_file(const char *path, const struct stat *st)
{
	struct stat here;

	return stat(path, &here) == 0 && here.st_dev == st->st_dev && here.st_ino == st->st_ino;
}

/*
 * A path to the executable ST describes that this process can open: TARGET (where /proc/PID/exe
 * points) when it names the same file here, else TARGET in the process's own root, else LINK.
 */
static gchar *exe_path(const char *pid, const char *link, const char *target, const struct stat *st)
{
	g_autofree gchar *via_root = NULL;

	if (target && target[0] == '/' && !g_str_has_suffix(target, " (deleted)")) {
		if (same_file(target, st))
			return g_strdup(target);
		via_root = g_strdup_printf("/proc/%s/root%s", pid, target);
		if (same_file(via_root, st))
			return g_steal_pointer(&via_root);
	}
	return g_strdup(link);
}

static bool name_matches(const char *target, const char *const *names)
{
	const char *base;

	if (!target || target[0] != '/' || g_str_has_suffix(target, " (deleted)"))
		return false;
	base = strrchr(target, '/') + 1;
	for (const char *const *n = names; *n; n++)
		if (strcmp(base, *n) == 0)
			return true;
	return false;
}

struct exe_walk {
	GPtrArray *list;
	const char *const *names; /* NULL: every executable */
	pid_t self;
};

/* The executable of process PID, if it is wanted. */
static void add_exe(const char *pid, void *data)
{
	struct exe_walk *w = data;
	g_autofree gchar *link = g_strdup_printf("/proc/%s/exe", pid);
	g_autofree gchar *target = NULL;
	struct ec_target_file *f;
	struct stat st;

	if (atoi(pid) == w->self)
		return;
	target = g_file_read_link(link, NULL);
	if (w->names && !name_matches(target, w->names))
		return;
	/* Kernel threads have no executable; stat follows the link to the file. */
	if (stat(link, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	f = ec_target_list_find(w->list, &st);
	if (!f) {
		g_autofree gchar *path = exe_path(pid, link, target, &st);

		f = ec_target_list_add(w->list, path, &st);
	}
	if (f->n_procs++ == 0) /* also for a file found on disk first */
		f->first_pid = atoi(pid);
}

static void add_running(GPtrArray *list, const char *const *names)
{
	struct exe_walk w = {list, names, getpid()};

	ec_proc_foreach(add_exe, &w);
}

GPtrArray *ec_find_exe_of_process(pid_t pid)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_target_file_free);
	struct exe_walk w = {list, NULL, getpid()};
	char pid_text[16];

	snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	add_exe(pid_text, &w);
	return list;
}

GPtrArray *ec_find_exes(const char *const *extra, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_target_file_free);

	for (const char *const *p = extra; p && *p; p++) {
		if (ec_target_list_add_named(list, "program", *p, err)) {
			g_ptr_array_unref(list);
			return NULL;
		}
	}
	add_running(list, NULL);
	return list;
}

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
				ec_target_list_add(list, real, &st);
			free(real);
		}
		globfree(&g);
	}
}

GPtrArray *ec_find_programs(const char *what, const char *override, const char *const *std_paths,
                            const char *const *names, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_target_file_free);

	if (override && *override) {
		if (ec_target_list_add_named(list, what, override, err)) {
			g_ptr_array_unref(list);
			return NULL;
		}
		return list;
	}
	add_std(list, std_paths);
	add_running(list, names);
	return list;
}
