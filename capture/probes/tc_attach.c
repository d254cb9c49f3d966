// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/tc_attach.h"

#include "ec_error.h"
#include "probes/tc_filters.h"

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
 * A clsact qdisc one of our captures created is marked by a file naming that capture's pid, so
 * that whoever finds it unused later (a concurrent capture stopping after it, a start after it
 * was killed) removes it, and a qdisc someone else made is never touched.
 */
#define EC_QDISC_MARK_DIR "/run/ecapturedump"

static uint32_t our_handle(void)
{
	return EC_TC_HANDLE_TAG << 24 | ((uint32_t)getpid() & 0xffffffu);
}

/* Whether PID is a running capture of ours. */
static bool capture_alive(pid_t pid)
{
	char path[32], comm[32] = "";
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return strcmp(comm, "ecapturedump\n") == 0;
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
static void mark_path(unsigned int ifindex, char *buf, size_t size)
{
	struct stat st;
	unsigned long long netns = stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;

	snprintf(buf, size, EC_QDISC_MARK_DIR "/clsact-%llu-%u", netns, ifindex);
}

/* The pid in IFINDEX's qdisc mark, 0 if there is none. */
static pid_t mark_owner(unsigned int ifindex)
{
	char path[64], text[16] = "";
	FILE *f;

	mark_path(ifindex, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return (pid_t)atoi(text);
}

static void mark_set(unsigned int ifindex)
{
	char path[64], text[16];
	int fd, n;

	mark_path(ifindex, path, sizeof(path));
	if (mkdir(EC_QDISC_MARK_DIR, 0700) && errno != EEXIST)
		goto fail;
	/* Readable by the group: the package's directory is shared by root's and members'
	 * captures (setgid ecapture), which clean up after each other. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		goto fail;
	n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (write(fd, text, (size_t)n) != n) {
		close(fd);
		goto fail;
	}
	close(fd);
	return;
fail:
	g_warning("cannot mark the clsact qdisc we created (%s): %s; if this capture is killed, "
	          "the next one will not remove it",
	          path, g_strerror(errno));
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

/* Remove IFINDEX's clsact qdisc if one of our captures made it, that one is us or gone, and no
 * filter is left on it. */
static void remove_unused_qdisc(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
	            .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	pid_t owner = mark_owner(ifindex);
	g_autoptr(GArray) fs = NULL;
	char path[64];

	if (!owner || (owner != getpid() && capture_alive(owner)))
		return;
	fs = all_filters(ifindex);
	if (!fs || fs->len)
		return;
	bpf_tc_hook_destroy(&hook);
	mark_path(ifindex, path, sizeof(path));
	unlink(path);
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
			    capture_alive(owner))
				continue;
			if (bpf_tc_detach(&hook, &opts) == 0)
				removed++;
		}
	}
	remove_unused_qdisc(ifindex);
	return removed;
}
