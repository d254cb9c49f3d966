/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Holding a process still while a TLS library it has just mapped gets its probes.
 *
 * Registering the uprobes of a file not probed before waits for an RCU grace period: ten
 * milliseconds and more on a virtual machine, longer than a one-shot client needs for its whole
 * handshake. So the threads of the process that mapped it are stopped first, through ptrace
 * (PTRACE_SEIZE + PTRACE_INTERRUPT, which CAP_SYS_PTRACE allows): unlike SIGSTOP, no stop is
 * reported to its parent (a shell's job control sees nothing), a signal that arrives meanwhile
 * is passed on at release, and if we die the kernel lets the threads go. A process we may not
 * seize (a debugger traces it, ptrace is forbidden) runs on, and may handshake first.
 */
#ifndef EC_PROCESS_HOLD_H
#define EC_PROCESS_HOLD_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

struct ec_holds;

struct ec_holds *ec_holds_new(void);
/* Lets every thread still held go (the kernel would at our exit anyway). */
void ec_holds_free(struct ec_holds *h);

/* Stop the threads of PID (waiting a few milliseconds at most); the count of threads held. */
guint ec_hold_process(struct ec_holds *h, pid_t pid);
/* Let the threads held go; one that has not stopped yet is let go once it has (ec_holds_poll). */
void ec_hold_release(struct ec_holds *h);
/* Let go the threads that have stopped since a release. */
void ec_holds_poll(struct ec_holds *h);

#endif
