/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The executables of the running processes (for programs that carry their TLS code inside, as
 * Go programs do), one entry per file (device, inode), plus paths the user named.
 */
#ifndef EC_EXE_DISCOVERY_H
#define EC_EXE_DISCOVERY_H

#include <glib.h>

#include "targets/lib_discovery.h"

/*
 * EXTRA (user paths: they must be regular files; requested) first, then the executable of
 * every running process but this one, each under a path this process can open (the plain path
 * when it names the same file here, else through /proc/PID/root, else /proc/PID/exe).
 * A GPtrArray of struct ec_lib_file *.
 */
GPtrArray *ec_find_exes(const char *const *extra, GError **err);

#endif
