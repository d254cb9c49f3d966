// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/process_hold.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

/* How long a hold waits for the threads to stop: they do at their next return to user mode. */
#define HOLD_WAIT_NS (50 * 1000000ull)
#define HOLD_POLL_NS (100 * 1000l)

struct held {
	pid_t tid;
	int sig;      /* a signal that stopped it meanwhile: passed on at release */
	bool stopped; /* in a ptrace stop: it can be let go */
	bool gone;    /* exited, or no longer ours */
};

struct ec_holds {
	GArray *now;  /* struct held: the threads of the process held now */
	GArray *late; /* released before they stopped: let go once they have */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct ec_holds *ec_holds_new(void)
{
	struct ec_holds *h = g_new0(struct ec_holds, 1);

	h->now = g_array_new(FALSE, TRUE, sizeof(struct held));
	h->late = g_array_new(FALSE, TRUE, sizeof(struct held));
	return h;
}

/* Has T stopped (or gone)? Never waits. */
static bool reap(struct held *t)
{
	int st;
	pid_t r;

	if (t->stopped || t->gone)
		return true;
	do
		r = waitpid(t->tid, &st, __WALL | WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
		t->gone = true;
		return true;
	}
	if (!WIFSTOPPED(st))
		return false;
	/*
	 * Our interrupt stops it with SIGTRAP; a group stop (Ctrl+Z meanwhile) with its stop
	 * signal, and a signal on its way with that signal: both are passed on at release.
	 */
	if (!((st >> 16) == PTRACE_EVENT_STOP && WSTOPSIG(st) == SIGTRAP))
		t->sig = WSTOPSIG(st);
	t->stopped = true;
	return true;
}

static void let_go(struct held *t)
{
	if (ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->sig) && errno != ESRCH)
		g_warning("cannot let thread %d go: %s", (int)t->tid, g_strerror(errno));
}

guint ec_hold_process(struct ec_holds *h, pid_t pid)
{
	char path[64];
	struct dirent *de;
	uint64_t deadline;
	guint stopped = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone already */
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		struct held t = {.tid = (pid_t)tid};

		if (*end || tid <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, t.tid, NULL, NULL)) {
			g_debug("pid %d: thread %ld not held: %s", (int)pid, tid,
			        g_strerror(errno));
			continue;
		}
		/* If it fails, the thread is gone: reap() will say so. */
		ptrace(PTRACE_INTERRUPT, t.tid, NULL, NULL);
		g_array_append_val(h->now, t);
	}
	closedir(d);
	deadline = now_ns() + HOLD_WAIT_NS;
	for (;;) {
		guint waiting = 0;

		stopped = 0;
		for (guint i = 0; i < h->now->len; i++) {
			struct held *t = &g_array_index(h->now, struct held, i);

			if (!reap(t))
				waiting++;
			else if (t->stopped)
				stopped++;
		}
		if (!waiting || now_ns() >= deadline)
			break;
		nanosleep(&(struct timespec){.tv_nsec = HOLD_POLL_NS}, NULL);
	}
	if (h->now->len)
		g_debug("pid %d: %u of %u thread(s) held", (int)pid, stopped, h->now->len);
	return stopped;
}

void ec_holds_poll(struct ec_holds *h)
{
	for (guint i = h->late->len; i-- > 0;) {
		struct held *t = &g_array_index(h->late, struct held, i);

		if (!reap(t))
			continue;
		if (!t->gone)
			let_go(t);
		g_array_remove_index_fast(h->late, i);
	}
}

void ec_hold_release(struct ec_holds *h)
{
	g_array_append_vals(h->late, h->now->data, h->now->len);
	g_array_set_size(h->now, 0);
	ec_holds_poll(h);
}

void ec_holds_free(struct ec_holds *h)
{
	if (!h)
		return;
	/* Not stopped yet: detaching needs a stop, so exit() lets them go (the kernel does). */
	ec_hold_release(h);
	g_array_unref(h->now);
	g_array_unref(h->late);
	g_free(h);
}
