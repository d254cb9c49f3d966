// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* memmem */
#include "fuzz_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gchar *scratch;

static void remove_scratch(void)
{
	GDir *d = g_dir_open(scratch, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(scratch, name, NULL);

		unlink(path);
	}
	if (d)
		g_dir_close(d);
	rmdir(scratch);
}

static const char *scratch_dir(void)
{
	const char *base =
	    g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();

	if (scratch)
		return scratch;
	scratch = g_build_filename(base, "ecfuzz-XXXXXX", NULL);
	if (!g_mkdtemp(scratch)) {
		fprintf(stderr, "fuzz: cannot create %s: %s\n", scratch, g_strerror(errno));
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

gchar *fuzz_write_file(const char *name, const uint8_t *data, size_t len)
{
	gchar *path = g_build_filename(scratch_dir(), name, NULL);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot create %s: %s\n", path, g_strerror(errno));
		abort();
	}
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "fuzz: cannot write %s: %s\n", path,
			        n < 0 ? g_strerror(errno) : "short write");
			abort();
		}
		data += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

/* Only what ends the run is worth printing: the reason for the abort that follows. */
static void fuzz_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer user)
{
	(void)user;
	if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
		fprintf(stderr, "fuzz: %s: %s\n", domain ? domain : "log", msg);
}

void fuzz_init_logs(void)
{
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
	g_log_set_default_handler(fuzz_log, NULL);
}

void fuzz_split(const uint8_t *in, size_t in_len, const uint8_t **part, size_t *part_len,
                const uint8_t **rest, size_t *rest_len)
{
	const uint8_t *sep = memmem(in, in_len, FUZZ_SEPARATOR, FUZZ_SEPARATOR_LEN);

	*part = in;
	if (!sep) {
		*part_len = in_len;
		*rest = in + in_len;
		*rest_len = 0;
		return;
	}
	*part_len = (size_t)(sep - in);
	*rest = sep + FUZZ_SEPARATOR_LEN;
	*rest_len = in_len - *part_len - FUZZ_SEPARATOR_LEN;
}
