// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probes/process_hold: every thread of a process stopped, then let go; a signal sent meanwhile
 * still arrives; its parent never sees a stop. A child of ours is held (ptrace allows that
 * without privileges).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>

#include "probes/process_hold.h"

#define THREADS 3 /* the main thread and two more */

static int report_fd = -1;

static void on_usr1(int sig)
{
	(void)sig;
	if (write(report_fd, "U", 1) < 0)
		_exit(3);
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		usleep(1000);
	return NULL;
}

/* The next byte from the child, or 0 after TIMEOUT_MS. */
static char child_says(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c = 0;

	if (poll(&p, 1, timeout_ms) == 1 && read(fd, &c, 1) != 1)
		c = 0;
	return c;
}

/* A child with THREADS threads that writes 'R' when they run (awaited) and 'U' on each SIGUSR1. */
static pid_t start_child(int *from_child)
{
	int fds[2];
	pid_t pid;

	g_assert_cmpint(pipe(fds), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		pthread_t t;

		close(fds[0]);
		report_fd = fds[1];
		signal(SIGUSR1, on_usr1);
		for (int i = 1; i < THREADS; i++)
			if (pthread_create(&t, NULL, spin, NULL))
				_exit(2);
		if (write(report_fd, "R", 1) < 0)
			_exit(3);
		spin(NULL);
	}
	close(fds[1]);
	*from_child = fds[0];
	g_assert_cmpint(child_says(fds[0], 5000), ==, 'R');
	return pid;
}

/* How many threads of PID are in a ptrace stop ('t' in /proc/PID/task/TID/stat). */
static guint threads_traced(pid_t pid)
{
	g_autofree char *dir = g_strdup_printf("/proc/%d/task", (int)pid);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *tid;
	guint n = 0;

	g_assert_nonnull(d);
	while ((tid = g_dir_read_name(d))) {
		g_autofree char *path = g_strdup_printf("%s/%s/stat", dir, tid);
		g_autofree char *stat = NULL;
		const char *end;

		g_assert_true(g_file_get_contents(path, &stat, NULL, NULL));
		end = strrchr(stat, ')');
		g_assert_nonnull(end);
		n += end[2] == 't';
	}
	return n;
}

/* Whether any thread of PID still has a tracer. */
static bool any_traced(pid_t pid)
{
	g_autofree char *dir = g_strdup_printf("/proc/%d/task", (int)pid);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *tid;
	bool traced = false;

	while (d && (tid = g_dir_read_name(d))) {
		g_autofree char *path = g_strdup_printf("%s/%s/status", dir, tid);
		g_autofree char *status = NULL;
		const char *line;

		if (g_file_get_contents(path, &status, NULL, NULL) &&
		    (line = strstr(status, "TracerPid:")))
			traced |= atoi(line + 10) != 0;
	}
	return traced;
}

/* Every thread let go: none in a stop, none with a tracer (within a second). */
static void assert_let_go(pid_t pid)
{
	for (int i = 0; i < 100 && (threads_traced(pid) || any_traced(pid)); i++)
		usleep(10000);
	g_assert_cmpuint(threads_traced(pid), ==, 0);
	g_assert_false(any_traced(pid));
}

static void stop_child(pid_t pid, int fd)
{
	int st;

	kill(pid, SIGKILL);
	g_assert_cmpint(waitpid(pid, &st, 0), ==, pid);
	close(fd);
}

static void test_holds_every_thread(void)
{
	struct ec_holds *h = ec_holds_new(10000);
	int fd;
	pid_t pid = start_child(&fd);
	int st;

	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	g_assert_cmpuint(threads_traced(pid), ==, THREADS);
	ec_hold_release(h);
	assert_let_go(pid);
	/* Its parent (us, here) is told of no stop. */
	g_assert_cmpint(waitpid(pid, &st, WUNTRACED | WNOHANG), ==, 0);
	stop_child(pid, fd);
	ec_holds_free(h);
}

static void test_signal_passed_on(void)
{
	struct ec_holds *h = ec_holds_new(10000);
	int fd;
	pid_t pid = start_child(&fd);

	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	g_assert_cmpint(kill(pid, SIGUSR1), ==, 0);
	g_assert_cmpint(child_says(fd, 200), ==, 0); /* held: its handler cannot run */
	ec_hold_release(h);
	g_assert_cmpint(child_says(fd, 5000), ==, 'U');
	assert_let_go(pid);
	stop_child(pid, fd);
	ec_holds_free(h);
}

static void test_gone_process(void)
{
	struct ec_holds *h = ec_holds_new(10000);
	int fd;
	pid_t pid = start_child(&fd);

	stop_child(pid, fd);
	g_assert_cmpuint(ec_hold_process(h, pid), ==, 0);
	ec_hold_release(h);
	ec_holds_free(h);
}

/* Held and never released: let go by the bound all the same, and counted. */
static void test_bound(void)
{
	struct ec_holds *h = ec_holds_new(300);
	int fd;
	pid_t pid = start_child(&fd);

	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	g_assert_cmpuint(ec_holds_expired(h), ==, 0);
	/* The caller is busy (blocked in a write, say): no release comes. */
	for (int i = 0; i < 200 && threads_traced(pid); i++)
		usleep(10000);
	assert_let_go(pid);
	g_assert_cmpuint(ec_holds_expired(h), ==, 1);
	/* Its bound is spent until the release: not held again meanwhile. */
	g_assert_cmpuint(ec_hold_process(h, pid), ==, 0);
	g_assert_cmpuint(threads_traced(pid), ==, 0);
	ec_hold_release(h); /* late: nothing left to let go */
	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	ec_hold_release(h);
	assert_let_go(pid);
	stop_child(pid, fd);
	ec_holds_free(h);
}

/* A process of another user or group is refused (not held, counted); the user's own is held. */
static void test_only_uid(void)
{
	struct ec_holds *h = ec_holds_new(10000);
	int fd;
	pid_t pid = start_child(&fd);

	ec_holds_only_user(h, getuid() + 1, getgid());
	g_assert_cmpuint(ec_hold_process(h, pid), ==, 0);
	g_assert_cmpuint(threads_traced(pid), ==, 0);
	g_assert_cmpuint(ec_holds_refused(h), ==, 1);
	ec_holds_only_user(h, getuid(), getgid() + 1);
	g_assert_cmpuint(ec_hold_process(h, pid), ==, 0);
	g_assert_cmpuint(ec_holds_refused(h), ==, 2);
	ec_holds_only_user(h, getuid(), getgid());
	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	g_assert_cmpuint(ec_holds_refused(h), ==, 2);
	ec_hold_release(h);
	assert_let_go(pid);
	stop_child(pid, fd);
	ec_holds_free(h);
}

/* Freed while holding: every thread let go. */
static void test_free_lets_go(void)
{
	struct ec_holds *h = ec_holds_new(10000);
	int fd;
	pid_t pid = start_child(&fd);

	g_assert_cmpuint(ec_hold_process(h, pid), ==, THREADS);
	ec_holds_free(h);
	assert_let_go(pid);
	stop_child(pid, fd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/process_hold/every_thread", test_holds_every_thread);
	g_test_add_func("/process_hold/signal_passed_on", test_signal_passed_on);
	g_test_add_func("/process_hold/gone_process", test_gone_process);
	g_test_add_func("/process_hold/bound", test_bound);
	g_test_add_func("/process_hold/only_uid", test_only_uid);
	g_test_add_func("/process_hold/free_lets_go", test_free_lets_go);
	return g_test_run();
}
