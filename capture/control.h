/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a front end may do to a capture while it runs, and what the capture tells it: change the
 * PID/UID filters, ask for the running processes to be looked at again, hear the counters. The
 * front end's own input (Wireshark's control pipe, for the extcap) is an fd the engine's loop
 * polls with its own; the engine calls back when it is readable and knows nothing of what it
 * carries.
 */
#ifndef EC_CONTROL_H
#define EC_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

/* A running capture, as the hooks see it. */
struct ec_capture;

/* The capture's counters, so far. */
struct ec_capture_status {
	guint files;             /* files with probes on them: libraries, programs */
	guint procs;             /* processes whose keys, connections or records were seen */
	bool procs_capped;       /* ... more than could be counted (procs is a lower bound) */
	uint64_t keys;           /* TLS sessions whose keys were written */
	uint64_t records;        /* plaintext chunks and audit records the kernel sent */
	guint conns_waiting;     /* connections whose packets wait for their keys */
	guint conns_unclaimed;   /* TLS connections no traced library gave keys for */
	uint64_t conns_given_up; /* connections written without keys or given up (a loss) */
	uint64_t lost;           /* events lost, every kind (kernel and engine) */
	uint64_t bytes_written;  /* to the capture's output */
};

struct ec_capture_hooks {
	int fd; /* polled with the capture's own; -1: none */
	/* FD is readable or hung up. 0: go on polling it; -1: stop polling it. */
	int (*readable)(struct ec_capture *c, void *data);
	/* About once a second, with the counters so far. May be NULL. */
	void (*status)(struct ec_capture *c, const struct ec_capture_status *s, void *data);
	void *data;
};

/*
 * Trace only these N processes from now on (N = 0: every process), as --pid does at the start:
 * processes already traced and those that appear later follow it. A capture started with --pid
 * has probes in those processes only: a new list must lie within them (0 then means all of
 * them). -1 with ERR set (a process that does not exist, one outside the start's list, a full
 * map): the filter is unchanged.
 */
int ec_capture_set_pids(struct ec_capture *c, const pid_t *pids, guint n, GError **err);

/* Trace only the processes of user UID from now on (FILTER false: of every user). */
int ec_capture_set_uid(struct ec_capture *c, bool filter, uint32_t uid, GError **err);

/*
 * Look at every running process the filters let through again, and trace what is new in it
 * (libraries, programs), as for a process that starts during the capture. Done at once; the
 * number of files newly traced, or -1 with ERR set when this capture cannot do it (its modules
 * do not follow new files).
 */
int ec_capture_reload(struct ec_capture *c, GError **err);

#endif
