// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/escape.h"
#include "private_file.h"

static GLogLevelFlags threshold = G_LOG_LEVEL_MESSAGE;
static FILE *log_file;
static bool quiet_stderr;
static ec_log_sink sink;
static void *sink_data;

void ec_log_set_sink(ec_log_sink fn, void *data)
{
	sink = fn;
	sink_data = data;
}

static GLogLevelFlags parse_level(const char *s)
{
	static const struct {
		const char *name;
		GLogLevelFlags level;
	} levels[] = {
	    {"error", G_LOG_LEVEL_ERROR},     {"critical", G_LOG_LEVEL_CRITICAL},
	    {"warning", G_LOG_LEVEL_WARNING}, {"message", G_LOG_LEVEL_MESSAGE},
	    {"info", G_LOG_LEVEL_INFO},       {"debug", G_LOG_LEVEL_DEBUG},
	    {"noisy", G_LOG_LEVEL_DEBUG},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
		if (g_ascii_strcasecmp(s, levels[i].name) == 0)
			return levels[i].level;
	return 0;
}

static const char *level_name(GLogLevelFlags l)
{
	if (l & G_LOG_LEVEL_ERROR)
		return "error";
	if (l & G_LOG_LEVEL_CRITICAL)
		return "critical";
	if (l & G_LOG_LEVEL_WARNING)
		return "warning";
	if (l & G_LOG_LEVEL_MESSAGE)
		return "message";
	if (l & G_LOG_LEVEL_INFO)
		return "info";
	return "debug";
}

static void handler(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	GLogLevelFlags l = level & G_LOG_LEVEL_MASK;
	g_autoptr(GString) line = NULL;

	(void)domain;
	(void)data;
	/* GLib levels: a lower bit is more severe. */
	if (l > threshold)
		return;
	/* Messages carry names and paths from traced processes: one line, nothing that drives a
	 * terminal. */
	line = g_string_sized_new(256);
	ec_escape_append(line, msg, strlen(msg), "\t");
	if (log_file) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(log_file, "%lld.%06ld ecapturedump %s: %s\n", (long long)ts.tv_sec,
		        ts.tv_nsec / 1000, level_name(l), line->str);
		fflush(log_file);
	}
	if (!quiet_stderr)
		fprintf(stderr, "ecapturedump: %s\n", line->str);
	if (sink)
		sink(l, line->str, sink_data);
}

int ec_log_setup(const char *level, const char *file, bool extcap_child, GError **err)
{
	if (level) {
		GLogLevelFlags l = parse_level(level);

		if (!l) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "unknown log level \"%s\"", level);
			return -1;
		}
		threshold = l;
	}
	if (file && *file) {
		bool created;
		int fd = ec_private_file_open("log file", file, EC_PRIVATE_APPEND, &created, err);

		if (fd < 0)
			return -1;
		log_file = fdopen(fd, "a");
		if (!log_file) {
			int e = errno;

			close(fd);
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			            "cannot open log file %s: %s", file, g_strerror(e));
			return -1;
		}
	}
	quiet_stderr = extcap_child;
	g_log_set_default_handler(handler, NULL);
	return 0;
}
