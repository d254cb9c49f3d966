/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the programs the audit modules trace (shells, database servers): the path the user
 * named, or else the usual install locations and the executables of running processes with
 * one of the program's names (containers included, through /proc/PID/root). One entry per file
 * (device, inode): uprobes attach to the file, so one probe covers every process running it.
 */
#ifndef EC_AUDIT_EXE_H
#define EC_AUDIT_EXE_H

#include <glib.h>

#include "targets/lib_discovery.h"

/*
 * OVERRIDE (the user's path: it must be a regular file, and is then the only one) or every file
 * matching the glob patterns of STD_PATHS and every running process's executable whose base
 * name is one of NAMES. A GPtrArray of struct ec_lib_file *; NULL with ERR set on a bad
 * OVERRIDE. WHAT names the program in messages ("bash").
 */
GPtrArray *ec_find_programs(const char *what, const char *override, const char *const *std_paths,
                            const char *const *names, GError **err);

/*
 * The shared library a program loads under a DT_NEEDED name starting with PREFIX (e.g.
 * "libreadline.so"), looked up in the program's RUNPATH and the system library directories;
 * NULL if the program needs none or it cannot be found.
 */
gchar *ec_find_needed_lib(const char *program, const char *prefix);

#endif
