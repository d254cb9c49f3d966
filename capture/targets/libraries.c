// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/libraries.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "targets/elf_info.h"
#include "targets/processes.h"

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

bool ec_exe_has_static_openssl(const char *path)
{
	g_autoptr(GError) err = NULL;
	struct ec_elf *elf = ec_elf_open(path, &err);
	struct ec_elf_symbol sym;
	bool has;

	if (!elf)
		return false;
	has = ec_elf_find_symbol(elf, "SSL_write", &sym, NULL) &&
	      ec_elf_find_symbol(elf, "SSL_do_handshake", &sym, NULL);
	ec_elf_close(elf);
	return has;
}

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
				ec_target_list_add(list, real, &st);
			free(real);
			g_free(path);
		}
		closedir(d);
	}
}

struct lib_walk {
	GPtrArray *list;
	bool (*is_name)(const char *);
};

/* "/proc/PID/root" if process PID's root directory is not ours, else NULL (g_free). */
static char *other_root(const char *pid)
{
	g_autofree char *root = g_strdup_printf("/proc/%s/root", pid);
	struct stat theirs, ours;

	if (stat(root, &theirs) < 0 || stat("/", &ours) < 0 ||
	    (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino))
		return NULL;
	return g_steal_pointer(&root);
}

/* The library files process PID maps. */
static void add_process_libs(const char *pid, void *data)
{
	struct lib_walk *w = data;
	char maps_path[64], line[4096];
	g_autoptr(GPtrArray) counted = NULL; /* files this process was counted for already */
	g_autofree char *root = NULL;
	FILE *f;

	snprintf(maps_path, sizeof(maps_path), "/proc/%s/maps", pid);
	f = fopen(maps_path, "re");
	if (!f)
		return;
	counted = g_ptr_array_new();
	root = other_root(pid);
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		const char *use = NULL;
		unsigned long ino;
		char *via_root;
		const char *base;
		struct stat st;
		struct ec_target_file *lf;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		base = strrchr(path, '/') + 1;
		if (!w->is_name(base) || g_str_has_suffix(path, " (deleted)"))
			continue;
		/*
		 * The kernel writes the path as seen from our root when it can (a chroot's
		 * files show under the chroot's directory), else as seen from the process's
		 * mount namespace, where its root gets us. The inode on the line tells them apart.
		 */
		if (sscanf(line, "%*s %*s %*s %*s %lu", &ino) != 1)
			continue;
		via_root = g_strdup_printf("/proc/%s/root%s", pid, path);
		if (stat(path, &st) == 0 && st.st_ino == ino)
			use = path;
		else if (stat(via_root, &st) == 0)
			use = via_root; /* the inode may differ on overlay filesystems */
		if (use) {
			gboolean known = ec_target_list_find(w->list, &st) != NULL;

			lf = ec_target_list_add(w->list, use, &st);
			if (root && !lf->root)
				lf->root = g_strdup(root);
			/* A library is mapped in several pieces: count its process once. */
			if (!g_ptr_array_find(counted, lf, NULL)) {
				g_ptr_array_add(counted, lf);
				if (!known || lf->n_procs == 0)
					lf->first_pid = atoi(pid);
				lf->n_procs++;
			}
		}
		g_free(via_root);
	}
	fclose(f);
}

GPtrArray *ec_find_libs(bool (*is_name)(const char *), const char *const *extra, GError **err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_target_file_free);
	struct lib_walk w = {list, is_name};

	for (const char *const *p = extra; p && *p; p++) {
		if (ec_target_list_add_named(list, "TLS library", *p, err)) {
			g_ptr_array_unref(list);
			return NULL;
		}
	}
	add_system_libs(list, is_name);
	ec_proc_foreach(add_process_libs, &w);
	return list;
}

GPtrArray *ec_find_libs_of_process(bool (*is_name)(const char *), pid_t pid)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ec_target_file_free);
	struct lib_walk w = {list, is_name};
	char pid_text[16];

	snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	add_process_libs(pid_text, &w);
	return list;
}

GPtrArray *ec_find_libssl(const char *const *extra, GError **err)
{
	return ec_find_libs(ec_is_libssl_name, extra, err);
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
