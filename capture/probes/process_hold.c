// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/process_hold.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* How long a hold waits for the threads to stop: they do at their next return to user mode. */
#define HOLD_WAIT_NS (50 * 1000000ull)
#define HOLD_POLL_NS (100 * 1000l)
/* How often threads let go before they stopped are looked at again. */
#define LATE_POLL_NS (5 * 1000000ull)

struct held {
	pid_t tid;
	int sig;      /* a signal that stopped it meanwhile: passed on at release */
	bool stopped; /* in a ptrace stop: it can be let go */
	bool gone;    /* exited, or no longer ours */
};

struct ec_holds {
	uint64_t max_ns;
	bool only_uid;
	uid_t uid;
	gid_t gid;
	guint refused; /* the caller's thread only */

	bool started;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* to the holder: a request */
	pthread_cond_t done; /* to the caller: its hold is done */
	/* Under lock: requests, answers, counts. */
	pid_t want;   /* > 0: hold that process */
	pid_t held;   /* the process held now */
	bool release; /* let go of what is held */
	bool quit;
	bool answered;
	guint answer;
	guint expired;
	pid_t spent; /* let go by the bound: not held again until the caller's release */

	/* The holder thread's own. */
	GArray *now;       /* struct held: the threads of the process held now */
	GArray *late;      /* released before they stopped: let go once they have */
	uint64_t deadline; /* when what is held now is let go, released or not */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether "Uid:"/"Gid:" LINE's real, effective and saved ids are all ID. */
static bool ids_are(const char *line, unsigned long id)
{
	unsigned long r, e, s;

	return sscanf(line, "%lu %lu %lu", &r, &e, &s) == 3 && r == id && e == id && s == id;
}

/*
 * Whether PID is H's user's as the kernel sees it for ptrace without privileges: its real,
 * effective and saved uid and gid are the user's, and it is dumpable (a process that gained
 * privileges, setuid, setgid or file capabilities, has its /proc directory owned by root).
 * 1, 0, or -1 if it is gone.
 */
static int owned_by(const struct ec_holds *h, pid_t pid)
{
	char path[64], line[256];
	int uid_ok = 0, gid_ok = 0;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Uid:", 4) == 0)
			uid_ok = ids_are(line + 4, h->uid);
		else if (strncmp(line, "Gid:", 4) == 0)
			gid_ok = ids_are(line + 4, h->gid);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st))
		return -1;
	return uid_ok && gid_ok && st.st_uid == h->uid;
}

/* Has T stopped (or gone)? Never waits. */
static bool reap(struct held *t)
{
	int st;
	pid_t r;

	if (t->stopped || t->gone)
		return true;
	do
		/* Only as its tracer (__WNOTHREAD): never an exit meant for another thread of ours.
		 */
		r = waitpid(t->tid, &st, __WALL | __WNOTHREAD | WNOHANG);
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

/*
 * Holder thread: let T go; false if it has to stop first. A thread we trace can leave its stop
 * without us (a signal to its process woke it as another thread was let go): it cannot be
 * detached running, so it is interrupted again and let go once it has stopped. The warning is
 * GLib's: thread-safe, and rare.
 */
static bool let_go(struct held *t)
{
	if (!ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->sig))
		return true;
	if (errno == ESRCH && !ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL)) {
		t->stopped = false;
		return false;
	}
	if (errno != ESRCH)
		g_warning("cannot let thread %d go: %s", (int)t->tid, g_strerror(errno));
	return true; /* gone */
}

/* Holder thread: let go the threads that have stopped since a release. */
static void poll_late(struct ec_holds *h)
{
	for (guint i = h->late->len; i-- > 0;) {
		struct held *t = &g_array_index(h->late, struct held, i);

		if (!reap(t))
			continue;
		if (!t->gone && !let_go(t))
			continue;
		g_array_remove_index_fast(h->late, i);
	}
}

/* Holder thread: let go of what is held now. */
static void release_now(struct ec_holds *h)
{
	g_array_append_vals(h->late, h->now->data, h->now->len);
	g_array_set_size(h->now, 0);
	poll_late(h);
}

/* Holder thread: seize and interrupt every thread of PID, wait a little for them to stop. */
static guint hold(struct ec_holds *h, pid_t pid)
{
	char path[64];
	struct dirent *de;
	uint64_t deadline;
	guint stopped = 0, before = h->now->len;
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
	if (!before && h->now->len)
		h->deadline = now_ns() + h->max_ns;
	deadline = now_ns() + HOLD_WAIT_NS;
	for (;;) {
		guint waiting = 0;

		stopped = 0;
		for (guint i = before; i < h->now->len; i++) {
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
	if (h->now->len > before)
		g_debug("pid %d: %u of %u thread(s) held", (int)pid, stopped, h->now->len - before);
	/* Its credentials cannot change while it is stopped: it may have changed them before. */
	if (stopped && h->only_uid && owned_by(h, pid) != 1) {
		release_now(h);
		return 0;
	}
	return stopped;
}

static void wait_until(struct ec_holds *h, uint64_t when)
{
	struct timespec ts = {.tv_sec = (time_t)(when / 1000000000ull),
	                      .tv_nsec = (long)(when % 1000000000ull)};

	if (when == UINT64_MAX)
		pthread_cond_wait(&h->wake, &h->lock);
	else
		pthread_cond_timedwait(&h->wake, &h->lock, &ts);
}

static void *holder(void *arg)
{
	struct ec_holds *h = arg;

	pthread_mutex_lock(&h->lock);
	while (!h->quit) {
		uint64_t now = now_ns(), until = UINT64_MAX;

		/* A release pending with a hold was asked for first: a hold is answered at once. */
		if (h->release || (h->now->len && now >= h->deadline)) {
			if (!h->release) {
				h->expired++;
				h->spent = h->held;
			}
			h->release = false;
			pthread_mutex_unlock(&h->lock);
			release_now(h);
			pthread_mutex_lock(&h->lock);
			continue;
		}
		if (h->want > 0) {
			pid_t pid = h->want;
			guint n;

			h->want = 0;
			h->held = pid;
			pthread_mutex_unlock(&h->lock);
			n = hold(h, pid);
			pthread_mutex_lock(&h->lock);
			h->answer = n;
			h->answered = true;
			pthread_cond_broadcast(&h->done);
			continue;
		}
		if (h->late->len) {
			pthread_mutex_unlock(&h->lock);
			poll_late(h);
			pthread_mutex_lock(&h->lock);
			if (h->late->len)
				until = now_ns() + LATE_POLL_NS;
		}
		if (h->now->len && h->deadline < until)
			until = h->deadline;
		if (h->want <= 0 && !h->release && !h->quit)
			wait_until(h, until);
	}
	pthread_mutex_unlock(&h->lock);
	/* Those that have not stopped yet: the kernel lets them go as this thread ends. */
	release_now(h);
	return NULL;
}

struct ec_holds *ec_holds_new(guint max_ms)
{
	struct ec_holds *h = g_new0(struct ec_holds, 1);
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	h->max_ns = (uint64_t)max_ms * 1000000ull;
	h->now = g_array_new(FALSE, TRUE, sizeof(struct held));
	h->late = g_array_new(FALSE, TRUE, sizeof(struct held));
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&h->done, NULL);
	/* Signals are for the thread that runs the capture, never for the holder. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&h->thread, NULL, holder, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		g_warning("cannot start the thread that holds processes (none will be): %s",
		          g_strerror(rc));
	h->started = rc == 0;
	return h;
}

void ec_holds_only_user(struct ec_holds *h, uid_t uid, gid_t gid)
{
	h->only_uid = true;
	h->uid = uid;
	h->gid = gid;
}

guint ec_hold_process(struct ec_holds *h, pid_t pid)
{
	guint n;
	int owned;

	if (!h->started || pid <= 0)
		return 0;
	owned = h->only_uid ? owned_by(h, pid) : 1;
	if (owned != 1) {
		h->refused += owned == 0; /* not one that is gone */
		return 0;
	}
	pthread_mutex_lock(&h->lock);
	if (pid == h->spent) { /* its bound is spent: another module's hold waits no longer */
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
	h->want = pid;
	h->answered = false;
	pthread_cond_signal(&h->wake);
	while (!h->answered)
		pthread_cond_wait(&h->done, &h->lock);
	n = h->answer;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void ec_hold_release(struct ec_holds *h)
{
	if (!h->started)
		return;
	pthread_mutex_lock(&h->lock);
	h->release = true;
	h->spent = 0;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

guint ec_holds_refused(struct ec_holds *h)
{
	return h->refused;
}

guint ec_holds_expired(struct ec_holds *h)
{
	guint n;

	pthread_mutex_lock(&h->lock);
	n = h->expired;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void ec_holds_free(struct ec_holds *h)
{
	if (!h)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->lock);
		h->quit = true;
		pthread_cond_signal(&h->wake);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
	}
	pthread_cond_destroy(&h->wake);
	pthread_cond_destroy(&h->done);
	pthread_mutex_destroy(&h->lock);
	g_array_unref(h->now);
	g_array_unref(h->late);
	g_free(h);
}
