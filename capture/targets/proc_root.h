/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside another process's root (/proc/PID/root/...). The kernel resolves an absolute
 * symlink met below /proc/PID/root against OUR root, so a container's files must be resolved
 * component by component, re-rooting absolute link targets at the prefix.
 */
#ifndef EC_PROC_ROOT_H
#define EC_PROC_ROOT_H

#include <glib.h>

/* "/proc/123/root" or "/proc/self/root" when PATH starts with one, else "". */
gchar *ec_root_prefix(const char *path);

/*
 * PREFIX + the symlink-free form of PATH_IN_ROOT (absolute, seen from that root), or NULL with
 * ERR set (G_FILE_ERROR) if it does not exist.
 */
gchar *ec_resolve_in_root(const char *prefix, const char *path_in_root, GError **err);

#endif
