/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandbox the library under test runs in: anyone may have written it (a process maps a
 * file; its owner proves nothing), so its code runs
 *   - without a controlling terminal (a session of its own) and with no descriptor but the
 *     output pipes and the library copies;
 *   - as nobody (when started as root) and without any capability;
 *   - in new user, PID, mount, network, IPC and UTS namespaces where the kernel allows them
 *     (as root they need no user namespace; a user needs an unprivileged one), with an empty,
 *     read-only root holding only the library copies;
 *   - under rlimits (CPU time, address space, files, no new processes, no file writes) and a
 *     seccomp filter (seccomp.h);
 *   - as the PID namespace's init: when it ends, or its parent is killed at the time limit,
 *     every process in it dies.
 */
#ifndef CAL_CONFINE_H
#define CAL_CONFINE_H

#include "deps.h"

struct confine_report {
	char have[160];    /* "session nobody userns pidns ..." */
	char missing[512]; /* what the kernel refused, with the reason ("" if nothing) */
};

/*
 * Enters the sandbox with the files of D (each entry's load path set). Forks into the new PID
 * namespace: the first process waits there and exits as the second does; only the second
 * returns. 0, or -1 after report_fail().
 */
int confine_enter(struct deps *d, struct confine_report *r);

/*
 * Built with AddressSanitizer (the project's sanitizer and fuzz builds): its shadow memory is
 * terabytes of address space, so no address-space limit can be set, and its leak check at exit
 * needs system calls the seccomp filter refuses (calibrate/main.c turns it off).
 */
#if defined(__SANITIZE_ADDRESS__)
#define EC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EC_UNDER_ASAN 1
#endif
#endif

#endif
