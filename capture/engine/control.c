// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The front end's part in a running capture (control.h): the PID/UID filters changed while the
 * probes stay attached (every probe asks the same config and PID maps at each hit, so processes
 * already traced follow at once), a new look at the running processes, and the counters.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ec_error.h"
#include "engine/engine_int.h"
#include "engine/flows.h"
#include "layouts/calibrations.h"
#include "modules/module.h"
#include "output/escape.h"
#include "output/writer.h"
#include "probes/bpf_stats.h"
#include "probes/process_hold.h"
#include "targets/processes.h"

#define STATUS_NS      (1000ull * 1000 * 1000) /* the counters are looked at once a second */
#define PROCS_SEEN_MAX 65536                   /* processes counted, at most */

G_STATIC_ASSERT(EC_CAPTURE_PIDS_MAX == EC_PID_FILTER_MAX);

static struct engine *engine_of(struct ec_capture *c)
{
	return (struct engine *)c;
}

/* The kernel's PID filter and config as E says; entries that are no longer wanted go. */
static int write_pids(struct engine *e, const GArray *want)
{
	for (guint i = 0; i < e->filter_pids->len; i++) {
		pid_t old = g_array_index(e->filter_pids, pid_t, i);
		bool kept = false;

		for (guint j = 0; j < want->len && !kept; j++)
			kept = g_array_index(want, pid_t, j) == old;
		if (!kept && e->maps.unfilter_pid(e->maps.ctx, (uint32_t)old) && errno != ENOENT)
			return -1;
	}
	for (guint i = 0; i < want->len; i++)
		if (e->maps.filter_pid(e->maps.ctx, (uint32_t)g_array_index(want, pid_t, i)))
			return -1;
	g_array_set_size(e->filter_pids, 0);
	g_array_append_vals(e->filter_pids, want->data, want->len);
	return 0;
}

int ec_engine_write_filters(struct engine *e, GError **err)
{
	const struct ec_capture_opts *o = e->opts;

	/* The front end lists each process once (capture_opts.h); more would not fit the map. */
	if (o->pids->len > EC_CAPTURE_PIDS_MAX) {
		g_set_error(err, EC_ERROR, EC_ERROR_INVALID, "at most %d processes can be filtered",
		            EC_CAPTURE_PIDS_MAX);
		return -1;
	}
	e->config = (struct ec_config){
	    .filter_pids = o->pids->len > 0,
	    .filter_uid = o->filter_uid,
	    .uid = o->uid,
	    .capture_data = ec_capture_wants_plaintext(o),
	};
	ec_engine_filters_changed(e);
	if (write_pids(e, o->pids) || e->maps.set_config(e->maps.ctx, &e->config)) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot configure the filters: %s",
		            g_strerror(errno));
		return -1;
	}
	return 0;
}

static bool pid_in(const GArray *pids, pid_t pid)
{
	for (guint i = 0; i < pids->len; i++)
		if (g_array_index(pids, pid_t, i) == pid)
			return true;
	return false;
}

int ec_capture_set_pids(struct ec_capture *c, const pid_t *pids, guint n, GError **err)
{
	struct engine *e = engine_of(c);
	g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(pid_t));
	struct ec_config cfg = e->config;

	for (guint i = 0; i < n; i++) {
		if (pids[i] <= 0 || (kill(pids[i], 0) != 0 && errno == ESRCH)) {
			g_set_error(err, EC_ERROR, EC_ERROR_INVALID, "process %d does not exist",
			            (int)pids[i]);
			return -1;
		}
		if (e->opts->pids->len && !pid_in(e->opts->pids, pids[i])) {
			g_set_error(err, EC_ERROR, EC_ERROR_INVALID,
			            "process %d is not one of those the capture started with (its "
			            "probes are only in those): restart the capture to trace it",
			            (int)pids[i]);
			return -1;
		}
		if (!pid_in(want, pids[i])) /* each once: the bound counts processes */
			g_array_append_val(want, pids[i]);
	}
	if (want->len > EC_PID_FILTER_MAX) {
		g_set_error(err, EC_ERROR, EC_ERROR_INVALID, "at most %d processes can be filtered",
		            EC_PID_FILTER_MAX);
		return -1;
	}
	if (!want->len) /* every process: of those the probes are in */
		g_array_append_vals(want, e->opts->pids->data, e->opts->pids->len);
	cfg.filter_pids = want->len > 0;
	/* Widen first, narrow last: no process is cut off for a moment it should be traced in. */
	if (cfg.filter_pids && write_pids(e, want))
		goto fail;
	if (e->maps.set_config(e->maps.ctx, &cfg))
		goto fail;
	e->config = cfg;
	if (!cfg.filter_pids && write_pids(e, want))
		goto fail;
	ec_engine_filters_changed(e); /* open connections follow at their next packet */
	return 0;
fail:
	g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot change the PID filter: %s",
	            g_strerror(errno));
	return -1;
}

int ec_capture_set_uid(struct ec_capture *c, bool filter, uint32_t uid, GError **err)
{
	struct engine *e = engine_of(c);
	struct ec_config cfg = e->config;

	cfg.filter_uid = filter;
	cfg.uid = filter ? uid : 0;
	if (e->maps.set_config(e->maps.ctx, &cfg)) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot change the user filter: %s",
		            g_strerror(errno));
		return -1;
	}
	e->config = cfg;
	ec_engine_filters_changed(e); /* open connections follow at their next packet */
	return 0;
}

/* Whether process PID (its /proc directory name) passes the filters as they are now. */
bool ec_engine_passes_filters(const struct engine *e, pid_t pid)
{
	if (e->config.filter_pids) {
		bool found = false;

		for (guint i = 0; i < e->filter_pids->len && !found; i++)
			found = g_array_index(e->filter_pids, pid_t, i) == pid;
		if (!found)
			return false;
	}
	if (e->config.filter_uid) {
		g_autofree char *path = g_strdup_printf("/proc/%d", (int)pid);
		struct stat st;

		if (stat(path, &st) || st.st_uid != e->config.uid)
			return false;
	}
	return true;
}

static guint n_traced(const struct engine *e)
{
	guint n = 0;

	for (guint i = 0; e->modules && i < e->modules->len; i++) {
		const struct loaded_module *lm =
		    &g_array_index(e->modules, struct loaded_module, i);

		if (lm->ops->n_traced)
			n += lm->ops->n_traced(lm->state);
	}
	return n;
}

/* "pid 42 (curl) of uid 1000" into OUT, the name escaped: it is the process's to choose. */
static void name_process(GString *out, pid_t pid)
{
	char path[64], comm[64];
	struct stat st;

	if (!ec_proc_comm(pid, comm, sizeof(comm)))
		g_strlcpy(comm, "?", sizeof(comm));
	g_string_printf(out, "pid %d (", (int)pid);
	ec_escape_append(out, comm, strlen(comm), "");
	g_string_append_c(out, ')');
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) == 0)
		g_string_append_printf(out, " of uid %u", (unsigned)st.st_uid);
}

/*
 * After an adopt that held WHO, or would have: what the holder refused or let go by itself.
 * PROBED: the adopt gave a new file probes; a refusal over a file that got none (a new program
 * that is not a Go build, say) cost nothing.
 */
static void hold_outcome(struct engine *e, const char *who, guint refused, guint expired,
                         bool probed)
{
	guint r = ec_holds_refused(e->holds) - refused, x = ec_holds_expired(e->holds) - expired;

	if (r && probed) {
		e->loss.not_held += r;
		g_warning("%s: not held while its new TLS library got probes, as it is not the "
		          "capturing user's process: its first connection may have no keys",
		          who);
	}
	if (x) {
		e->loss.hold_expired += x;
		g_warning("%s: let go after %u ms, before its new TLS library had its probes: its "
		          "first connection may have no keys",
		          who, (unsigned)EC_HOLD_MAX_MS);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Processes held until a calibration ends, named for the log: up to about 512 bytes. */
static void waiting_add(struct engine *e, const char *who)
{
	if (!e->holds_waiting_who)
		e->holds_waiting_who = g_string_new(NULL);
	if (e->holds_waiting_who->len >= 512) {
		if (!g_str_has_suffix(e->holds_waiting_who->str, ", ..."))
			g_string_append(e->holds_waiting_who, ", ...");
		return;
	}
	if (e->holds_waiting_who->len)
		g_string_append(e->holds_waiting_who, ", ");
	g_string_append(e->holds_waiting_who, who);
}

/* Who waited for a calibration, for hold_outcome; forgotten once they no longer wait. */
static const char *waiting_who(const struct engine *e)
{
	return e->holds_waiting_who && e->holds_waiting_who->len
	           ? e->holds_waiting_who->str
	           : "a process waiting for its new library's calibration";
}

static void waiting_end(struct engine *e)
{
	e->holds_waiting = false;
	if (e->holds_waiting_who)
		g_string_truncate(e->holds_waiting_who, 0);
}

/*
 * Every module that follows new files looks at what process PID maps and runs now. A process
 * the capture is for is held still while a new file of it gets its probes (process_hold.h).
 */
int ec_engine_adopt(struct engine *e, pid_t pid)
{
	struct ec_holds *hold =
	    pid != getpid() && ec_engine_passes_filters(e, pid) ? e->holds : NULL;
	guint refused = ec_holds_refused(e->holds), expired = ec_holds_expired(e->holds);
	guint traced = n_traced(e);
	/* Named now: a process that was not held may be gone once its library is probed. */
	g_autoptr(GString) who = hold ? g_string_new(NULL) : NULL;
	bool waits = false, probed;
	int n = 0;

	if (who)
		name_process(who, pid);

	for (guint i = 0; e->modules && i < e->modules->len; i++) {
		const struct loaded_module *lm =
		    &g_array_index(e->modules, struct loaded_module, i);
		g_autoptr(GError) err = NULL;
		int rc;

		if (!lm->ops->adopt)
			continue;
		n++;
		rc = lm->ops->adopt(lm->state, e->opts, pid, hold, &err);
		if (rc < 0)
			g_warning("%s", err->message);
		waits |= rc == 1;
	}
	if (!hold)
		return n;
	/* a new file got probes, or will once calibrated */
	probed = waits || n_traced(e) > traced;
	if (e->holds_waiting && now_ns() - e->holds_waiting_ns > EC_HOLD_MAX_MS * 1000000ull) {
		/* the bound let those go: this process need not wait for their calibrations */
		hold_outcome(e, waiting_who(e), refused, e->holds_expired_before, true);
		waiting_end(e);
		refused = ec_holds_refused(e->holds);
		expired = ec_holds_expired(e->holds);
	}
	if (waits && !e->holds_waiting) {
		/* held until its library is calibrated (ec_engine_resume) or the hold's bound */
		e->holds_waiting = true;
		e->holds_waiting_ns = now_ns();
		e->holds_expired_before = expired;
	}
	if (e->holds_waiting) {
		if (probed && ec_holds_refused(e->holds) == refused)
			waiting_add(e, who->str); /* held, not refused */
		hold_outcome(e, who->str, refused, ec_holds_expired(e->holds), probed);
		return n;
	}
	ec_hold_release(hold);
	hold_outcome(e, who->str, refused, expired, probed);
	return n;
}

int ec_engine_resume(struct engine *e, GError **err)
{
	int held = 0;

	for (guint i = 0; e->modules && i < e->modules->len; i++) {
		const struct loaded_module *lm =
		    &g_array_index(e->modules, struct loaded_module, i);
		int rc;

		if (!lm->ops->resume)
			continue;
		rc = lm->ops->resume(lm->state, e->opts, err);
		if (rc < 0)
			return -1;
		held += rc;
	}
	if (e->holds_waiting && !held) {
		/* the holds' bound may have let some go already: counted, as after an adopt */
		ec_hold_release(e->holds);
		hold_outcome(e, waiting_who(e), ec_holds_refused(e->holds), e->holds_expired_before,
		             true);
		waiting_end(e);
	}
	return 0;
}

struct reload {
	struct engine *e;
	guint looked;
};

static void reload_one(const char *name, void *data)
{
	struct reload *r = data;
	char *end;
	long pid = strtol(name, &end, 10);

	if (*end || pid <= 0 || pid == (long)getpid() ||
	    !ec_engine_passes_filters(r->e, (pid_t)pid))
		return;
	r->looked++;
	ec_engine_adopt(r->e, (pid_t)pid);
}

int ec_capture_reload(struct ec_capture *c, GError **err)
{
	struct engine *e = engine_of(c);
	struct reload r = {.e = e};
	guint before = n_traced(e);
	bool follows = false;

	for (guint i = 0; e->modules && i < e->modules->len; i++)
		follows |= g_array_index(e->modules, struct loaded_module, i).ops->adopt != NULL;
	if (!follows) {
		g_set_error(
		    err, EC_ERROR, EC_ERROR_INVALID,
		    "this capture traces the programs it found at its start, and new copies "
		    "of them by path: there is nothing to reload");
		return -1;
	}
	ec_proc_foreach(reload_one, &r);
	/* As at the start: what calibrates at once is traced now, the rest when it ends. */
	if (ec_calibrations_running()) {
		ec_calibrations_wait_until(g_get_monotonic_time() + EC_START_WAIT_MS * 1000);
		if (ec_engine_resume(e, err))
			return -1;
	}
	g_message("reload: %u process(es) looked at, %u new file(s) traced%s", r.looked,
	          n_traced(e) - before,
	          ec_calibrations_running() ? " (more once their calibration ends)" : "");
	return (int)(n_traced(e) - before);
}

void ec_engine_proc_seen(struct engine *e, uint32_t pid)
{
	if (g_hash_table_contains(e->procs_seen, GUINT_TO_POINTER(pid)))
		return;
	if (g_hash_table_size(e->procs_seen) >= PROCS_SEEN_MAX) {
		e->procs_capped = true;
		return;
	}
	g_hash_table_add(e->procs_seen, GUINT_TO_POINTER(pid));
}

void ec_engine_status_poll(struct engine *e, uint64_t now)
{
	const struct ec_capture_hooks *h = e->opts->hooks;
	struct ec_capture_status s = {0};
	uint64_t k[EC_STAT_MAX];

	if (!h || !h->status || now < e->status_ns + STATUS_NS)
		return;
	e->status_ns = now;
	if (ec_bpf_stats_read(&e->shared, k))
		memset(k, 0, sizeof(k));
	s.files = n_traced(e);
	s.procs = g_hash_table_size(e->procs_seen);
	s.procs_capped = e->procs_capped;
	s.keys = e->n_keys;
	s.records = k[EC_STAT_DATA_EMITTED] + k[EC_STAT_AUDIT_EMITTED];
	s.conns_waiting = ec_flows_waiting(e->flows);
	s.conns_unclaimed = e->unclaimed;
	s.conns_given_up = e->loss.keys_missing + e->loss.hold_overflow + e->loss.flows_evicted;
	s.lost = ec_engine_loss_total(e, k);
	s.bytes_written = e->out->out.written;
	h->status((struct ec_capture *)e, &s, h->data);
}
