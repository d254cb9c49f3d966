/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system calls the library under test may make: what loading it from descriptors or the
 * empty root and running TLS handshakes over a socketpair needs. Everything else fails with
 * EPERM (no new processes, no sockets but AF_UNIX pairs, no files opened for writing, no
 * terminal ioctls), and a call of another architecture kills the process.
 */
#ifndef CAL_SECCOMP_H
#define CAL_SECCOMP_H

/* Installs the filter (after PR_SET_NO_NEW_PRIVS). 0, or -1 after report_fail(). */
int seccomp_install(void);

#endif
