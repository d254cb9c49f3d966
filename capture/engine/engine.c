// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ec_error.h"
#include "engine/engine_int.h"
#include "engine/flows.h"
#include "keys/keylog.h"
#include "modules/module.h"
#include "probes/tc_packets.h"
#include "targets/netif.h"
#include "engine/owners.h"
#include "output/pcapng.h"
#include "output/pkt_filter.h"

#define TICK_MS      100
#define KEYSTORE_MAX 65536
#define OWNERS_MAX   65536

static uint64_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Offset from the BPF clock (CLOCK_MONOTONIC) to the wall clock pcapng wants. */
static int64_t mono_to_realtime(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + ((int64_t)r.tv_nsec - m.tv_nsec);
}

gboolean ec_capture_privileged(GError **err)
{
	/* Effective capabilities; root normally has them all. */
	static const int needed[] = {12 /* NET_ADMIN */, 38 /* PERFMON */, 39 /* BPF */,
	                             19 /* SYS_PTRACE: other processes' maps */};
	g_autofree char *status = NULL;
	const char *line;
	guint64 eff;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
	    !(line = strstr(status, "CapEff:"))) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot read /proc/self/status");
		return FALSE;
	}
	eff = g_ascii_strtoull(line + 7, NULL, 16);
	for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
		/* CAP_SYS_ADMIN (21) stands in for BPF and PERFMON on older kernels. */
		bool have = (eff >> needed[i]) & 1 ||
		            ((needed[i] == 38 || needed[i] == 39) && ((eff >> 21) & 1));

		if (!have) {
			g_set_error(
			    err, EC_ERROR, EC_ERROR_PERMISSION,
			    "eCapture needs root privileges (or the capabilities CAP_BPF, "
			    "CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_PTRACE): run it as root");
			return FALSE;
		}
	}
	return TRUE;
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
	case EC_EV_TLS_DATA:
		ec_engine_on_data(e, data, size);
		break;
	case EC_EV_TLS_SECRET:
		ec_engine_on_secret(e, data, size);
		break;
	case EC_EV_AUDIT:
		ec_engine_on_audit(e, data, size);
		break;
	}
	return 0;
}

static int flush_all(struct engine *e)
{
	int ret = ec_output_flush(&e->out);

	if (e->keylog_buf && e->keylog_buf->len) {
		if (write(e->keylog_fd, e->keylog_buf->str, e->keylog_buf->len) < 0)
			g_warning("key log file: %s", g_strerror(errno));
		g_string_truncate(e->keylog_buf, 0);
	}
	return ret;
}

static void write_header(struct engine *e)
{
	struct utsname u;
	g_autofree char *os = NULL;
	bool have_uname = uname(&u) == 0;

	if (have_uname)
		os = g_strdup_printf("%s %s", u.sysname, u.release);
	ec_pcapng_shb(e->out.buf, have_uname ? u.machine : NULL, os,
	              "ecapturedump " ECAPTURE_VERSION);
}

/* Choose the interfaces, write their IDBs and compile the capture filter for each. */
static GArray *select_interfaces(struct engine *e, GError **err)
{
	g_autoptr(GArray) all = ec_netif_list(err);
	GArray *chosen;

	if (!all)
		return NULL;
	chosen = g_array_new(FALSE, TRUE, sizeof(struct ec_netif));
	if (e->opts->netifs && e->opts->netifs[0]) {
		for (char **name = e->opts->netifs; *name; name++) {
			const struct ec_netif *n = ec_netif_find(all, *name);

			if (!n) {
				g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
				            "network interface %s does not exist", *name);
				goto fail;
			}
			if (!n->supported) {
				g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
				            "network interface %s: link type %u is not supported",
				            *name, n->arphrd);
				goto fail;
			}
			g_array_append_val(chosen, *n);
		}
	} else {
		for (guint i = 0; i < all->len; i++) {
			const struct ec_netif *n = &g_array_index(all, struct ec_netif, i);

			if (n->up && n->supported)
				g_array_append_val(chosen, *n);
		}
	}
	if (chosen->len == 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "no network interface to capture on");
		goto fail;
	}
	return chosen;
fail:
	g_array_unref(chosen);
	return NULL;
}

static int setup_out_ifs(struct engine *e, GArray *netifs, GError **err)
{
	for (guint i = 0; i < netifs->len; i++) {
		const struct ec_netif *n = &g_array_index(netifs, struct ec_netif, i);
		struct out_if oi = {.ifindex = n->ifindex, .idb = i, .linktype = n->linktype};

		if (e->opts->capture_filter && e->opts->capture_filter[0]) {
			oi.filter = ec_pkt_filter_new(e->opts->capture_filter, n->linktype, err);
			if (!oi.filter)
				return -1;
		}
		g_array_append_val(e->ifs, oi);
	}
	return 0;
}

/* The records' interface: its name and description by what the capture traces. */
static void records_if(enum ec_source source, const char **name, const char **desc)
{
	static const struct {
		const char *name, *desc;
	} ifs[] = {
	    [EC_SOURCE_TLS] = {"ecapture-plaintext", "TLS plaintext from the traced processes"},
	    [EC_SOURCE_BASH] = {"ecapture-bash", "bash command lines"},
	    [EC_SOURCE_ZSH] = {"ecapture-zsh", "zsh command lines"},
	    [EC_SOURCE_MYSQLD] = {"ecapture-mysqld", "MySQL/MariaDB queries"},
	    [EC_SOURCE_POSTGRES] = {"ecapture-postgres", "PostgreSQL queries"},
	};

	if ((size_t)source >= G_N_ELEMENTS(ifs) || !ifs[source].name)
		source = EC_SOURCE_TLS;
	*name = ifs[source].name;
	*desc = ifs[source].desc;
}

/* One IDB per network interface, then the records' interface. */
static void write_idbs(struct engine *e, GArray *netifs)
{
	uint32_t n_ifs = netifs ? netifs->len : 0;

	for (guint i = 0; i < n_ifs; i++) {
		const struct ec_netif *n = &g_array_index(netifs, struct ec_netif, i);

		ec_pcapng_idb(e->out.buf, n->linktype, EC_SNAPLEN, n->name, NULL);
	}
	if (e->opts->records) {
		const char *name, *desc;

		records_if(e->opts->source, &name, &desc);
		e->records_idb = n_ifs;
		ec_pcapng_idb(e->out.buf, EC_LINKTYPE_WIRESHARK_UPPER_PDU, EC_SNAPLEN + 4096, name,
		              desc);
	}
}

static int write_config(struct engine *e, GError **err)
{
	const struct ec_capture_opts *o = e->opts;
	struct ec_config cfg = {
	    .filter_pids = o->pids->len > 0,
	    .filter_uid = o->filter_uid,
	    .uid = o->uid,
	    .capture_data = o->output_kind == EC_OUT_TEXT || o->records,
	};
	__u32 zero = 0;
	__u8 one = 1;

	for (guint i = 0; i < o->pids->len; i++) {
		__u32 pid = g_array_index(o->pids, pid_t, i);

		if (bpf_map_update_elem(e->shared.fd[EC_MAP_FILTER_PIDS], &pid, &one, BPF_ANY))
			goto fail;
	}
	if (bpf_map_update_elem(e->shared.fd[EC_MAP_CONFIG], &zero, &cfg, BPF_ANY))
		goto fail;
	return 0;
fail:
	g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "cannot configure the filters: %s",
	            g_strerror(errno));
	return -1;
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
	if (e->out.is_pipe && epoll_add(e, e->out.fd, 0, err))
		return -1;
	return 0;
}

static int run_loop(struct engine *e, GError **err)
{
	uint64_t deadline =
	    e->opts->duration_ms ? now_mono() + e->opts->duration_ms * 1000000ull : 0;

	while (!e->stop) {
		struct epoll_event evs[4];
		int n = epoll_wait(e->epfd, evs, G_N_ELEMENTS(evs), TICK_MS);
		uint64_t now;

		if (n < 0 && errno != EINTR) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "epoll_wait: %s",
			            g_strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == e->out.fd &&
			    (evs[i].events & (EPOLLERR | EPOLLHUP))) {
				g_message("the reader closed the capture pipe");
				e->stop = true;
			}
		}
		signalled(e);
		if (ring_buffer__consume(e->rb) < 0)
			g_warning("ring buffer: %s", g_strerror(errno));
		now = now_mono();
		ec_engine_tick(e, now);
		if (flush_all(e) == -EPIPE) {
			g_message("the reader closed the capture pipe");
			e->stop = true;
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

static void log_stats(struct engine *e)
{
	int ncpus = libbpf_num_possible_cpus();
	g_autofree __u64 *vals = NULL;
	__u64 sum[EC_STAT_MAX] = {0};

	if (ncpus <= 0 || e->shared.fd[EC_MAP_STATS] < 0)
		return;
	vals = g_new0(__u64, ncpus);
	for (__u32 k = 0; k < EC_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(e->shared.fd[EC_MAP_STATS], &k, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			sum[k] += vals[c];
	}
	g_message("packets: %llu written by the kernel, %llu lost; key events: %llu, %llu lost, "
	          "%llu unreadable; %llu bytes written",
	          (unsigned long long)sum[EC_STAT_PKT_EMITTED],
	          (unsigned long long)sum[EC_STAT_PKT_DROPPED],
	          (unsigned long long)sum[EC_STAT_KEYS_EMITTED],
	          (unsigned long long)sum[EC_STAT_KEYS_DROPPED],
	          (unsigned long long)sum[EC_STAT_KEYS_READ_FAIL],
	          (unsigned long long)e->out.written);
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

static int open_keylog(struct engine *e, GError **err)
{
	const char *path = e->opts->keylog;

	if (!path)
		return 0;
	e->keylog_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (e->keylog_fd < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot open key log file %s: %s", path, g_strerror(errno));
		return -1;
	}
	e->keylog_buf = g_string_new(NULL);
	return 0;
}

/* A loaded module and its state. */
struct loaded_module {
	const struct ec_module_ops *ops;
	void *state;
};

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
	if (e->opts->source == EC_SOURCE_TLS &&
	    (e->opts->output_kind == EC_OUT_TEXT || e->opts->records))
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

	if (!ec_capture_privileged(err) || open_keylog(e, err))
		return -1;
	if (packets) {
		netifs = select_interfaces(e, err);
		if (!netifs || setup_out_ifs(e, netifs, err))
			return -1;
	}

	libbpf_set_print(libbpf_log);
	if (packets && !(e->packets = ec_packets_load(&e->shared, err)))
		return -1;
	if (!load_modules(e, err) || write_config(e, err))
		return -1;
	if (signalled(e))
		return 0;
	if (attach_modules(e, err))
		return -1;
	if (packets && ec_packets_attach(e->packets, netifs, o->tc_legacy, err))
		return -1;
	if (setup_loop(e, err))
		return -1;
	if (o->output_kind == EC_OUT_PCAPNG)
		write_idbs(e, netifs);
	if (flush_all(e) == -EPIPE)
		e->stop = true;
	announce(e, netifs ? netifs->len : 0);
	return 0;
}

static void teardown(struct engine *e)
{
	/* Probes and TC first, so nothing new arrives; then whatever is already queued. */
	for (guint i = e->modules->len; i-- > 0;) {
		struct loaded_module *lm = &g_array_index(e->modules, struct loaded_module, i);

		lm->ops->destroy(lm->state);
	}
	g_array_set_size(e->modules, 0);
	ec_packets_destroy(e->packets);
	e->packets = NULL;
	if (e->out.buf)
		drain(e);
	if (e->rb) /* the capture ran */
		log_stats(e);
	ring_buffer__free(e->rb);
	ec_bpf_shared_close(&e->shared);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->keylog_fd >= 0)
		close(e->keylog_fd);
	if (e->keylog_buf)
		g_string_free(e->keylog_buf, TRUE);
	for (guint i = 0; e->ifs && i < e->ifs->len; i++)
		ec_pkt_filter_free(g_array_index(e->ifs, struct out_if, i).filter);
	if (e->ifs)
		g_array_unref(e->ifs);
	ec_flows_free(e->flows);
	ec_keystore_free(e->keys);
	ec_owners_free(e->owners);
	g_array_unref(e->modules);
	g_string_free(e->scratch, TRUE);
	g_byte_array_unref(e->record);
	g_byte_array_unref(e->audit);
	ec_output_close(&e->out);
}

int ec_capture_run(const struct ec_capture_opts *opts, GError **err)
{
	struct engine e = {.opts = opts, .keylog_fd = -1, .sigfd = -1, .epfd = -1};
	int ret = -1;

	ec_bpf_shared_init(&e.shared, opts->ringbuf_bytes);
	e.ifs = g_array_new(FALSE, TRUE, sizeof(struct out_if));
	e.flows = ec_flows_new();
	e.keys = ec_keystore_new(KEYSTORE_MAX);
	e.owners = ec_owners_new(OWNERS_MAX);
	e.modules = g_array_new(FALSE, TRUE, sizeof(struct loaded_module));
	e.scratch = g_string_new(NULL);
	e.record = g_byte_array_new();
	e.audit = g_byte_array_new();
	e.hold_ns = (uint64_t)opts->hold_ms * 1000000ull;
	e.mono_to_real = mono_to_realtime();

	if (opts->output_fd >= 0)
		ec_output_init_fd(&e.out, opts->output_fd);
	else if (ec_output_open(&e.out,
	                        opts->output_kind == EC_OUT_NONE ? "/dev/null"
	                        : opts->output                   ? opts->output
	                                                         : "-",
	                        err))
		goto out;
	if (setup_signals(&e, err))
		goto out;
	/* The section header goes out first, so a reader sees a valid stream even if setup fails.
	 */
	if (opts->output_kind == EC_OUT_PCAPNG) {
		write_header(&e);
		flush_all(&e);
	}

	if (setup(&e, err))
		goto out;
	if (!e.stop && run_loop(&e, err))
		goto out;
	ret = 0;
out:
	teardown(&e);
	return ret;
}
