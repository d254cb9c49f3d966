// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/lib_discovery.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const ec_lib_dirs[] = {
    "/usr/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/lib64",
    "/usr/lib",
    "/lib",
    "/usr/local/lib64",
    "/usr/local/lib",
    "/usr/local/ssl/lib",
    NULL,
};

bool ec_is_libssl_name(const char *base)
{
	const char *p;

	if (strncmp(base, "libssl.so", 9) != 0)
		return false;
	/* libssl.so, or libssl.so.<digits and dots, maybe a trailing letter> */
	for (p = base + 9; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' &&
		    !(islower((unsigned char)*p) && !p[1]))
			return false;
	return true;
}

/* NAME, or NAME.<digits and dots> */
static bool is_versioned(const char *base, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(base, name, n) != 0)
		return false;
	for (const char *p = base + n; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

bool ec_is_libgnutls_name(const char *base)
{
	return is_versioned(base, "libgnutls.so");
}

bool ec_is_libnspr_name(const char *base)
{
	return is_versioned(base, "libnspr4.so");
}

void ec_lib_file_free(gpointer p)
{
	struct ec_lib_file *f = p;

	g_free(f->path);
	g_free(f);
}

struct ec_lib_file *ec_lib_list_find(GPtrArray *list, const struct stat *st)
{
	for (guint i = 0; i < list->len; i++) {
		struct ec_lib_file *f = list->pdata[i];

		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return f;
	}
	return NULL;
}

struct ec_lib_file *ec_lib_list_add(GPtrArray *list, const char *path, const struct stat *st)
{
	struct ec_lib_file *f = ec_lib_list_find(list, st);

	if (f)
		return f;
	f = g_new0(struct ec_lib_file, 1);
	f->path = g_strdup(path);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	g_ptr_array_add(list, f);
	return f;
}

static void add_system_libs(GPtrArray *list, bool (*is_name)(const char *))
{
	for (size_t i = 0; ec_lib_dirs[i]; i++) {
		DIR *d = opendir(ec_lib_dirs[i]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *path, *real;
			struct stat st;

			if (!is_name(de->d_name))
				continue;
			path = g_build_filename(ec_lib_dirs[i], de->d_name, NULL);
			/* libssl.so -> libssl.so.3: one entry per file, under its real name. */
			real = realpath(path, NULL);
			if (real && stat(real, &st) == 0 && S_ISREG(st.st_mode))
				ec_lib_list_add(list, real, &st);
			free(real);
			g_free(path);
		}
		closedir(d);
	}
}

/* libssl files mapped by process PID. */
static void add_process_libs(GPtrArray *list, const char *pid, bool (*is_name)(const char *))
{
	char maps_path[64], line[4096];
	FILE *f;

	snprintf(maps_path, sizeof(maps_path), "/proc/%s/maps", pid);
	f = fopen(maps_path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		char *via_root;
		const char *base;
		struct stat st;
		struct ec_lib_file *lf;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		base = strrchr(path, '/') + 1;
		if (!is_name(base) || g_str_has_suffix(path, " (deleted)"))
			continue;
		/* The path is in the process's mount namespace; its root gets us there. */
		via_root = g_strdup_printf("/proc/%s/root%s", pid, path);
		if (stat(via_root, &st) == 0) {
			struct stat here;
			/* Prefer the plain path when it names the same file in our namespace. */
			bool same = stat(path, &here) == 0 && here.st_dev == st.st_dev &&
			            here.st_ino == st.st_ino;
			gboolean known = ec_lib_list_find(list, &st) != NULL;

			lf = ec_lib_list_add(list, same ? path : via_root, &st);
			if (!known || lf->n_procs == 0)
				lf->first_pid = atoi(pid);
			lf->n_procs++;
		}
		g_free(via_root);
	}
	fclose(f);
}

static void add_running_libs(GPtrArray *list, bool (*is_name)(const char *))
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			add_process_libs(list, de->d_name, is_name);
	closedir(d);
}

GPtrArray *ec_find_libs(bool (*is_name)(const char *), const char *const *extra, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_lib_file_free);

	for (const char *const *p = extra; p && *p; p++) {
		struct stat st;
		struct ec_lib_file *f;

		if (stat(*p, &st) != 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "TLS library %s: %s", *p, g_strerror(errno));
			g_ptr_array_unref(list);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			            "TLS library %s: not a regular file", *p);
			g_ptr_array_unref(list);
			return NULL;
		}
		f = ec_lib_list_add(list, *p, &st);
		f->requested = true;
	}
	add_system_libs(list, is_name);
	add_running_libs(list, is_name);
	return list;
}

GPtrArray *ec_find_libssl(const char *const *extra, GError **err)
{
	return ec_find_libs(ec_is_libssl_name, extra, err);
}
