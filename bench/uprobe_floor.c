// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attaches empty entry and return probes to SSL_read/SSL_write(_ex) of a libssl and waits for
 * SIGINT/SIGTERM: the least any uprobe-based tool can cost, to compare ecapturedump against.
 *
 * usage: uprobe_floor LIBSSL
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "uprobe_floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const char *const fns[] = {"SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"};
	struct uprobe_floor_bpf *skel;

	if (argc != 2) {
		fprintf(stderr, "usage: uprobe_floor LIBSSL\n");
		return 2;
	}
	skel = uprobe_floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "uprobe_floor: cannot load\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, in, .func_name = fns[i]);
		LIBBPF_OPTS(bpf_uprobe_opts, out, .func_name = fns[i], .retprobe = true);

		if (!bpf_program__attach_uprobe_opts(skel->progs.floor_entry, -1, argv[1], 0,
		                                     &in) ||
		    !bpf_program__attach_uprobe_opts(skel->progs.floor_return, -1, argv[1], 0,
		                                     &out)) {
			fprintf(stderr, "uprobe_floor: cannot probe %s\n", fns[i]);
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	uprobe_floor_bpf__destroy(skel);
	return 0;
}
