/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding library files: the TLS libraries to probe (the system's own copies and every distinct
 * copy mapped by a running process, including processes in other mount namespaces, reached
 * through /proc/PID/root), and the shared library a program needs.
 */
#ifndef EC_LIBRARIES_H
#define EC_LIBRARIES_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "targets/target_file.h"

/* The standard library directories, where loaders look (NULL-terminated). */
extern const char *const ec_lib_dirs[];

/* Whether BASENAME is an OpenSSL libssl (libssl.so, libssl.so.3, libssl.so.1.1 ...). */
bool ec_is_libssl_name(const char *basename);

/*
 * Whether the program at PATH carries OpenSSL inside (linked statically, as node bundles it):
 * its dynamic symbol table defines SSL_write and SSL_do_handshake.
 */
bool ec_exe_has_static_openssl(const char *path);

/* libgnutls.so[.N...] (not libgnutls-dane, libgnutlsxx ...). */
bool ec_is_libgnutls_name(const char *basename);

/* libnspr4.so[.N...]: NSPR, whose PR_Read/PR_Write NSS programs call. */
bool ec_is_libnspr_name(const char *basename);

/*
 * Library files whose basename IS_NAME accepts: EXTRA (user paths: they must be regular files;
 * requested), the system's (standard library directories) and those mapped by running
 * processes. A GPtrArray of struct ec_target_file *; NULL with ERR set on a bad EXTRA path.
 */
GPtrArray *ec_find_libs(bool (*is_name)(const char *), const char *const *extra, GError **err);

/*
 * The library files whose basename IS_NAME accepts that process PID maps now (through
 * /proc/PID/root when it lives in another mount namespace); empty when it maps none or is gone.
 */
GPtrArray *ec_find_libs_of_process(bool (*is_name)(const char *), pid_t pid);

/* ec_find_libs of the OpenSSL libssl files. */
GPtrArray *ec_find_libssl(const char *const *extra, GError **err);

/*
 * The shared library a program loads under a DT_NEEDED name starting with PREFIX (e.g.
 * "libreadline.so"), looked up in the program's RUNPATH and the system library directories;
 * NULL if the program needs none or it cannot be found.
 */
gchar *ec_find_needed_lib(const char *program, const char *prefix);

#endif
