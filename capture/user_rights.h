/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The privileged copy (extcap/elevate: file capabilities, run by members of the group) acts
 * for the user who started it, never beyond that user's own rights:
 *  - every path the user names (files to trace or write, the FIFO, the control pipes) is
 *    checked with access(): the real user and, for anyone but root, without capabilities
 *    (CAP_SYS_PTRACE would otherwise reach other processes' /proc/PID/root);
 *  - the ECAPTURE_* environment variables (the calibration helper's directory, test knobs) are
 *    ignored when exec gave this process rights its user lacks (AT_SECURE), as the C library
 *    ignores LD_PRELOAD there. Root running the program itself keeps them (AT_SECURE is 0).
 */
#ifndef EC_USER_RIGHTS_H
#define EC_USER_RIGHTS_H

#include <glib.h>

/*
 * 0 if the user may access PATH with MODE (R_OK, W_OK, ...); else -1 and ERR
 * ("cannot open WHAT PATH: reason (a path you name is opened with your own rights)").
 */
int ec_user_may_access(const char *what, const char *path, int mode, GError **err);

/* As ec_user_may_access(W_OK), or, when PATH does not exist, may create it in its directory. */
int ec_user_may_create(const char *what, const char *path, GError **err);

/*
 * The environment variable NAME (an ECAPTURE_* setting), or NULL: unset, or ignored because
 * this process runs with privileges gained at exec (logged at debug level, once per name).
 * Every ECAPTURE_* variable is read through this.
 */
const char *ec_env_get(const char *name);

#endif
