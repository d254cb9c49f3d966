// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecapturedump: Wireshark extcap (listing calls and --capture --fifo) and standalone CLI.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "args.h"
#include "elevate.h"
#include "engine.h"
#include "interfaces.h"
#include "log.h"
#include "output/escape.h"
#include "output/writer.h"
#include "target_list.h"
#include "toolbar.h"
#include "user_rights.h"

/*
 * Wireshark waits on the FIFO until we open it: report an error by opening it, writing the
 * reason on stderr, and exiting non-zero (tshark: "Error by extcap pipe: <reason>").
 */
static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Wireshark waits on the FIFO until we open it, and reports what we wrote on stderr once the
 * stream ends. So: the reason on stderr first, then a valid but empty pcapng stream, then exit
 * non-zero (tshark: "Error by extcap pipe: <reason>"). Without the section header the reader
 * may give up on the pipe before it has read our stderr.
 */
static void report(const struct ec_args *a, const char *msg)
{
	/* Reasons may name other processes' files: nothing in them drives the terminal. */
	g_autofree char *safe = ec_escape_dup(msg, strlen(msg), "\n\t");

	/* Wireshark prefixes the line itself; on a terminal, say who is speaking. */
	fprintf(stderr, "%s%s\n", a->capture ? "" : "ecapturedump: ", safe);
	fflush(stderr);
}

static int fail(const struct ec_args *a, const char *msg)
{
	report(a, msg);
	/* Only a FIFO its user may write: never one reached through our capabilities. */
	if (a->fifo && access(a->fifo, W_OK) == 0) {
		int fd = open(a->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0 && errno == ENXIO) {
			/* No reader yet: wait for it, but not forever. */
			struct sigaction sa = {.sa_handler = on_alarm};

			sigaction(SIGALRM, &sa, NULL);
			alarm(5);
			fd = open(a->fifo, O_WRONLY | O_CLOEXEC);
			alarm(0);
		}
		if (fd >= 0) {
			g_autoptr(GError) werr = NULL;

			/* A failure means the reader is gone already: stderr is all we can do. */
			if (ec_writer_empty_pcapng(fd, &werr))
				g_debug("%s", werr->message);
			close(fd);
		}
	}
	return 1;
}

/* --extcap-capture-filter without --capture: Wireshark asks whether the filter is valid. */
static int check_filter(const char *filter)
{
	pcap_t *dead = pcap_open_dead(1, 65535);
	struct bpf_program prog;
	int ok = pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;

	if (ok)
		pcap_freecode(&prog);
	else
		printf("%s\n", pcap_geterr(dead));
	pcap_close(dead);
	return ok ? 0 : 1;
}

/*
 * Without the rights a capture needs, the privileged copy of this program does the work (it
 * returns only if it cannot: ERR says why).
 */
static bool can_capture(char **argv, GError **err)
{
	g_autoptr(GError) why = NULL;

	if (ec_capture_can_run(&why))
		return true;
	ec_elevate(argv, why, err);
	return false;
}

/* What this kernel gets: "kernel: packets: clsact (tcx unsupported)"... */
static void print_kernel_paths(FILE *out)
{
	g_autofree char *d = ec_capture_kernel_paths();
	g_auto(GStrv) lines = g_strsplit(d, "\n", -1);

	for (char **l = lines; *l; l++)
		fprintf(out, "kernel: %s\n", *l);
}

static int list_targets(const struct ec_args *a, const struct ec_extcap_iface *iface, char **argv)
{
	struct ec_capture_opts o;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	int ret = 0;

	ec_capture_opts_init(&o);
	o.source = iface->source;
	/* Without the rights, a partial list is still useful: say what is missing. */
	if (!can_capture(argv, &err)) {
		report(a, err->message);
		g_clear_error(&err);
	}
	if (ec_args_to_capture_opts(a, &o, &err) || !(rows = ec_capture_list_targets(&o, &err))) {
		ret = fail(a, err->message);
		goto out;
	}
	if (!ec_capture_can_run(NULL))
		report(a, "not privileged: the processes of other users are not seen");
	ec_print_target_rows(stdout, rows);
	print_kernel_paths(stdout);
out:
	ec_capture_opts_clear(&o);
	return ret;
}

static int run_capture(const struct ec_args *a, const struct ec_extcap_iface *iface, bool extcap,
                       char **argv)
{
	struct ec_capture_opts o;
	struct ec_capture_hooks hooks;
	struct ec_toolbar *toolbar = NULL;
	g_autoptr(GError) err = NULL;
	int ret = 0;

	if (!can_capture(argv, &err))
		return fail(a, err->message);
	ec_capture_opts_init(&o);
	o.source = iface->source;
	if (ec_args_to_capture_opts(a, &o, &err)) {
		ret = fail(a, err->message);
		goto out;
	}
	if (extcap && (a->control_in || a->control_out)) {
		/* Nothing here waits for Wireshark; its GUI waits until our input is open. */
		toolbar = ec_toolbar_open(a->control_in, a->control_out, &err);
		if (!toolbar) {
			ret = fail(a, err->message);
			goto out;
		}
		ec_toolbar_hooks(toolbar, &hooks);
		o.hooks = &hooks;
	}
	if (extcap) {
		if (ec_user_may_access("the FIFO", a->fifo, W_OK, &err)) {
			ret = fail(a, err->message);
			goto out;
		}
		/* Ours to close only after any error is on stderr (see fail()). */
		o.output_fd = open(a->fifo, O_WRONLY | O_CLOEXEC);
		if (o.output_fd < 0) {
			g_autofree char *msg = g_strdup_printf("cannot open the FIFO %s: %s",
			                                       a->fifo, g_strerror(errno));

			ret = fail(a, msg);
			goto out;
		}
	} else if (a->write) {
		o.output = g_strdup(a->write);
	} else if (a->keylog) {
		o.output_kind = EC_OUT_NONE;
	} else {
		o.output_kind = EC_OUT_TEXT;
		o.output = g_strdup("-");
	}
	if (ec_capture_run(&o, &err)) {
		report(a, err->message);
		ret = 1;
	}
out:
	ec_toolbar_close(toolbar);
	if (o.output_fd >= 0)
		close(o.output_fd);
	ec_capture_opts_clear(&o);
	return ret;
}

int main(int argc, char **argv)
{
	struct ec_args a = {0};
	g_autoptr(GError) err = NULL;
	const struct ec_extcap_iface *iface;
	bool extcap;
	int ret = 0;

	/* The parser removes what it reads from argv: the privileged copy gets the whole call. */
	g_autofree char **call = g_memdup2(argv, sizeof(char *) * ((size_t)argc + 1));

	if (ec_args_parse(argc, argv, &a, &err)) {
		ret = fail(&a, err->message);
		goto out;
	}
	extcap = a.capture || a.fifo || a.extcap_interfaces || a.extcap_config || a.extcap_dlts;
	if (ec_log_setup(a.verbose ? "debug" : a.log_level, a.log_file, extcap && a.capture,
	                 &err)) {
		ret = fail(&a, err->message);
		goto out;
	}
	if (a.version) {
		printf("ecapturedump %s\n", ECAPTURE_VERSION);
		goto out;
	}
	if (a.extcap_interfaces) {
		ec_extcap_print_interfaces(stdout);
		goto out;
	}
	iface = ec_extcap_iface_find(a.extcap_interface ? a.extcap_interface : "ecapture-tls");
	if (!iface) {
		g_autofree char *msg =
		    g_strdup_printf("unknown interface \"%s\"", a.extcap_interface);

		ret = fail(&a, msg);
		goto out;
	}
	if (a.extcap_dlts) {
		ec_extcap_print_dlts(stdout, iface);
		goto out;
	}
	if (a.extcap_config) {
		ec_extcap_print_config(stdout, iface);
		goto out;
	}
	if (a.capture_filter && !a.capture && !a.write && !a.keylog) {
		ret = check_filter(a.capture_filter);
		goto out;
	}
	if (a.list_targets) {
		ret = list_targets(&a, iface, call);
		goto out;
	}
	if (a.capture && !a.fifo) {
		ret = fail(&a, "--capture needs --fifo PATH");
		goto out;
	}
	ret = run_capture(&a, iface, a.capture, call);
out:
	ec_args_clear(&a);
	return ret;
}
