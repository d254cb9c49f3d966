/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Targets found among the running processes: the one walk over /proc, the executables the
 * processes run (Go programs carry their TLS code inside), and the programs the audit modules
 * trace (shells, database servers). Containers are included, through /proc/PID/root.
 */
#ifndef EC_PROCESSES_H
#define EC_PROCESSES_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "targets/target_file.h"

/*
 * The name process PID runs under (/proc/PID/comm, without its newline) into BUF of LEN bytes;
 * false, with BUF empty, if it is gone. The name is the process's to choose: escape it.
 */
bool ec_proc_comm(pid_t pid, char *buf, size_t len);

/* FN(PID, DATA) for every process, PID as its /proc directory name. */
void ec_proc_foreach(void (*fn)(const char *pid, void *data), void *data);

/*
 * EXTRA (user paths: they must be regular files; requested) first, then the executable of
 * every running process but this one, each under a path this process can open (the plain path
 * when it names the same file here, else through /proc/PID/root, else /proc/PID/exe).
 * A GPtrArray of struct ec_target_file *; NULL with ERR set on a bad EXTRA path.
 */
GPtrArray *ec_find_exes(const char *const *extra, GError **err);

/* The executable process PID runs now, as ec_find_exes gives it; empty if it is gone. */
GPtrArray *ec_find_exe_of_process(pid_t pid);

/*
 * OVERRIDE (the user's path: it must be a regular file, and is then the only one) or every file
 * matching the glob patterns of STD_PATHS and every running process's executable whose base
 * name is one of NAMES. A GPtrArray of struct ec_target_file *; NULL with ERR set on a bad
 * OVERRIDE. WHAT names the program in messages ("bash").
 */
GPtrArray *ec_find_programs(const char *what, const char *override, const char *const *std_paths,
                            const char *const *names, GError **err);

#endif
