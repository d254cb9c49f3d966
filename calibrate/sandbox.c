// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* setgroups, memfd_create */
#include "sandbox.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/*
 * PATH opened for reading. "/proc/self/fd/N" is a descriptor our parent opened and left to us
 * (we may run without the rights to open the file again): a copy of it.
 */
static int open_path(const char *path)
{
	int n, used = 0;

	if (sscanf(path, "/proc/self/fd/%d%n", &n, &used) == 1 && path[used] == '\0' && n > 2)
		return fcntl(n, F_DUPFD_CLOEXEC, 3);
	return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/*
 * PATH copied into a memfd: after the privilege drop, dlopen re-opens /proc/self/fd/N with
 * nobody's rights, which a root-only (0600) library would refuse; a memfd is readable. It is
 * also a snapshot: the file cannot change between loading and measuring.
 */
static int open_lib(const char *path)
{
	struct stat st;
	int fd = open_path(path), mfd = -1;
	off_t off = 0;

	if (fd < 0) {
		report_fail("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		report_fail("%s is not a regular file", path);
		goto out;
	}
	mfd = memfd_create("ecapture-calibrate-lib", MFD_CLOEXEC);
	if (mfd < 0) {
		report_fail("memfd_create: %s", strerror(errno));
		goto out;
	}
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, fd, &off, (size_t)(st.st_size - off));

		if (n <= 0) {
			report_fail("cannot read %s: %s", path,
			            n < 0 ? strerror(errno) : "truncated");
			close(mfd);
			mfd = -1;
			goto out;
		}
	}
out:
	close(fd);
	return mfd;
}

/* DIR/libcrypto<rest> for DIR/libssl<rest>; 0 if that file exists. */
static int sibling_crypto(const char *ssl_path, char *out, size_t len)
{
	char copy[4096], copy2[4096];
	const char *base;
	int n;

	if (snprintf(copy, sizeof(copy), "%s", ssl_path) >= (int)sizeof(copy))
		return -1;
	memcpy(copy2, copy, sizeof(copy));
	base = basename(copy2);
	if (strncmp(base, "libssl", 6) != 0)
		return -1;
	n = snprintf(out, len, "%s/libcrypto%s", dirname(copy), base + 6);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return access(out, R_OK) == 0 ? 0 : -1;
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) < 0 || setgid(SANDBOX_GID) < 0 || setuid(SANDBOX_UID) < 0) {
		report_fail("cannot drop privileges to %d: %s", SANDBOX_UID, strerror(errno));
		return -1;
	}
	if (getuid() != SANDBOX_UID || geteuid() != SANDBOX_UID || setuid(0) == 0) {
		report_fail("privileges were not dropped");
		return -1;
	}
	/* setuid made us non-dumpable, which hides /proc/self/fd from ourselves */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) {
		report_fail("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether this process still holds any capability (permitted or effective). */
static bool has_capabilities(void)
{
	char line[128];
	bool any = true; /* unreadable: assume the worst */
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CapPrm:", 7) || !strncmp(line, "CapEff:", 7)) {
			any = strtoull(line + 7, NULL, 16) != 0;
			if (any)
				break;
		}
	}
	fclose(f);
	return any;
}

static void *load_fd(int fd, int flags, const char *path)
{
	char name[64];
	void *h;

	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	h = dlopen(name, flags);
	if (!h)
		report_fail("cannot load %s: %s", path, dlerror());
	return h;
}

int sandbox_load(const char *ssl_path, const char *crypto_path, struct sandbox *sb)
{
	int ssl_fd, crypto_fd = -1;
	int rc = -1;

	memset(sb, 0, sizeof(*sb));
	if (crypto_path)
		snprintf(sb->crypto_path, sizeof(sb->crypto_path), "%s", crypto_path);
	else if (sibling_crypto(ssl_path, sb->crypto_path, sizeof(sb->crypto_path)) < 0)
		sb->crypto_path[0] = '\0';

	ssl_fd = open_lib(ssl_path);
	if (ssl_fd < 0)
		return -1;
	if (sb->crypto_path[0] && (crypto_fd = open_lib(sb->crypto_path)) < 0)
		goto out;

	if ((getuid() == 0 || geteuid() == 0) && drop_privileges() < 0)
		goto out;
	if (has_capabilities()) {
		report_fail("started with capabilities: the library under test must run without any");
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		report_fail("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		goto out;
	}
	sb->uid = geteuid();

	/*
	 * libcrypto first and global: glibc then satisfies libssl's DT_NEEDED libcrypto.so.N with
	 * it (a loaded object matches by soname) instead of searching the host's directories.
	 */
	if (crypto_fd >= 0 &&
	    !(sb->crypto = load_fd(crypto_fd, RTLD_NOW | RTLD_GLOBAL, sb->crypto_path)))
		goto out;
	sb->ssl = load_fd(ssl_fd, RTLD_NOW | RTLD_LOCAL, ssl_path);
	if (!sb->ssl)
		goto out;
	if (!sb->crypto) {
		sb->crypto = sb->ssl; /* dlsym on libssl also searches its dependencies */
	} else if (dlsym(sb->ssl, "ERR_get_error") != dlsym(sb->crypto, "ERR_get_error")) {
		report_fail("%s did not bind to %s (different soname?)", ssl_path, sb->crypto_path);
		goto out;
	}
	rc = 0;
out:
	if (crypto_fd >= 0)
		close(crypto_fd);
	close(ssl_fd);
	return rc;
}
