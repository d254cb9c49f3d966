// SPDX-License-Identifier: GPL-2.0-or-later
#include "layouts/calibrations.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "layouts/helper_run.h"

enum job_state { JOB_RUNNING = 1, JOB_DONE };

struct job_answer {
	enum job_state state;
	GError *error; /* JOB_DONE: why it failed; NULL: it succeeded */
};

struct job {
	gchar *key;
	ec_calibration_work work;
	gpointer data;
	GDestroyNotify free;
};

static struct {
	GMutex lock;
	GCond ended;
	GThreadPool *pool;
	GHashTable *jobs; /* key -> struct job_answer */
	guint running;
	bool stopping; /* ec_calibrations_stop(): queued jobs do not start */
	int fd;        /* eventfd, counts the jobs ended */
	bool fd_made;
} q;

static void answer_free(gpointer p)
{
	struct job_answer *a = p;

	g_clear_error(&a->error);
	g_free(a);
}

static void run_job(gpointer data, gpointer unused)
{
	struct job *j = data;
	GError *err = NULL;
	bool skip;
	uint64_t one = 1;

	(void)unused;
	g_mutex_lock(&q.lock);
	skip = q.stopping;
	g_mutex_unlock(&q.lock);
	if (!skip)
		j->work(j->data, &err);
	if (j->free)
		j->free(j->data);
	g_mutex_lock(&q.lock);
	if (skip) {
		g_hash_table_remove(q.jobs, j->key); /* asked again later, it runs then */
		g_clear_error(&err);
	} else {
		struct job_answer *a = g_hash_table_lookup(q.jobs, j->key);

		a->state = JOB_DONE;
		a->error = err;
	}
	q.running--;
	g_cond_broadcast(&q.ended);
	g_mutex_unlock(&q.lock);
	if (q.fd >= 0 && write(q.fd, &one, sizeof(one)) < 0)
		(void)0; /* the counter is full: it is readable anyway */
	g_free(j->key);
	g_free(j);
}

/* With q.lock held. */
static bool init_locked(GError **err)
{
	if (!q.fd_made) {
		q.fd_made = true;
		q.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (q.fd < 0)
			g_warning("calibrations: eventfd: %s", g_strerror(errno));
		q.jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, answer_free);
	}
	if (q.fd < 0) {
		g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
		            "calibrations cannot run in the background: eventfd failed");
		return false;
	}
	if (!q.pool) {
		q.pool = g_thread_pool_new(run_job, NULL, EC_CALIBRATIONS_MAX, FALSE, err);
		if (!q.pool)
			return false;
	}
	return true;
}

int ec_calibration_request(const char *key, ec_calibration_work work, gpointer data,
                           GDestroyNotify free, GError **err)
{
	struct job_answer *a;
	struct job *j;

	g_mutex_lock(&q.lock);
	if (!init_locked(err)) {
		g_mutex_unlock(&q.lock);
		if (free)
			free(data);
		return -1;
	}
	a = g_hash_table_lookup(q.jobs, key);
	if (a) {
		if (free)
			free(data);
		if (a->state == JOB_RUNNING)
			g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING,
			            "being calibrated");
		else if (a->error)
			g_propagate_error(err, g_error_copy(a->error));
		else
			g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
			            "the file changed while it was calibrated");
		g_mutex_unlock(&q.lock);
		return -1;
	}
	a = g_new0(struct job_answer, 1);
	a->state = JOB_RUNNING;
	g_hash_table_insert(q.jobs, g_strdup(key), a);
	j = g_new0(struct job, 1);
	*j = (struct job){g_strdup(key), work, data, free};
	q.running++;
	g_mutex_unlock(&q.lock);
	/* a non-exclusive pool never refuses a job once made */
	g_thread_pool_push(q.pool, j, NULL);
	g_set_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING, "being calibrated");
	return -1;
}

int ec_calibrations_fd(void)
{
	int fd;

	g_mutex_lock(&q.lock);
	init_locked(NULL);
	fd = q.fd;
	g_mutex_unlock(&q.lock);
	return fd;
}

guint ec_calibrations_take(void)
{
	uint64_t n = 0;

	if (!q.fd_made || q.fd < 0) /* (0 until made: not stdin) */
		return 0;
	if (read(q.fd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return (guint)n;
}

guint ec_calibrations_running(void)
{
	guint n;

	g_mutex_lock(&q.lock);
	n = q.running;
	g_mutex_unlock(&q.lock);
	return n;
}

gboolean ec_calibrations_wait_until(gint64 deadline)
{
	gboolean none;

	g_mutex_lock(&q.lock);
	while (q.running && g_cond_wait_until(&q.ended, &q.lock, deadline))
		;
	none = q.running == 0;
	g_mutex_unlock(&q.lock);
	return none;
}

void ec_calibrations_wait(void)
{
	g_mutex_lock(&q.lock);
	while (q.running)
		g_cond_wait(&q.ended, &q.lock);
	g_mutex_unlock(&q.lock);
	ec_calibrations_take();
}

void ec_calibrations_stop(void)
{
	g_mutex_lock(&q.lock);
	q.stopping = true;
	/* a job that was starting its helper as we killed is killed at the next look */
	while (q.running) {
		g_mutex_unlock(&q.lock);
		ec_helper_kill_running();
		g_mutex_lock(&q.lock);
		if (q.running)
			g_cond_wait_until(&q.ended, &q.lock, g_get_monotonic_time() + 50000);
	}
	q.stopping = false;
	g_mutex_unlock(&q.lock);
	ec_calibrations_take();
}
