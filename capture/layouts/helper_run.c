// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* O_PATH */
#include "layouts/helper_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "user_rights.h"

G_DEFINE_QUARK(ec-layout-error-quark, ec_layout_error);

#ifndef ECAPTURE_HELPER_DIR
#define ECAPTURE_HELPER_DIR "/usr/libexec/ecapture-wireshark"
#endif

#define OUTPUT_MAX  (64 * 1024) /* the helper prints well under 1 KiB */
#define STDERR_TAIL 300         /* bytes of the helper's stderr quoted in an error */

static gchar *helper_in(const char *dir)
{
	gchar *path;

	if (!dir || !*dir)
		return NULL;
	path = g_build_filename(dir, EC_LAYOUT_HELPER, NULL);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
	    g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
		return path;
	g_free(path);
	return NULL;
}

gchar *ec_helper_find(GError **err)
{
	gchar *exe = g_file_read_link("/proc/self/exe", NULL);
	gchar *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
	const char *dirs[] = {ec_env_get("ECAPTURE_HELPER_DIR"), exe_dir, ECAPTURE_HELPER_DIR};
	gchar *found = NULL;

	for (gsize i = 0; !found && i < G_N_ELEMENTS(dirs); i++)
		found = helper_in(dirs[i]);
	if (!found)
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_NO_HELPER,
		            "%s not found ($ECAPTURE_HELPER_DIR=%s, %s, %s)", EC_LAYOUT_HELPER,
		            dirs[0] ? dirs[0] : "unset", exe_dir ? exe_dir : "?",
		            ECAPTURE_HELPER_DIR);
	g_free(exe_dir);
	g_free(exe);
	return found;
}

/* TRUE once PID has exited (and was reaped, by us or by a SIGCHLD=SIG_IGN parent). */
static gboolean reap(GPid pid, struct ec_helper_result *r)
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

/* Whether PID has exited, leaving it a zombie (its group cannot be reused yet). */
static gboolean exited(GPid pid)
{
	siginfo_t si = {0};

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ? errno == ECHILD
	                                                                      : si.si_pid == pid;
}

/* What the child keeps across exec: the descriptors its paths name. */
struct kept_fds {
	int fd[16];
	int n;
};

/*
 * In the child, before the exec: a session of its own, so no controlling terminal (the library
 * under test cannot reach ours), and a process group we kill whole at the end. It keeps the
 * descriptors in DATA (a struct kept_fds; GLib closes every other one).
 */
static void new_session(gpointer data)
{
	const struct kept_fds *f = data;

	if (setsid() < 0)
		_exit(127);
	for (int i = 0; f && i < f->n; i++)
		if (fcntl(f->fd[i], F_SETFD, 0) < 0)
			_exit(127);
}

static gboolean run(gchar **argv, gchar **envp, GSpawnChildSetupFunc setup, gpointer setup_data,
                    struct ec_helper_result *r, GError **err);

gboolean ec_helper_run(gchar **argv, struct ec_helper_result *r, GError **err)
{
	/* a clean environment: no OPENSSL_CONF, LD_PRELOAD ... of ours */
	gchar *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	struct kept_fds keep = {.n = 0};

	/* copies of the libraries ("/proc/self/fd/N", the layout cache's snapshots) */
	for (gchar **a = argv + 1; *a && keep.n < (int)G_N_ELEMENTS(keep.fd); a++) {
		int fd, used = 0;

		if (sscanf(*a, "/proc/self/fd/%d%n", &fd, &used) == 1 && !(*a)[used] && fd > 2)
			keep.fd[keep.n++] = fd;
	}
	return run(argv, envp, new_session, &keep, r, err);
}

/* The helpers running now, in every thread (ec_helper_kill_running). */
static GMutex running_lock;
static GArray *running_pids; /* GPid; a pid leaves before it is reaped */

static void running_set(GPid pid, bool add)
{
	g_mutex_lock(&running_lock);
	if (!running_pids)
		running_pids = g_array_new(FALSE, FALSE, sizeof(GPid));
	if (add) {
		g_array_append_val(running_pids, pid);
	} else {
		for (guint i = 0; i < running_pids->len; i++)
			if (g_array_index(running_pids, GPid, i) == pid)
				g_array_remove_index_fast(running_pids, i--);
	}
	g_mutex_unlock(&running_lock);
}

void ec_helper_kill_running(void)
{
	g_mutex_lock(&running_lock);
	for (guint i = 0; running_pids && i < running_pids->len; i++) {
		GPid pid = g_array_index(running_pids, GPid, i);

		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	g_mutex_unlock(&running_lock);
}

static gboolean run(gchar **argv, gchar **envp, GSpawnChildSetupFunc setup, gpointer setup_data,
                    struct ec_helper_result *r, GError **err)
{
	gint64 deadline = g_get_monotonic_time() + EC_LAYOUT_TIMEOUT_MS * 1000LL;
	struct pollfd pfd[2];
	GPid pid;
	gboolean timed_out = FALSE, gone = FALSE;

	/* stdin is /dev/null; no descriptor of ours but the two pipes reaches it */
	if (!g_spawn_async_with_pipes(NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, setup,
	                              setup_data, &pid, NULL, &pfd[0].fd, &pfd[1].fd, err))
		return FALSE;
	running_set(pid, true);
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
		/*
		 * Once the helper has exited, what it wrote is in the pipes: read it, without
		 * waiting for a descendant that may hold them open.
		 */
		n = poll(pfd, 2, gone ? 0 : (int)MIN(left, 50));
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && gone)
			break;
		for (int i = 0; n > 0 && i < 2; i++) {
			if (pfd[i].fd >= 0 && pfd[i].revents &&
			    !drain(pfd[i].fd, i == 0 ? r->out : r->errout)) {
				close(pfd[i].fd);
				pfd[i].fd = -1; /* poll ignores negative fds */
			}
		}
		gone = gone || exited(pid);
	}
	for (int i = 0; i < 2; i++) {
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	}
	if (!timed_out) {
		/* output closed: it is exiting, or lingers; it gets until the deadline */
		while (!exited(pid) && g_get_monotonic_time() < deadline)
			g_usleep(1000);
		timed_out = !exited(pid);
	}
	/*
	 * Its whole process group (its PID namespace dies with it anyway), before it is reaped:
	 * until then the group's id cannot name anything else.
	 */
	running_set(pid, false);
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (!reap(pid, r)) {
		if (waitpid(pid, &r->status, 0) == pid || errno == ECHILD)
			r->reaped = TRUE;
	}
	g_spawn_close_pid(pid);
	if (timed_out) {
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
		            "%s did not finish within %d s", argv[0], EC_LAYOUT_TIMEOUT_MS / 1000);
		return FALSE;
	}
	return TRUE;
}

#if defined(__x86_64__)
#define LOADER    "lib64/ld-linux-x86-64.so.2"
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define LOADER    "lib/ld-linux-aarch64.so.1"
#define MULTIARCH "aarch64-linux-gnu"
#endif

#define NOBODY 65534

/*
 * In the child, before the foreign loader runs: it is the other root's code, so it never runs
 * with our privileges. It reads nothing by path it could not read as nobody: every file and
 * directory it needs was opened by us and is passed as /proc/self/fd/N.
 */
static void drop_for_foreign(gpointer data)
{
	new_session(data);
	/* As root, become nobody. A normal user's capabilities (ecapturedump's file
	 * capabilities) end at the exec: the loader has none and there are no ambient ones. */
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0))
		_exit(127);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) /* setuid hid /proc/self/fd from ourselves */
		_exit(127);
}

/* PATH (in ROOT when IN_ROOT) opened for the child: "/proc/self/fd/N", or NULL. */
static gchar *pass_fd(struct kept_fds *f, int dir, const char *path, bool in_root, bool directory)
{
	struct open_how how = {.flags = (directory ? O_PATH | O_DIRECTORY : O_RDONLY) | O_CLOEXEC,
	                       .resolve = in_root ? RESOLVE_IN_ROOT : 0};
	int fd;

	if (f->n >= (int)G_N_ELEMENTS(f->fd))
		return NULL;
	fd = (int)syscall(SYS_openat2, in_root ? dir : AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0)
		return NULL;
	f->fd[f->n++] = fd;
	return g_strdup_printf("/proc/self/fd/%d", fd);
}

gboolean ec_helper_run_in(const char *root, gchar **argv, struct ec_helper_result *r, GError **err)
{
#ifdef LOADER
	static const char *const lib_dirs[] = {
	    "usr/lib/" MULTIARCH, "lib/" MULTIARCH, "usr/lib64", "lib64", "usr/lib", "lib"};
	struct kept_fds f = {.n = 0};
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) libpath = g_string_new(NULL);
	gchar *loader;
	gboolean ok = FALSE;
	int dir;

	/* Its symbolic links are absolute within ROOT: resolve them there, not in ours. */
	dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER, "cannot open %s: %s",
		            root, g_strerror(errno));
		return FALSE;
	}
	loader = pass_fd(&f, dir, LOADER, true, false);
	if (!loader) {
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER, "no /%s in %s: %s",
		            LOADER, root, g_strerror(errno));
		goto out;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(lib_dirs); i++) {
		g_autofree gchar *d = pass_fd(&f, dir, lib_dirs[i], true, true);

		if (d)
			g_string_append_printf(libpath, "%s%s", libpath->len ? ":" : "", d);
	}
	g_ptr_array_add(args, loader);
	g_ptr_array_add(args, g_strdup("--inhibit-cache")); /* our ld.so.cache lists our libs */
	g_ptr_array_add(args, g_strdup("--library-path"));
	g_ptr_array_add(args, g_strdup(libpath->str));
	for (gchar **a = argv; *a; a++) {
		/* the libraries to measure: opened here, where we may read them */
		gchar *p = a > argv + 1 && **a == '/' ? pass_fd(&f, dir, *a, false, false) : NULL;

		g_ptr_array_add(args, p ? p : g_strdup(*a));
	}
	g_ptr_array_add(args, NULL);
	{
		/* the helper looks there for what the library needs (calibrate/deps.h) */
		g_autofree gchar *libs = g_strconcat("ECAPTURE_LIBRARY_PATH=", libpath->str, NULL);
		gchar *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", libs, NULL};

		ok = run((gchar **)args->pdata, envp, drop_for_foreign, &f, r, err);
	}
out:
	for (int i = 0; i < f.n; i++)
		close(f.fd[i]);
	close(dir);
	return ok;
#else
	(void)root;
	(void)argv;
	(void)r;
	g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
	            "running the helper with another root's loader is not supported here");
	return FALSE;
#endif
}

/* The most of a repeated key an error message shows. */
#define KEY_SHOWN_MAX 64

GHashTable *ec_helper_parse(const char *text, GError **err)
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
			/* The key comes from a process that ran the library's code: bounded here.
			 */
			g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
			            "the helper printed %.*s%s twice", KEY_SHOWN_MAX, key,
			            strlen(key) > KEY_SHOWN_MAX ? "..." : "");
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

static gboolean said_ok(GHashTable *kv)
{
	const char *status = kv ? g_hash_table_lookup(kv, "status") : NULL;

	return status && strcmp(status, "ok") == 0;
}

static GHashTable *helper_ask(gchar **argv, const char *root, struct ec_helper_result *r,
                              GError **err);

/* What the helper's sandbox had, and what the kernel refused it (the -v log). */
static void log_sandbox(const char *what, GHashTable *kv)
{
	const char *have = kv ? g_hash_table_lookup(kv, "sandbox") : NULL;
	const char *missing = kv ? g_hash_table_lookup(kv, "sandbox_missing") : NULL;

	if (have)
		g_debug("calibration of %s ran in a sandbox with: %s%s%s", what, have,
		        missing && *missing ? "; without: " : "", missing ? missing : "");
}

GHashTable *ec_helper_ask(gchar **argv, const char *what, const char *root,
                          struct ec_helper_result *r, GError **err)
{
	GHashTable *kv = helper_ask(argv, root, r, err);

	log_sandbox(what, kv);
	return kv;
}

static GHashTable *helper_ask(gchar **argv, const char *root, struct ec_helper_result *r,
                              GError **err)
{
	struct ec_helper_result again = {0};
	GError *here_err = NULL;
	GHashTable *here = NULL, *there;

	if (ec_helper_run(argv, r, &here_err))
		here = ec_helper_parse(r->out->str, &here_err);
	if (said_ok(here) || !root)
		goto keep_here;
	there = ec_helper_run_in(root, argv, &again, NULL) ? ec_helper_parse(again.out->str, NULL)
	                                                   : NULL;
	if (!there || !g_hash_table_lookup(there, "status")) {
		/* the helper did not even start there (that root's C library is older than ours) */
		if (there)
			g_hash_table_destroy(there);
		ec_helper_result_clear(&again);
		goto keep_here;
	}
	if (here)
		g_hash_table_destroy(here);
	g_clear_error(&here_err);
	ec_helper_result_clear(r);
	*r = again;
	return there;
keep_here:
	if (!here)
		g_propagate_error(err, here_err);
	return here;
}

gchar *ec_helper_failure_reason(GHashTable *kv, struct ec_helper_result *r)
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

void ec_helper_result_clear(struct ec_helper_result *r)
{
	if (r->out)
		g_string_free(r->out, TRUE);
	if (r->errout)
		g_string_free(r->errout, TRUE);
	r->out = r->errout = NULL;
}
