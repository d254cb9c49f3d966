// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/tc_attach.h"

#include "ec_error.h"
#include "probes/tc_filters.h"
#include "targets/processes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>


/*
 * Our clsact filters have this priority and a handle that names the capture that owns it
 * (EC_TC_HANDLE_TAG in the top byte, its pid below), so concurrent captures never replace or
 * remove each other's, and a sweep removes only those whose capture is gone. 0xec01 is the one
 * handle of earlier versions.
 */
#define EC_TC_PRIORITY   0xec
#define EC_TC_HANDLE_TAG 0xecu
#define EC_TC_OLD_HANDLE 0xec01u

/* Our TC programs' names start with this (see bpf/tc_capture.bpf.c). */
#define EC_TC_PROG_PREFIX "ec_tc_"

/*
 * A clsact qdisc one of our captures created is marked by a file naming that capture (pid and
 * start time), so that whoever finds it unused later (a concurrent capture stopping after it, a
 * start after it was killed) removes it, and a qdisc someone else made is never touched.
 *
 * The directory is root's: 0700 when a root capture makes it, root:ecapture 1770 from the
 * package (members' captures, the privileged copy with file capabilities but their own uid, mark
 * the qdiscs they create; the sticky bit keeps them from removing or replacing anyone else's
 * marks). Any other owner or mode (writable by others, or by the group without the sticky bit)
 * and no mark is used at all. A mark is believed only if it is a regular file with one link, not
 * writable by group or others, owned by root or by our own uid, small and well formed: anything
 * else (a FIFO, a symbolic link, a mark a member made for a root capture) is ignored and named in
 * the log. A qdisc this capture created is removed at its stop whatever the marks say.
 */
#define EC_QDISC_MARK_DIR  "/run/ecapturedump"
#define EC_QDISC_MARK_SIZE 64 /* a mark holds "PID START\n" */

struct mark {
	pid_t pid;
	unsigned long long start; /* the capture's start time (/proc/PID/stat); 0: unknown */
};

enum mark_state {
	MARK_NONE,    /* no mark */
	MARK_OK,      /* a mark we believe */
	MARK_IGNORED, /* something there that is not one (logged) */
};

/* The interfaces whose clsact qdisc this capture created (ifindex; our network namespace). */
static GHashTable *created_here;

static uint32_t our_handle(void)
{
	return EC_TC_HANDLE_TAG << 24 | ((uint32_t)getpid() & 0xffffffu);
}

/* PID's start time, in clock ticks after boot (field 22 of /proc/PID/stat); 0 if unknown. */
static unsigned long long start_time(pid_t pid)
{
	char path[32], buf[512];
	unsigned long long t = 0;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* the name may hold anything, but not after its ')' */
	if (!p)
		return 0;
	/* Fields 3 to 21 (state ... itrealvalue), then starttime. */
	if (sscanf(p + 1,
	           " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
	           "%*d %llu",
	           &t) != 1)
		return 0;
	return t;
}

/* Whether the capture M names is running (a pid reused by another process is not it). */
static bool capture_alive(const struct mark *m)
{
	char comm[32];

	if (m->pid <= 0 || !ec_proc_comm(m->pid, comm, sizeof(comm)))
		return false;
	return strcmp(comm, "ecapturedump") == 0 && (!m->start || start_time(m->pid) == m->start);
}

/* The capture that owns filter HANDLE; 0: an earlier version's, whose owner is unknown. */
static pid_t handle_owner(uint32_t handle)
{
	return handle >> 24 == EC_TC_HANDLE_TAG ? (pid_t)(handle & 0xffffffu) : 0;
}

/*
 * An interface index means something only in its network namespace (lo is 1 in every one), and
 * captures in other namespaces (ecapturedump run over ssh in a container, ip netns exec) share
 * /run: the mark names the namespace too.
 */
static void mark_name(unsigned int ifindex, char *buf, size_t size)
{
	struct stat st;
	unsigned long long netns = stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;

	snprintf(buf, size, "clsact-%llu-%u", netns, ifindex);
}

/*
 * The marks' directory, made (0700) if missing; -1 (errno set) if it cannot be had, or
 * (EPERM, said once in the log) if it is not safe to believe what is in it.
 */
static int mark_dir(void)
{
	static bool unsafe_told;
	struct stat st;
	int fd;

	if (mkdir(EC_QDISC_MARK_DIR, 0700) && errno != EEXIST)
		return -1;
	fd = open(EC_QDISC_MARK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & S_IWOTH) ||
	    ((st.st_mode & S_IWGRP) && !(st.st_mode & S_ISVTX))) {
		if (!unsafe_told)
			g_warning(EC_QDISC_MARK_DIR
			          " is not safe (owner uid %u, mode %04o: it must "
			          "be root's, and a directory the group can write "
			          "needs the sticky bit): its qdisc marks are not used",
			          (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		unsafe_told = true;
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* What the mark NAME in DIR says, into M; anything that is not a mark we believe is logged. */
static enum mark_state mark_read(int dir, const char *name, struct mark *m)
{
	char text[EC_QDISC_MARK_SIZE + 1], end = 0;
	const char *why = NULL;
	struct stat st;
	ssize_t n = 0;
	int fd, fields;

	memset(m, 0, sizeof(*m));
	/* Never through a link, never blocking on a FIFO. */
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return MARK_NONE;
		why = errno == ELOOP ? "a symbolic link" : g_strerror(errno);
		goto ignored;
	}
	if (fstat(fd, &st))
		why = g_strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != 0 && st.st_uid != getuid())
		why = "owned by another user";
	else if (st.st_nlink != 1 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		why = "more than one link, or writable by others";
	else if (st.st_size > EC_QDISC_MARK_SIZE)
		why = "too long";
	else if ((n = read(fd, text, EC_QDISC_MARK_SIZE)) < 0)
		why = g_strerror(errno);
	close(fd);
	if (why)
		goto ignored;
	text[n] = 0;
	/* "PID START\n", or "PID\n" from earlier versions. */
	fields = sscanf(text, "%d %llu%c", &m->pid, &m->start, &end);
	if (!(fields == 3 && end == '\n') &&
	    !(sscanf(text, "%d%c", &m->pid, &end) == 2 && end == '\n' && (m->start = 0, true))) {
		why = "not a mark";
		goto ignored;
	}
	if (m->pid > 0)
		return MARK_OK;
	why = "not a mark";
ignored:
	g_warning("ignored " EC_QDISC_MARK_DIR "/%s: %s", name, why);
	return MARK_IGNORED;
}

/* What IFINDEX's mark says: MARK_NONE also when the directory cannot be used. */
static enum mark_state mark_owner(unsigned int ifindex, struct mark *m)
{
	char name[64];
	enum mark_state st;
	int dir = mark_dir();

	memset(m, 0, sizeof(*m));
	if (dir < 0)
		return MARK_NONE;
	mark_name(ifindex, name, sizeof(name));
	st = mark_read(dir, name, m);
	close(dir);
	return st;
}

static void mark_remove(unsigned int ifindex)
{
	char name[64];
	int dir = mark_dir();

	if (dir < 0)
		return;
	mark_name(ifindex, name, sizeof(name));
	unlinkat(dir, name, 0);
	close(dir);
}

static void mark_set(unsigned int ifindex)
{
	char name[64], text[EC_QDISC_MARK_SIZE];
	struct mark old;
	int dir, fd = -1, n;

	if (!created_here)
		created_here = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_add(created_here, GUINT_TO_POINTER(ifindex));
	mark_name(ifindex, name, sizeof(name));
	dir = mark_dir();
	if (dir < 0)
		goto fail;
	/* Readable by all: members' captures clean up after root's. */
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	/*
	 * The qdisc did not exist until now: whatever has the mark's name is over (named in the log
	 * if it was no mark). Removed if we may (the sticky bit keeps a member's capture from
	 * removing another user's).
	 */
	if (fd < 0 && errno == EEXIST) {
		mark_read(dir, name, &old);
		if (unlinkat(dir, name, 0) == 0)
			fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			            0644);
	}
	if (fd < 0)
		goto fail;
	n = snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), start_time(getpid()));
	if (write(fd, text, (size_t)n) != n)
		goto fail;
	close(fd);
	close(dir);
	return;
fail:
	g_warning("cannot mark the clsact qdisc we created (" EC_QDISC_MARK_DIR "/%s): %s; if this "
	          "capture is killed, the next one will not remove it",
	          name, g_strerror(errno));
	if (fd >= 0)
		close(fd);
	if (dir >= 0)
		close(dir);
}

/* Every filter on IFINDEX's clsact hooks; NULL if they cannot be listed. */
static GArray *all_filters(unsigned int ifindex)
{
	g_autoptr(GError) err = NULL;
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct ec_tc_filter));

	if (ec_tc_list_filters(ifindex, true, fs, &err) ||
	    ec_tc_list_filters(ifindex, false, fs, &err)) {
		g_warning("%s", err->message);
		g_array_unref(fs);
		return NULL;
	}
	return fs;
}

/*
 * Remove IFINDEX's clsact qdisc if no filter is left on it and this capture created it, or a mark
 * we believe names a capture of ours that is gone (or this one).
 */
static void remove_unused_qdisc(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
	            .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	bool ours = created_here && g_hash_table_contains(created_here, GUINT_TO_POINTER(ifindex));
	g_autoptr(GArray) fs = NULL;
	struct mark m;
	enum mark_state st = mark_owner(ifindex, &m);
	/* Naming our pid: this capture, or one that had the pid before us. */
	bool mark_gone = st == MARK_OK && (m.pid == getpid() || !capture_alive(&m));

	if (!ours && !mark_gone)
		return;
	fs = all_filters(ifindex);
	if (!fs || fs->len)
		return;
	bpf_tc_hook_destroy(&hook);
	if (created_here)
		g_hash_table_remove(created_here, GUINT_TO_POINTER(ifindex));
	if (mark_gone)
		mark_remove(ifindex);
}

static int attach_tcx(int prog_fd, unsigned int ifindex, bool ingress)
{
	return bpf_link_create(prog_fd, ifindex, ingress ? EC_BPF_TCX_INGRESS : EC_BPF_TCX_EGRESS,
	                       NULL);
}

static int attach_clsact(int prog_fd, struct ec_tc_link *l)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
	            .attach_point = l->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = our_handle(),
	            .priority = EC_TC_PRIORITY, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	if (err == 0)
		mark_set(l->ifindex);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		remove_unused_qdisc(l->ifindex);
	return err;
}

int ec_tc_attach(int prog_fd, unsigned int ifindex, bool ingress, bool force_legacy,
                 struct ec_tc_link *out, GError **err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->ifindex = ifindex;
	out->ingress = ingress;
	out->link_fd = -1;
	if (!force_legacy) {
		ret = attach_tcx(prog_fd, ifindex, ingress);
		if (ret >= 0) {
			out->link_fd = ret;
			return 0;
		}
		/* EINVAL: this kernel has no tcx; anything else is a real failure. */
		if (errno != EINVAL) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
			            "cannot attach the TC program (tcx %s, ifindex %u): %s",
			            ingress ? "ingress" : "egress", ifindex, g_strerror(errno));
			return -1;
		}
	}
	out->legacy = true;
	ret = attach_clsact(prog_fd, out);
	if (ret) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED,
		            "cannot attach the TC program (clsact %s, ifindex %u): %s",
		            ingress ? "ingress" : "egress", ifindex, g_strerror(-ret));
		return -1;
	}
	return 0;
}

void ec_tc_detach(struct ec_tc_link *l)
{
	if (!l->legacy) {
		if (l->link_fd >= 0)
			close(l->link_fd);
		l->link_fd = -1;
		return;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
	            .attach_point = l->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = our_handle(), .priority = EC_TC_PRIORITY);
	bpf_tc_detach(&hook, &opts);
	remove_unused_qdisc(l->ifindex);
	l->legacy = false;
}

static bool is_our_prog(unsigned int prog_id)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool ours;

	if (fd < 0)
		return false;
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	       strncmp(info.name, EC_TC_PROG_PREFIX, strlen(EC_TC_PROG_PREFIX)) == 0;
	close(fd);
	return ours;
}

int ec_tc_sweep_stale(unsigned int ifindex)
{
	int removed = 0;

	for (int ingress = 0; ingress < 2; ingress++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		            .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		g_autoptr(GArray) fs = g_array_new(FALSE, FALSE, sizeof(struct ec_tc_filter));
		g_autoptr(GError) err = NULL;

		if (ec_tc_list_filters(ifindex, ingress, fs, &err)) {
			g_warning("%s", err->message);
			continue;
		}
		for (guint i = 0; i < fs->len; i++) {
			const struct ec_tc_filter *f = &g_array_index(fs, struct ec_tc_filter, i);
			LIBBPF_OPTS(bpf_tc_opts, opts, .handle = f->handle,
			            .priority = f->priority);
			pid_t owner = handle_owner(f->handle);

			if (f->priority != EC_TC_PRIORITY || !is_our_prog(f->prog_id) ||
			    (!owner && f->handle != EC_TC_OLD_HANDLE) || owner == getpid() ||
			    capture_alive(&(struct mark){.pid = owner}))
				continue;
			if (bpf_tc_detach(&hook, &opts) == 0)
				removed++;
		}
	}
	remove_unused_qdisc(ifindex);
	return removed;
}
