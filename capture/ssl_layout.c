// SPDX-License-Identifier: GPL-2.0-or-later
#include "ssl_layout.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate/layout_fields.h"
#include "ssl_version.h"

#ifndef ECAPTURE_HELPER_DIR
#define ECAPTURE_HELPER_DIR "/usr/libexec/ecapture-wireshark"
#endif

#define OUTPUT_MAX         (64 * 1024) /* the helper prints well under 1 KiB */
#define MAX_OFFSET         16384       /* the helper searches no further into an object */
#define STDERR_TAIL        300         /* bytes of the helper's stderr quoted in an error */
#define FIELD_NAME(f, req) #f,
#define FIELD_REQ(f, req)  req,

static const char *const field_names[] = {EC_SSL_LAYOUT_FIELDS(FIELD_NAME)};
static const int field_required[] = {EC_SSL_LAYOUT_FIELDS(FIELD_REQ)};
#define N_FIELDS ((int)G_N_ELEMENTS(field_names))

G_STATIC_ASSERT(sizeof(struct ec_ssl_layout) == G_N_ELEMENTS(field_names) * sizeof(__s32));

G_DEFINE_QUARK(ec - ssl - layout - error - quark, ec_ssl_layout_error)

struct cache_entry {
	struct ec_ssl_layout layout;
	gchar *version_text;
	GError *error; /* a failure is remembered too: it would fail the same way again */
};

static GMutex cache_lock;
static GHashTable *cache; /* "dev:ino:size:mtime" -> struct cache_entry */

static __s32 *field(struct ec_ssl_layout *l, int i)
{
	return (__s32 *)l + i;
}

void ec_ssl_layout_init_absent(struct ec_ssl_layout *l)
{
	for (int i = 0; i < N_FIELDS; i++)
		*field(l, i) = -1;
}

gchar *ec_ssl_layout_describe(const struct ec_ssl_layout *l)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < N_FIELDS; i++) {
		__s32 v = *field((struct ec_ssl_layout *)l, i);

		if (i)
			g_string_append_c(s, ' ');
		if (v < 0)
			g_string_append_printf(s, "%s=-", field_names[i]);
		else
			g_string_append_printf(s, "%s=0x%x", field_names[i], (unsigned int)v);
	}
	return g_string_free(s, FALSE);
}

static void cache_entry_free(gpointer p)
{
	struct cache_entry *e = p;

	g_free(e->version_text);
	g_clear_error(&e->error);
	g_free(e);
}

static gchar *helper_in(const char *dir)
{
	gchar *path;

	if (!dir || !*dir)
		return NULL;
	path = g_build_filename(dir, EC_SSL_LAYOUT_HELPER, NULL);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
	    g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
		return path;
	g_free(path);
	return NULL;
}

static gchar *find_helper(GError **err)
{
	gchar *exe = g_file_read_link("/proc/self/exe", NULL);
	gchar *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
	const char *dirs[] = {g_getenv("ECAPTURE_HELPER_DIR"), exe_dir, ECAPTURE_HELPER_DIR};
	gchar *found = NULL;

	for (gsize i = 0; !found && i < G_N_ELEMENTS(dirs); i++)
		found = helper_in(dirs[i]);
	if (!found)
		g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_NO_HELPER,
		            "%s not found ($ECAPTURE_HELPER_DIR=%s, %s, %s)", EC_SSL_LAYOUT_HELPER,
		            dirs[0] ? dirs[0] : "unset", exe_dir ? exe_dir : "?",
		            ECAPTURE_HELPER_DIR);
	g_free(exe_dir);
	g_free(exe);
	return found;
}

struct helper_result {
	GString *out;
	GString *errout;
	int status; /* waitpid status */
	gboolean reaped;
};

/* TRUE once PID has exited (and was reaped, by us or by a SIGCHLD=SIG_IGN parent). */
static gboolean reap(GPid pid, struct helper_result *r)
{
	pid_t got = waitpid(pid, &r->status, WNOHANG);

	if (got == pid || (got < 0 && errno == ECHILD))
		r->reaped = TRUE;
	return r->reaped;
}

/* Reads FD into BUF if readable; FALSE once it reached EOF. */
static gboolean drain(int fd, GString *buf)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return FALSE;
	if (buf->len < OUTPUT_MAX)
		g_string_append_len(buf, chunk, MIN((gsize)n, OUTPUT_MAX - buf->len));
	return TRUE;
}

/* Runs ARGV, collecting its output; kills it when TIMEOUT_MS pass. */
static gboolean run_helper(gchar **argv, struct helper_result *r, GError **err)
{
	/* a clean environment: no OPENSSL_CONF, LD_PRELOAD ... of ours */
	gchar *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	gint64 deadline = g_get_monotonic_time() + EC_SSL_LAYOUT_TIMEOUT_MS * 1000LL;
	struct pollfd pfd[2];
	GPid pid;
	gboolean timed_out = FALSE;

	if (!g_spawn_async_with_pipes(NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
	                              NULL, &pfd[0].fd, &pfd[1].fd, err))
		return FALSE;
	r->out = g_string_new(NULL);
	r->errout = g_string_new(NULL);
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		int n;

		if (left <= 0) {
			timed_out = TRUE;
			break;
		}
		n = poll(pfd, 2, (int)MIN(left, G_MAXINT));
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; n > 0 && i < 2; i++) {
			if (pfd[i].fd >= 0 && pfd[i].revents &&
			    !drain(pfd[i].fd, i == 0 ? r->out : r->errout)) {
				close(pfd[i].fd);
				pfd[i].fd = -1; /* poll ignores negative fds */
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	}
	if (!timed_out) {
		/* output closed: it is exiting, or lingers; it gets until the deadline */
		while (!reap(pid, r) && g_get_monotonic_time() < deadline)
			g_usleep(1000);
		timed_out = !r->reaped;
	}
	if (!r->reaped) {
		kill(pid, SIGKILL);
		waitpid(pid, &r->status, 0);
	}
	g_spawn_close_pid(pid);
	if (timed_out) {
		g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_HELPER,
		            "%s did not finish within %d s", argv[0],
		            EC_SSL_LAYOUT_TIMEOUT_MS / 1000);
		return FALSE;
	}
	return TRUE;
}

/* KEY=VALUE lines into a table; FALSE on a repeated key. */
static GHashTable *parse_lines(const char *text, GError **err)
{
	GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gchar **lines = g_strsplit(text, "\n", -1);

	for (gchar **l = lines; *l; l++) {
		const char *eq = strchr(*l, '=');
		gchar *key;

		if (!eq)
			continue; /* not ours (a library printing on stdout) */
		key = g_strndup(*l, (gsize)(eq - *l));
		if (g_hash_table_contains(kv, key)) {
			g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper printed %s twice", key);
			g_free(key);
			g_hash_table_destroy(kv);
			kv = NULL;
			break;
		}
		g_hash_table_insert(kv, key, g_strdup(eq + 1));
	}
	g_strfreev(lines);
	return kv;
}

static gboolean parse_layout(GHashTable *kv, struct ec_ssl_layout *l, GError **err)
{
	for (int i = 0; i < N_FIELDS; i++) {
		const char *v = g_hash_table_lookup(kv, field_names[i]);
		gint64 n;

		if (!v || !g_ascii_string_to_signed(v, 10, -1, MAX_OFFSET, &n, NULL)) {
			g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper gave %s for %s",
			            v ? "an invalid offset" : "no offset", field_names[i]);
			return FALSE;
		}
		if (n < 0 && field_required[i]) {
			g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper reported success without the required %s",
			            field_names[i]);
			return FALSE;
		}
		*field(l, i) = (__s32)n;
	}
	return TRUE;
}

/* The last line of the helper's stderr, for errors without a reason on stdout. */
static gchar *stderr_tail(GString *errout)
{
	gchar *s = g_strstrip(g_strdup(errout->str));
	gchar *nl = strrchr(s, '\n');
	gchar *tail = g_strdup(nl ? nl + 1 : s);

	g_free(s);
	if (strlen(tail) > STDERR_TAIL)
		tail[STDERR_TAIL] = '\0';
	return tail;
}

/* Why a helper run that did not say status=ok failed, in one sentence. */
static gchar *failure_reason(GHashTable *kv, struct helper_result *r)
{
	const char *reason = kv ? g_hash_table_lookup(kv, "error") : NULL;
	gchar *tail, *s;

	if (reason && *reason)
		return g_strdup(reason);
	tail = stderr_tail(r->errout);
	if (WIFSIGNALED(r->status))
		s = g_strdup_printf("the helper was killed by signal %d (%s)%s%s",
		                    WTERMSIG(r->status), g_strsignal(WTERMSIG(r->status)),
		                    *tail ? ": " : "", tail);
	else
		s = g_strdup_printf("the helper exited with code %d without a reason%s%s",
		                    WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1,
		                    *tail ? ": " : "", tail);
	g_free(tail);
	return s;
}

/* Detects, runs the helper, validates: the uncached work. */
static gboolean calibrate(const char *path, struct cache_entry *e, GError **err)
{
	struct ec_openssl_version v;
	struct helper_result r = {0};
	GHashTable *kv = NULL;
	gchar *helper, *reason = NULL;
	GError *local = NULL;
	gboolean ok = FALSE;
	const char *text, *status;

	if (ec_openssl_version_detect(path, &v, err) < 0)
		return FALSE;
	helper = find_helper(&local);
	if (helper) {
		gchar *argv[] = {helper, "openssl", (gchar *)path,
		                 /* a static build carries its own libcrypto */
		                 strcmp(v.libcrypto_path, path) ? v.libcrypto_path : NULL, NULL};

		if (run_helper(argv, &r, &local))
			kv = parse_lines(r.out->str, &local);
	}
	if (!kv) {
		g_set_error(
		    err, EC_SSL_LAYOUT_ERROR,
		    local->domain == EC_SSL_LAYOUT_ERROR ? local->code : EC_SSL_LAYOUT_ERROR_HELPER,
		    "%s at %s: layout could not be calibrated: %s", v.text, path, local->message);
	} else if (!(status = g_hash_table_lookup(kv, "status")) || strcmp(status, "ok") != 0) {
		reason = failure_reason(kv, &r);
		g_set_error(err, EC_SSL_LAYOUT_ERROR,
		            status ? EC_SSL_LAYOUT_ERROR_FAILED : EC_SSL_LAYOUT_ERROR_HELPER,
		            "%s at %s: layout could not be calibrated: %s", v.text, path, reason);
	} else if (!parse_layout(kv, &e->layout, &local)) {
		g_set_error(err, EC_SSL_LAYOUT_ERROR, local->code,
		            "%s at %s: layout could not be calibrated: %s", v.text, path,
		            local->message);
	} else if (!(text = g_hash_table_lookup(kv, "version_text")) || strcmp(text, v.text) != 0) {
		/* the helper loaded another libcrypto than the one the files name */
		g_set_error(err, EC_SSL_LAYOUT_ERROR, EC_SSL_LAYOUT_ERROR_BAD_OUTPUT,
		            "%s at %s: layout could not be calibrated: the loaded library reports "
		            "\"%s\"",
		            v.text, path, text ? text : "no version");
	} else {
		e->version_text = g_strdup(text);
		ok = TRUE;
	}
	g_free(reason);
	g_clear_error(&local);
	if (kv)
		g_hash_table_destroy(kv);
	if (r.out)
		g_string_free(r.out, TRUE);
	if (r.errout)
		g_string_free(r.errout, TRUE);
	g_free(helper);
	ec_openssl_version_clear(&v);
	return ok;
}

int ec_ssl_layout_calibrate(const char *libssl_path, struct ec_ssl_layout *out, char **version_text,
                            GError **err)
{
	struct cache_entry *e;
	struct stat st;
	gchar *key;
	int rc;

	ec_ssl_layout_init_absent(out);
	if (version_text)
		*version_text = NULL;
	if (stat(libssl_path, &st) < 0) {
		int errsv = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s",
		            libssl_path, g_strerror(errsv));
		return -1;
	}
	key =
	    g_strdup_printf("%jx:%jx:%jd:%jd.%09ld", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
	                    (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	/* held throughout: one calibration per library even when asked concurrently */
	g_mutex_lock(&cache_lock);
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_entry_free);
	e = g_hash_table_lookup(cache, key);
	if (!e) {
		e = g_new0(struct cache_entry, 1);
		ec_ssl_layout_init_absent(&e->layout);
		if (!calibrate(libssl_path, e, &e->error))
			ec_ssl_layout_init_absent(&e->layout);
		g_hash_table_insert(cache, key, e);
		key = NULL;
	}
	if (e->error) {
		g_propagate_error(err, g_error_copy(e->error));
	} else {
		*out = e->layout;
		if (version_text)
			*version_text = g_strdup(e->version_text);
	}
	rc = e->error ? -1 : 0;
	g_mutex_unlock(&cache_lock);
	g_free(key);
	return rc;
}
