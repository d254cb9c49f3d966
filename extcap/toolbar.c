// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The interface toolbar (toolbar.h). Wireshark opens its ends of the two control pipes when the
 * capture has started (the GUI's main thread opens our input for writing, a reader thread our
 * output for reading, each waiting for us), so we open ours without waiting: the input at
 * once, the output as soon as Wireshark reads it (until then what we send waits, bounded).
 * Writes never block the capture: what the pipe cannot take now waits in a bounded buffer.
 */
#include "toolbar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "control_frame.h"
#include "log.h"
#include "user_rights.h"

/* The controls (numbers are ours; Wireshark echoes them back). */
enum {
	CTL_PIDS = 1,   /* string: comma-separated pids; empty: every process */
	CTL_USER = 2,   /* string: a user's number or name; empty: every user */
	CTL_RELOAD = 3, /* button: look at the running processes again */
	CTL_LOG = 4,    /* logger: the log window */
	/* No help button: Wireshark opens no file:// help URL from the toolbar, and ours is one. */
};

#define IN_MAX       (EC_CTL_HEADER_LEN + EC_CTL_MAX_PAYLOAD) /* the longest frame */
#define PENDING_MAX  (256 * 1024)                 /* what waits for Wireshark to read, at most */
#define WARN_GAP_NS  (30ull * 1000 * 1000 * 1000) /* a warning dialog at most this often */
#define WARN_LINES   8                            /* lines in one warning dialog, at most */
#define LINE_MAX_LEN 1024                         /* one log line sent, at most */

struct ec_toolbar {
	int in_fd;
	int out_fd; /* -1 until Wireshark reads (or when it went away) */
	char *out_path;
	bool out_gone; /* Wireshark closed its end: nothing more is sent */
	GByteArray *in;
	GByteArray *pending;
	uint64_t dropped;  /* frames not sent: the pending buffer was full */
	GString *warnings; /* warnings not yet shown */
	guint n_warnings;
	uint64_t warned_ns; /* the last warning dialog */
	GString *status;    /* the last status bar message: sent again only when it changes */
	GString *pids_text; /* the filters as they are, to put back after a refused change */
	GString *user_text;
	bool sending; /* a log line about sending must not recurse */
};

void ec_toolbar_print_controls(FILE *out)
{
	fprintf(out,
	        "control {number=%d}{type=string}{display=PIDs}{validation=^[0-9, ]*$}"
	        "{placeholder=every process}{tooltip=Trace only these processes (comma-separated "
	        "process IDs; empty: every process). Applies at once to traced processes and "
	        "new ones}\n"
	        "control {number=%d}{type=string}{display=User}{validation=^[A-Za-z0-9_.-]*$}"
	        "{placeholder=every user}{tooltip=Trace only the processes of this user (a name "
	        "or a number; empty: every user)}\n"
	        "control {number=%d}{type=button}{role=control}{display=Reload targets}"
	        "{tooltip=Look at the running processes again and trace the TLS libraries and "
	        "Go programs that are new}\n"
	        "control {number=%d}{type=button}{role=logger}{display=Log}"
	        "{tooltip=What the capture says: what it traces, skips and loses}\n",
	        CTL_PIDS, CTL_USER, CTL_RELOAD, CTL_LOG);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wireshark reads our output once its reader thread has opened it: try again until then. */
static void open_out(struct ec_toolbar *t)
{
	if (t->out_fd >= 0 || t->out_gone || !t->out_path)
		return;
	t->out_fd = open(t->out_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->out_fd < 0 && errno != ENXIO) { /* ENXIO: no reader yet */
		t->out_gone = true;
		g_info("cannot open the control pipe %s: %s", t->out_path, g_strerror(errno));
	}
}

static void flush_out(struct ec_toolbar *t)
{
	open_out(t);
	while (t->out_fd >= 0 && t->pending->len) {
		ssize_t n = write(t->out_fd, t->pending->data, t->pending->len);

		if (n > 0) {
			g_byte_array_remove_range(t->pending, 0, (guint)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EPIPE: Wireshark went away; it hears nothing more from us. */
		close(t->out_fd);
		t->out_fd = -1;
		t->out_gone = true;
		g_byte_array_set_size(t->pending, 0);
	}
}

static void send_frame(struct ec_toolbar *t, uint8_t num, uint8_t cmd, const char *text)
{
	size_t len = text ? strlen(text) : 0;

	if (t->out_gone || !t->out_path)
		return;
	if (t->pending->len + EC_CTL_HEADER_LEN + len > PENDING_MAX) {
		t->dropped++;
		return;
	}
	ec_ctl_frame_append(t->pending, num, cmd, text, len);
	flush_out(t);
}

/* The warnings collected, as one dialog, if the last one is long enough ago. */
static void show_warnings(struct ec_toolbar *t, bool now)
{
	uint64_t at = now_ns();

	if (!t->n_warnings || (!now && t->warned_ns && at < t->warned_ns + WARN_GAP_NS))
		return;
	if (t->n_warnings > WARN_LINES)
		g_string_append_printf(t->warnings, "... and %u more (see the log)\n",
		                       t->n_warnings - WARN_LINES);
	send_frame(t, 0, EC_CTL_WARNING, t->warnings->str);
	g_string_truncate(t->warnings, 0);
	t->n_warnings = 0;
	t->warned_ns = at;
}

static void on_log(GLogLevelFlags level, const char *line, void *data)
{
	struct ec_toolbar *t = data;
	g_autofree char *text = g_strdup_printf("%.*s\n", LINE_MAX_LEN, line);

	if (t->sending)
		return;
	t->sending = true;
	send_frame(t, CTL_LOG, EC_CTL_ADD, text);
	if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
		if (t->n_warnings++ < WARN_LINES)
			g_string_append(t->warnings, text);
		show_warnings(t, false);
	}
	t->sending = false;
}

/* A refused change: say why, and put the field back to the filter that still applies. */
static void refuse(struct ec_toolbar *t, uint8_t num, const GString *current, const char *why)
{
	g_warning("toolbar: %s", why);
	send_frame(t, 0, EC_CTL_ERROR, why);
	if (current)
		send_frame(t, num, EC_CTL_SET, current->str);
}

static void set_pids(struct ec_toolbar *t, struct ec_capture *c, const char *text)
{
	g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GError) err = NULL;

	if (ec_args_parse_pid_list(text, pids, &err) ||
	    ec_capture_set_pids(c, (const pid_t *)(const void *)pids->data, pids->len, &err)) {
		g_autofree char *why = g_strdup_printf("PID filter unchanged: %s", err->message);

		refuse(t, CTL_PIDS, t->pids_text, why);
		return;
	}
	g_string_assign(t->pids_text, text);
	g_message("toolbar: now tracing %s%s", pids->len ? "processes " : "every process",
	          pids->len ? text : "");
}

static void set_user(struct ec_toolbar *t, struct ec_capture *c, const char *text)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *name = g_strstrip(g_strdup(text));
	uint32_t uid = 0;

	if ((*name && ec_args_parse_uid(name, &uid, &err)) ||
	    ec_capture_set_uid(c, *name != '\0', uid, &err)) {
		g_autofree char *why = g_strdup_printf("user filter unchanged: %s", err->message);

		refuse(t, CTL_USER, t->user_text, why);
		return;
	}
	g_string_assign(t->user_text, name);
	if (*name)
		g_message("toolbar: now tracing the processes of user %u", uid);
	else
		g_message("toolbar: now tracing the processes of every user");
}

static void reload(struct ec_toolbar *t, struct ec_capture *c)
{
	g_autoptr(GError) err = NULL;
	int n = ec_capture_reload(c, &err);
	g_autofree char *msg = NULL;

	if (n < 0) { /* not an error: this interface has nothing to reload */
		g_message("toolbar: %s", err->message);
		send_frame(t, 0, EC_CTL_INFORMATION, err->message);
		return;
	}
	msg = g_strdup_printf("eCapture: reload done, %d new file(s) traced", n);
	send_frame(t, 0, EC_CTL_STATUSBAR, msg);
}

static void on_frame(struct ec_toolbar *t, struct ec_capture *c, const struct ec_ctl_frame *f)
{
	/* Text from the pipe: up to its first NUL, as a C string. */
	g_autofree char *text = g_strndup((const char *)f->payload, f->len);

	if (f->cmd == EC_CTL_INITIALIZED) {
		g_debug("toolbar: Wireshark is ready");
		return;
	}
	if (f->cmd != EC_CTL_SET) {
		g_debug("toolbar: command %u for control %u ignored", f->cmd, f->num);
		return;
	}
	switch (f->num) {
	case CTL_PIDS:
		set_pids(t, c, text);
		break;
	case CTL_USER:
		set_user(t, c, text);
		break;
	case CTL_RELOAD:
		reload(t, c);
		break;
	default:
		g_debug("toolbar: control %u is not ours", f->num);
	}
}

static void parse_input(struct ec_toolbar *t, struct ec_capture *c)
{
	size_t at = 0;

	while (at < t->in->len) {
		struct ec_ctl_frame f;
		size_t used;
		enum ec_ctl_parse_result r =
		    ec_ctl_frame_parse(t->in->data + at, t->in->len - at, &f, &used);

		if (r == EC_CTL_INCOMPLETE)
			break;
		if (r == EC_CTL_MALFORMED) {
			g_autofree char *why = g_strdup_printf(
			    "a malformed control message was skipped (%zu bytes)", used);

			refuse(t, 0, NULL, why);
		} else {
			on_frame(t, c, &f);
		}
		at += used;
	}
	g_byte_array_remove_range(t->in, 0, (guint)at);
}

static int on_readable(struct ec_capture *c, void *data)
{
	struct ec_toolbar *t = data;
	uint8_t buf[4096];
	ssize_t n;

	for (;;) {
		size_t room = IN_MAX - t->in->len;

		n = read(t->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n <= 0)
			break;
		g_byte_array_append(t->in, buf, (guint)n);
		parse_input(t, c);
	}
	flush_out(t);
	if (n == 0) { /* Wireshark closed its end: nothing more will come */
		g_debug("toolbar: the control pipe was closed");
		return -1;
	}
	if (errno != EAGAIN && errno != EINTR) {
		g_warning("toolbar: cannot read the control pipe: %s", g_strerror(errno));
		return -1;
	}
	return 0;
}

static void on_status(struct ec_capture *c, const struct ec_capture_status *s, void *data)
{
	struct ec_toolbar *t = data;
	g_autofree char *msg = NULL;

	(void)c;
	show_warnings(t, false);
	flush_out(t);
	/* Short: Wireshark's status bar cuts what does not fit. */
	msg = g_strdup_printf("eCapture: %u files traced, %u%s processes, %llu keys, %llu records, "
	                      "%u waiting for keys, %u without keys, %llu given up, %llu lost",
	                      s->files, s->procs, s->procs_capped ? "+" : "",
	                      (unsigned long long)s->keys, (unsigned long long)s->records,
	                      s->conns_waiting, s->conns_unclaimed,
	                      (unsigned long long)s->conns_given_up, (unsigned long long)s->lost);
	if (!strcmp(msg, t->status->str))
		return;
	g_string_assign(t->status, msg);
	send_frame(t, 0, EC_CTL_STATUSBAR, msg);
}

struct ec_toolbar *ec_toolbar_open(const char *in, const char *out, GError **err)
{
	struct ec_toolbar *t = g_new0(struct ec_toolbar, 1);

	t->in_fd = -1;
	t->out_fd = -1;
	t->out_path = g_strdup(out);
	t->in = g_byte_array_new();
	t->pending = g_byte_array_new();
	t->warnings = g_string_new(NULL);
	t->pids_text = g_string_new(NULL);
	t->user_text = g_string_new(NULL);
	t->status = g_string_new(NULL);
	/* The pipes are the user's: checked with their rights, not with our capabilities. */
	if ((in && ec_user_may_access("the control pipe", in, R_OK, err)) ||
	    (out && ec_user_may_access("the control pipe", out, W_OK, err))) {
		ec_toolbar_close(t);
		return NULL;
	}
	/* Opening a FIFO for reading without O_NONBLOCK would wait for Wireshark's writer. */
	if (in && (t->in_fd = open(in, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot open the control pipe %s: %s", in, g_strerror(errno));
		ec_toolbar_close(t);
		return NULL;
	}
	open_out(t);
	ec_log_set_sink(on_log, t);
	return t;
}

void ec_toolbar_hooks(struct ec_toolbar *t, struct ec_capture_hooks *h)
{
	*h = (struct ec_capture_hooks){
	    .fd = t->in_fd,
	    .readable = t->in_fd >= 0 ? on_readable : NULL,
	    .status = on_status,
	    .data = t,
	};
}

void ec_toolbar_close(struct ec_toolbar *t)
{
	if (!t)
		return;
	ec_log_set_sink(NULL, NULL);
	show_warnings(t, true);
	flush_out(t);
	if (t->dropped)
		g_info("toolbar: %llu message(s) not sent (Wireshark did not read them)",
		       (unsigned long long)t->dropped);
	if (t->in_fd >= 0)
		close(t->in_fd);
	if (t->out_fd >= 0)
		close(t->out_fd);
	g_free(t->out_path);
	g_byte_array_unref(t->in);
	g_byte_array_unref(t->pending);
	g_string_free(t->warnings, TRUE);
	g_string_free(t->pids_text, TRUE);
	g_string_free(t->user_text, TRUE);
	g_string_free(t->status, TRUE);
	g_free(t);
}
