/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the TLS library files to probe: the system's own copies and every distinct copy mapped
 * by a running process (including processes in other mount namespaces, reached through
 * /proc/PID/root). Uprobes attach to an inode, so one entry per (device, inode).
 */
#ifndef EC_LIB_DISCOVERY_H
#define EC_LIB_DISCOVERY_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

struct ec_lib_file {
	char *path; /* a path through which this process can open the file */
	dev_t dev;
	ino_t ino;
	bool requested;  /* named by the user: failures are errors, not warnings */
	guint n_procs;   /* running processes that map it (when found that way) */
	pid_t first_pid; /* one of them */
};

void ec_lib_file_free(gpointer f);

/* The standard library directories, where loaders look (NULL-terminated). */
extern const char *const ec_lib_dirs[];

struct stat;

/* The entry of LIST (struct ec_lib_file *) for the file ST describes; NULL if it has none. */
struct ec_lib_file *ec_lib_list_find(GPtrArray *list, const struct stat *st);

/* That entry, added to LIST under PATH if it was not there yet. */
struct ec_lib_file *ec_lib_list_add(GPtrArray *list, const char *path, const struct stat *st);

/* Whether BASENAME is an OpenSSL libssl (libssl.so, libssl.so.3, libssl.so.1.1 ...). */
bool ec_is_libssl_name(const char *basename);

/* libgnutls.so[.N...] (not libgnutls-dane, libgnutlsxx ...). */
bool ec_is_libgnutls_name(const char *basename);

/* libnspr4.so[.N...]: NSPR, whose PR_Read/PR_Write NSS programs call. */
bool ec_is_libnspr_name(const char *basename);

/*
 * Library files whose basename IS_NAME accepts: the system's (standard library directories),
 * those mapped by running processes, and EXTRA (user paths, which must exist). A GPtrArray of
 * struct ec_lib_file *, freed with g_ptr_array_unref.
 */
GPtrArray *ec_find_libs(bool (*is_name)(const char *), const char *const *extra, GError **err);

/*
 * OpenSSL libssl files: the system's (standard library directories), those mapped by running
 * processes, and EXTRA (user paths, which must exist). A GPtrArray of struct ec_lib_file *,
 * freed with g_ptr_array_unref.
 */
GPtrArray *ec_find_libssl(const char *const *extra, GError **err);

#endif
