// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "engine/engine_int.h"
#include "engine/interfaces.h"
#include "keys/keylog_file.h"
#include "layouts/calibrations.h"
#include "modules/module.h"
#include "output/writer.h"
#include "probes/bpf_loader.h"
#include "probes/bpf_stats.h"
#include "probes/privileges.h"
#include "probes/tc_packets.h"
#include "targets/netif.h"

#define TICK_MS 100
/* After a drain that found events: look again this soon (bpf/maps.bpf.h, EC_WAKE_GAP_NS). */
#define EC_BUSY_TICK_MS 2

static uint64_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * A process mapped a TLS library, or ran a program, not seen before: every module that follows
 * such files looks at what the process maps and runs now and traces what is new. A file that cannot
 * be traced is said, once; the capture goes on.
 */
static void on_lib_mapped(struct engine *e, const struct ec_lib_event *ev, size_t size)
{
	if (size < sizeof(*ev) || !e->modules)
		return;
	g_debug("pid %u (%.16s) %s %.32s, not seen before", ev->proc.pid, ev->proc.comm,
	        ev->hdr.type == EC_EV_EXEC ? "runs" : "maps",
	        ev->hdr.type == EC_EV_EXEC ? ev->proc.comm : ev->name);
	ec_engine_adopt(e, (pid_t)ev->proc.pid);
}

/* A process handshakes inside data calls that are not probed: the module probes them there. */
static void on_data_calls(struct engine *e, const struct ec_data_calls_event *ev, size_t size)
{
	if (size < sizeof(*ev) || !e->modules)
		return;
	for (guint i = 0; i < e->modules->len; i++) {
		const struct loaded_module *lm =
		    &g_array_index(e->modules, struct loaded_module, i);
		g_autoptr(GError) err = NULL;

		if (lm->ops->data_calls &&
		    lm->ops->data_calls(lm->state, e->opts, (pid_t)ev->proc.pid, ev->source,
		                        ev->lib_id, &err))
			g_warning("%s", err->message);
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct engine *e = ctx;
	const struct ec_event_hdr *h = data;

	if (size < sizeof(*h))
		return 0;
	switch (h->type) {
	case EC_EV_PACKET:
		ec_engine_on_packet(e, data, size);
		break;
	case EC_EV_FLOW_GONE:
		ec_engine_on_flow_gone(e, data, size);
		break;
	case EC_EV_TLS_KEYS:
		ec_engine_on_keys(e, data, size);
		break;
	case EC_EV_CONN:
		ec_engine_on_conn(e, data, size);
		break;
	case EC_EV_SOCK_OWNER:
		ec_engine_on_sock_owner(e, data, size);
		break;
	case EC_EV_TLS_DATA:
		ec_engine_on_data(e, data, size);
		break;
	case EC_EV_TLS_SECRET:
		ec_engine_on_secret(e, data, size);
		break;
	case EC_EV_AUDIT:
		ec_engine_on_audit(e, data, size);
		break;
	case EC_EV_LIB_MAPPED:
	case EC_EV_EXEC:
		on_lib_mapped(e, data, size);
		break;
	case EC_EV_DATA_CALLS:
		on_data_calls(e, data, size);
		break;
	}
	ec_engine_flush_if_full(e); /* a drain may hold up to the ring buffer's size */
	return 0;
}

static int flush_all(struct engine *e)
{
	int ret = ec_writer_flush(e->out);

	ec_keylog_file_flush(e->keylog);
	return ret;
}

/* A signal arrived (read it off the signalfd); used between the steps of the setup too. */
static bool signalled(struct engine *e)
{
	struct signalfd_siginfo si;

	while (read(e->sigfd, &si, sizeof(si)) == sizeof(si)) {
		g_message("stopping on signal %u", si.ssi_signo);
		e->stop = true;
	}
	return e->stop;
}

static int setup_signals(struct engine *e, GError **err)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked, so a stop request never interrupts an attach half-way: it waits its turn. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	e->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (e->sigfd < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "signalfd: %s", g_strerror(errno));
		return -1;
	}
	return 0;
}

static int epoll_add(struct engine *e, int fd, uint32_t events, GError **err)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "epoll: %s", g_strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_loop(struct engine *e, GError **err)
{
	e->rb = ring_buffer__new(e->shared.fd[EC_MAP_EVENTS], on_event, e, NULL);
	if (!e->rb) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot map the ring buffer: %s",
		            g_strerror(errno));
		return -1;
	}
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "epoll: %s", g_strerror(errno));
		return -1;
	}
	if (epoll_add(e, ring_buffer__epoll_fd(e->rb), EPOLLIN, err) ||
	    epoll_add(e, e->sigfd, EPOLLIN, err))
		return -1;
	/* A pipe's write end reports EPOLLERR once the reader has gone: that is our stop. */
	if (e->out->out.is_pipe && epoll_add(e, e->out->out.fd, 0, err))
		return -1;
	/* Calibrations that end while the capture runs: their files are traced then. */
	for (guint i = 0; i < e->modules->len; i++) {
		if (g_array_index(e->modules, struct loaded_module, i).ops->resume) {
			e->calib_fd = ec_calibrations_fd();
			if (e->calib_fd >= 0 && epoll_add(e, e->calib_fd, EPOLLIN, err))
				return -1;
			break;
		}
	}
	/* The front end's input: it is called back when there is something to read. */
	if (e->opts->hooks && e->opts->hooks->fd >= 0) {
		if (epoll_add(e, e->opts->hooks->fd, EPOLLIN, err))
			return -1;
		e->hooks_polled = true;
	}
	return 0;
}

/* The front end reads its input; when it has no more, its fd leaves the epoll set. */
static void front_end_readable(struct engine *e)
{
	const struct ec_capture_hooks *h = e->opts->hooks;

	if (h->readable((struct ec_capture *)e, h->data) == 0)
		return;
	if (epoll_ctl(e->epfd, EPOLL_CTL_DEL, h->fd, NULL))
		g_warning("epoll: %s", g_strerror(errno));
	e->hooks_polled = false;
}

static int run_loop(struct engine *e, GError **err)
{
	uint64_t deadline =
	    e->opts->duration_ms ? now_mono() + e->opts->duration_ms * 1000000ull : 0;
	int consumed = 0;

	e->out->out.stop_ns = deadline; /* a stalled reader does not outlast --duration */
	while (!e->stop) {
		struct epoll_event evs[4];
		int n = epoll_wait(e->epfd, evs, G_N_ELEMENTS(evs),
		                   consumed > 0 ? EC_BUSY_TICK_MS : TICK_MS);
		uint64_t now;
		int ret;

		if (n < 0 && errno != EINTR) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "epoll_wait: %s",
			            g_strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == e->out->out.fd &&
			    (evs[i].events & (EPOLLERR | EPOLLHUP))) {
				g_message("the reader closed the capture pipe");
				e->stop = true;
			} else if (e->hooks_polled && evs[i].data.fd == e->opts->hooks->fd) {
				front_end_readable(e);
			} else if (evs[i].data.fd == e->calib_fd && ec_calibrations_take() &&
			           ec_engine_resume(e, err)) {
				return -1; /* a library the user named cannot be traced */
			}
		}
		signalled(e);
		consumed = ring_buffer__consume(e->rb);
		if (consumed < 0)
			g_warning("ring buffer: %s", g_strerror(-consumed));
		now = now_mono();
		ec_engine_tick(e, now);
		ec_engine_loss_poll(e, now);
		ec_engine_left_out_poll(e, now);
		ec_engine_status_poll(e, now);
		ret = flush_all(e);
		if (ret == -EPIPE) {
			g_message("the reader closed the capture pipe");
			e->stop = true;
		} else if (ret < 0) { /* nothing more could be written: no silent loss */
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot write the capture: %s",
			            g_strerror(-ret));
			return -1;
		}
		if (deadline && now >= deadline)
			e->stop = true;
	}
	return 0;
}

/* After the probes are gone: what is still in the ring buffer, and what is still held. */
static void drain(struct engine *e)
{
	if (e->rb)
		ring_buffer__consume(e->rb);
	ec_engine_release_all(e, now_mono());
	flush_all(e);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	g_strchomp(msg);
	if (level == LIBBPF_WARN)
		g_info("libbpf: %s", msg);
	else
		g_debug("libbpf: %s", msg);
	return 0;
}

/* What this kernel gets (-v): each fallback and why. */
static void log_kernel(void)
{
	g_autofree char *d = ec_bpf_kernel_describe();
	g_auto(GStrv) lines = g_strsplit(d, "\n", -1);

	for (char **l = lines; *l; l++)
		g_info("kernel: %s", *l);
}

/* Load every module this capture wants; false with ERR set on a failure. */
static bool load_modules(struct engine *e, GError **err)
{
	bool any_tls = false;

	for (const struct ec_module_ops *const *m = ec_modules; *m; m++) {
		struct loaded_module lm = {.ops = *m};

		if (!(*m)->wanted(e->opts))
			continue;
		lm.state = (*m)->load(&e->shared, e->opts, err);
		if (err && *err)
			return false;
		if (!lm.state) {
			g_info("%s: nothing to trace", (*m)->name);
			continue;
		}
		g_array_append_val(e->modules, lm);
		any_tls |= (*m)->tls;
	}
	if (e->opts->source == EC_SOURCE_TLS && !any_tls) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no TLS library that can be traced was found");
		return false;
	}
	return true;
}

static int attach_modules(struct engine *e, GError **err)
{
	for (guint i = 0; i < e->modules->len; i++) {
		struct loaded_module *lm = &g_array_index(e->modules, struct loaded_module, i);

		if (lm->ops->attach(lm->state, e->opts, err))
			return -1;
	}
	return 0;
}

/* "capturing: 2 network interface(s); OpenSSL: 1 library; plaintext" */
static void announce(struct engine *e, guint n_netifs)
{
	g_autoptr(GString) msg = g_string_new("capturing:");

	if (n_netifs)
		g_string_append_printf(msg, " %u network interface(s);", n_netifs);
	for (guint i = 0; i < e->modules->len; i++) {
		struct loaded_module *lm = &g_array_index(e->modules, struct loaded_module, i);
		g_autofree char *what = lm->ops->describe(lm->state);

		if (what)
			g_string_append_printf(msg, " %s;", what);
	}
	if (e->opts->source == EC_SOURCE_TLS && ec_capture_wants_plaintext(e->opts))
		g_string_append(msg, " plaintext;");
	g_string_truncate(msg, msg->len - 1);
	g_message("%s", msg->str);
}

/*
 * Load everything, configure the filters, then attach: no probe runs before the PID/UID filters
 * are in place.
 */
static int setup(struct engine *e, GError **err)
{
	const struct ec_capture_opts *o = e->opts;
	bool packets = o->source == EC_SOURCE_TLS && o->output_kind == EC_OUT_PCAPNG && o->packets;
	g_autoptr(GArray) netifs = NULL;

	if (!ec_capture_privileged(err))
		return -1;
	if (o->keylog && !(e->keylog = ec_keylog_file_open(o->keylog, err)))
		return -1;
	if (packets) {
		netifs = ec_engine_select_netifs(e, err);
		if (!netifs)
			return -1;
		for (guint i = 0; i < netifs->len; i++) {
			const struct ec_netif *n = &g_array_index(netifs, struct ec_netif, i);

			if (ec_engine_add_netif(e, n->ifindex, n->name, n->linktype, err))
				return -1;
		}
	}

	libbpf_set_print(libbpf_log);
	if (!ec_bpf_kernel_usable(err))
		return -1;
	log_kernel();
	if (packets && !(e->packets = ec_packets_load(&e->shared, err)))
		return -1;
	if (!load_modules(e, err) || ec_engine_write_filters(e, err))
		return -1;
	if (signalled(e))
		return 0;
	if (attach_modules(e, err))
		return -1;
	/*
	 * A real library calibrates in well under a second: the capture starts with those, and
	 * leaves only slow ones to the background (each attached once it ends).
	 */
	ec_calibrations_wait_until(g_get_monotonic_time() + EC_START_WAIT_MS * 1000);
	if (ec_engine_resume(e, err))
		return -1;
	if (packets &&
	    ec_packets_attach(e->packets, netifs, o->tc_legacy || !ec_bpf_kernel()->tcx, err))
		return -1;
	if (setup_loop(e, err))
		return -1;
	ec_engine_declare_interfaces(e);
	e->start_real_ns = now_mono() + (uint64_t)e->mono_to_real;
	if (ec_writer_commit(e->out, err))
		return -1;
	ec_keylog_file_commit(e->keylog);
	if (flush_all(e) == -EPIPE)
		e->stop = true;
	announce(e, netifs ? netifs->len : 0);
	return 0;
}

static void teardown(struct engine *e)
{
	/* From now on nothing waits for a reader that does not read: what cannot go is counted. */
	e->out->out.stopping = true;
	/* Calibrations still running are of no use any more: killed, not waited for. */
	ec_calibrations_stop();
	/* Probes and TC first, so nothing new arrives; then whatever is already queued. */
	for (guint i = e->modules->len; i-- > 0;) {
		struct loaded_module *lm = &g_array_index(e->modules, struct loaded_module, i);

		lm->ops->destroy(lm->state);
	}
	g_array_set_size(e->modules, 0);
	/* Detached, but its counters stay readable for the statistics. */
	ec_packets_detach(e->packets);
	if (e->out->out.buf)
		drain(e);
	if (e->rb) { /* the capture ran */
		ec_writer_end(e->out);
		ec_engine_loss_report(e);
		flush_all(e);
	}
	ec_packets_destroy(e->packets);
	e->packets = NULL;
	if (e->unclaimed)
		g_message("%u TLS connection(s) without keys from a traced library: %s",
		          e->unclaimed,
		          e->opts->write_unclaimed ? "written undecrypted"
		                                   : "left out (--unclaimed writes them)");
	ring_buffer__free(e->rb);
	ec_bpf_shared_close(&e->shared);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->sigfd >= 0)
		close(e->sigfd);
	g_array_unref(e->modules);
	ec_engine_fini(e);
}

gboolean ec_capture_can_run(GError **err)
{
	return ec_capture_privileged(err);
}

int ec_capture_run(const struct ec_capture_opts *opts, GError **err)
{
	struct engine e = {.sigfd = -1, .epfd = -1, .calib_fd = -1};
	struct ec_engine_maps maps;
	int ret = -1;

	ec_bpf_shared_init(&e.shared, opts->ringbuf_bytes);
	ec_engine_maps_bpf(&maps, &e.shared);
	ec_engine_init(&e, opts, ec_writer_new(opts), &maps);
	e.modules = g_array_new(FALSE, TRUE, sizeof(struct loaded_module));

	if (opts->output_fd >= 0)
		ec_writer_use_fd(e.out, opts->output_fd);
	else if (ec_writer_open(e.out,
	                        opts->output_kind == EC_OUT_NONE ? "/dev/null"
	                        : opts->output                   ? opts->output
	                                                         : "-",
	                        err))
		goto out;
	if (setup_signals(&e, err))
		goto out;
	/* A reader that stops reading cannot keep a stop request waiting (output.h). */
	e.out->out.stop_fd = e.sigfd;
	/* The stream's header goes out first, so a reader sees a valid stream even if setup fails.
	 */
	ec_writer_header(e.out);
	flush_all(&e);

	if (setup(&e, err))
		goto out;
	if (!e.stop && run_loop(&e, err))
		goto out;
	ret = 0;
out:
	teardown(&e);
	return ret;
}
