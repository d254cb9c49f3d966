// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* unshare, CLONE_*, setgroups */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "report.h"
#include "sandbox.h"
#include "scan.h"
#include "seccomp.h"

#define NS_FLAGS  (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
#define ROOT_DIR  "/tmp" /* where the empty root is mounted, in our own mount namespace */
#define CPU_S     8
#define AS_BYTES  (2UL << 30)
#define FILES_MAX 1024 /* room for the distinctive fd numbers (731 ...) */

static void add_word(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 1 < len)
		buf[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

#define HAVE(...) add_word(r->have, sizeof(r->have), __VA_ARGS__)
#define MISS(...) add_word(r->missing, sizeof(r->missing), __VA_ARGS__)

/* Whether this process holds any capability (permitted or effective), in its user namespace. */
static bool has_capabilities(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return true; /* unknown: assume the worst */
	return c[0].permitted | c[0].effective | c[1].permitted | c[1].effective;
}

static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	return (int)syscall(SYS_capset, &h, c);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int errsv;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	errsv = errno;
	close(fd);
	errno = errsv;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Our own ids, the only ones a user may map into its new user namespace. */
static int map_ids(uid_t uid, gid_t gid)
{
	char line[64];

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)uid, (unsigned int)uid);
	if (write_file("/proc/self/uid_map", line) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny\n") < 0 && errno != ENOENT)
		return -1;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)gid, (unsigned int)gid);
	return write_file("/proc/self/gid_map", line);
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setgid(SANDBOX_GID) < 0 || setuid(SANDBOX_UID) < 0) {
		report_fail("cannot drop privileges to %d: %s", SANDBOX_UID, strerror(errno));
		return -1;
	}
	if (getuid() != SANDBOX_UID || geteuid() != SANDBOX_UID || setuid(0) == 0) {
		report_fail("privileges were not dropped");
		return -1;
	}
	return 0;
}

/*
 * The first process of the new PID namespace runs the library; this one waits for it and exits
 * as it did. Never returns here: returns 0 in the child, -1 if the fork failed.
 */
static int fork_into_pid_ns(bool as_root)
{
	pid_t child;
	int status;

	fflush(stdout); /* nothing printed so far is printed twice */
	child = fork();
	if (child < 0) {
		report_fail("fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0)
		return 0;
	if (as_root)
		(void)drop_to_nobody(); /* only waits: needs nothing */
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(127);
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

/* DEP's bytes as the file NAME in directory DIR, read-only. */
static int place_copy(int dir, const char *name, const struct dep *dep)
{
	struct stat st;
	off_t off = 0;
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555);

	if (fd < 0)
		return -1;
	if (fstat(dep->fd, &st) < 0)
		goto fail;
	while (off < st.st_size) {
		if (sendfile(fd, dep->fd, &off, (size_t)(st.st_size - off)) <= 0)
			goto fail;
	}
	return close(fd);
fail:
	close(fd);
	return -1;
}

/* A new tmpfs with only D's files as our root, read-only. 0, or -1 with what failed in R. */
static int empty_root(struct deps *d, struct confine_report *r)
{
	const char *step = "mount --make-rprivate /";
	int dir = -1;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	step = "mount tmpfs";
	if (mount("ecapture-calibrate", ROOT_DIR, "tmpfs", MS_NOSUID | MS_NODEV,
	          "mode=0755,size=512m") < 0)
		goto fail;
	step = "open the new root";
	dir = open(ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		goto fail;
	step = "copy the libraries";
	for (int i = 0; i < d->n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d.so", i);
		if (place_copy(dir, name, &d->d[i]) < 0)
			goto fail;
	}
	step = "enter the new root";
	if (fchdir(dir) < 0)
		goto fail;
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		step = "detach the old root";
		if (umount2(".", MNT_DETACH) < 0)
			goto fail;
		HAVE("pivot_root");
	} else if (chroot(".") == 0) {
		HAVE("chroot");
	} else {
		goto fail;
	}
	step = "chdir /";
	if (chdir("/") < 0)
		goto fail;
	step = "remount the root read-only";
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		goto fail;
	close(dir);
	for (int i = 0; i < d->n; i++) {
		snprintf(d->d[i].load, sizeof(d->d[i].load), "/%d.so", i);
		close(d->d[i].fd); /* the copies are all the library gets */
		d->d[i].fd = -1;
	}
	HAVE("emptyroot");
	return 0;
fail:
	MISS("emptyroot(%s: %s)", step, strerror(errno));
	if (dir >= 0)
		close(dir);
	return -1;
}

static void set_limit(int resource, rlim_t value, struct confine_report *r, const char *name)
{
	struct rlimit rl = {value, value};

	if (setrlimit(resource, &rl) < 0)
		MISS("rlimit-%s(%s)", name, strerror(errno));
}

static void set_limits(struct confine_report *r)
{
	struct rlimit files;
	struct stat out;

	set_limit(RLIMIT_CPU, CPU_S, r, "cpu");
#ifndef EC_UNDER_ASAN
	set_limit(RLIMIT_AS, AS_BYTES, r, "as");
#endif
	set_limit(RLIMIT_NPROC, 0, r, "nproc");
	if (fstat(STDOUT_FILENO, &out) < 0 || !S_ISREG(out.st_mode)) /* run by hand into a file */
		set_limit(RLIMIT_FSIZE, 0, r, "fsize");
	set_limit(RLIMIT_CORE, 0, r, "core");
	set_limit(RLIMIT_MEMLOCK, 0, r, "memlock");
	set_limit(RLIMIT_MSGQUEUE, 0, r, "msgqueue");
	if (getrlimit(RLIMIT_NOFILE, &files) == 0)
		set_limit(RLIMIT_NOFILE, files.rlim_cur < FILES_MAX ? files.rlim_cur : FILES_MAX, r,
		          "nofile");
	HAVE("rlimits");
}

/* In the PID namespace's first process: our mappings kept readable, then the empty root. */
static bool enter_empty_root(struct deps *d, struct confine_report *r)
{
	/* before the root is emptied: the measurements read our own mappings */
	if (scan_keep_maps() < 0)
		MISS("maps(%s)", strerror(errno));
	return empty_root(d, r) == 0;
}

int confine_enter(struct deps *d, struct confine_report *r)
{
	bool root = geteuid() == 0 || getuid() == 0, ns = false, rooted = false;
	uid_t uid = getuid();
	gid_t gid = getgid();

	r->have[0] = r->missing[0] = '\0';
	for (int i = 0; i < d->n; i++)
		snprintf(d->d[i].load, sizeof(d->d[i].load), "/proc/self/fd/%d", d->d[i].fd);
	/* no controlling terminal: a session of our own (already one when the engine ran us) */
	if (setsid() >= 0 || getsid(0) == getpid())
		HAVE("session");
	else
		MISS("session(%s)", strerror(errno));
	if (!root && has_capabilities()) {
		report_fail(
		    "started with capabilities: the library under test must run without any");
		return -1;
	}
	/* as root: the namespaces and the empty root first, then nobody */
	if (root && unshare(NS_FLAGS) == 0) {
		ns = true;
		HAVE("pidns mntns netns ipcns utsns");
		if (fork_into_pid_ns(true) < 0)
			return -1;
		rooted = enter_empty_root(d, r);
	} else if (root) {
		MISS("namespaces(%s)", strerror(errno));
	}
	if (root) {
		if (drop_to_nobody() < 0)
			return -1;
		HAVE("nobody");
		uid = getuid();
		gid = getgid();
	}
	/* as a user (or nobody): in a user namespace of our own, which owns nothing of the host's
	 */
	if (unshare(CLONE_NEWUSER | (ns ? 0 : NS_FLAGS)) == 0) {
		if (!ns && map_ids(uid, gid) < 0) {
			report_fail("cannot map our ids in the user namespace: %s",
			            strerror(errno));
			return -1;
		}
		HAVE(ns ? "userns" : "userns pidns mntns netns ipcns utsns");
		if (!ns) {
			ns = true;
			if (fork_into_pid_ns(false) < 0)
				return -1;
			rooted = enter_empty_root(d, r);
		}
	} else {
		MISS("%s(%s)", ns ? "userns" : "userns+namespaces", strerror(errno));
	}
	if (!ns && scan_keep_maps() < 0)
		MISS("maps(%s)", strerror(errno));
	/* the full set a new user namespace gives its creator, over nothing of the host's */
	if (has_capabilities() && drop_capabilities() < 0) {
		report_fail("cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (has_capabilities()) {
		report_fail("capabilities left after dropping them");
		return -1;
	}
	/* setuid made us non-dumpable, which hides /proc/self/fd (our copies) from ourselves */
	if (!rooted && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) {
		report_fail("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		return -1;
	}
	set_limits(r);
	/* after the last change of credentials, which clears it: if our waiting parent is
	 * killed (the engine's time limit), so are we, and with us the whole PID namespace */
	if (ns && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		MISS("pdeathsig(%s)", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		report_fail("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	if (seccomp_install() < 0)
		return -1;
	HAVE("seccomp");
	return 0;
}
