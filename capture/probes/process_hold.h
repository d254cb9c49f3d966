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
 *
 * A hold is bounded whatever the caller does. Ptrace requests must come from the thread that
 * seized, so one thread of ours, the holder, does all of it: it seizes on request, lets go on
 * request, and lets go by itself once the hold is older than its bound, even while the thread
 * that asked is blocked (a write to a stalled reader, a helper that does not finish). Only a
 * stop of our whole process (SIGSTOP) stops the holder too; the kernel lets every thread go
 * when we exit, and when the holder thread ends.
 *
 * A capture run by a user other than root holds only that user's processes (ec_holds_only_user):
 * whatever stops or stalls a user's capture can freeze that user's processes and nobody else's.
 */
#ifndef EC_PROCESS_HOLD_H
#define EC_PROCESS_HOLD_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

struct ec_holds;

/* A holder whose holds last MAX_MS at most; its thread starts now. */
struct ec_holds *ec_holds_new(guint max_ms);
/* Lets every thread still held go (the kernel would at our exit anyway); ends the thread. */
void ec_holds_free(struct ec_holds *h);

/*
 * Hold only processes of user UID, group GID, as ptrace without privileges would: real,
 * effective and saved uid UID and gid GID, and dumpable (no privileges gained by setuid,
 * setgid or file capabilities). Others are refused (ec_holds_refused).
 */
void ec_holds_only_user(struct ec_holds *h, uid_t uid, gid_t gid);

/*
 * Stop the threads of PID (waiting a few milliseconds at most); the count of threads held.
 * 0 if none could be, or the process is not one we may hold (ec_holds_refused counts those).
 */
guint ec_hold_process(struct ec_holds *h, pid_t pid);
/*
 * Let the threads held go; one that has not stopped yet is let go once it has. Never waits.
 * Until then, a process let go by the bound is not held again (its bound is for the whole
 * planning, not for each module's part).
 */
void ec_hold_release(struct ec_holds *h);

/* Processes refused by ec_holds_only_user so far. */
guint ec_holds_refused(struct ec_holds *h);
/* Holds let go by the bound, not by a release, so far. */
guint ec_holds_expired(struct ec_holds *h);

#endif
