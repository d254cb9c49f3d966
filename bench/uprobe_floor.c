// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attaches empty probes to SSL_read/SSL_write(_ex) of a libssl and waits for SIGINT/SIGTERM:
 * the least any uprobe-based tool can cost, to compare ecapturedump against.
 *
 *   uprobe_floor [--multi] [--entry-only] LIBSSL
 *
 * By default one perf uprobe and one uretprobe per function (what libbpf's attach_uprobe
 * does). --multi attaches the same probes through uprobe_multi links (one link for the entry
 * probes, one for the return probes), as the engine does on kernels that have them.
 * --entry-only leaves out the return probes.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "probes/uprobe_multi.h"
#include "targets/elf_info.h"
#include "uprobe_floor.skel.h"

static const char *const fns[] = {"SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"};
#define N_FNS (sizeof(fns) / sizeof(fns[0]))

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One perf uprobe (and uretprobe unless ENTRY_ONLY) per function. */
static int attach_perf(struct uprobe_floor_bpf *skel, const char *lib, bool entry_only)
{
	for (size_t i = 0; i < N_FNS; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, in, .func_name = fns[i]);
		LIBBPF_OPTS(bpf_uprobe_opts, out, .func_name = fns[i], .retprobe = true);

		if (!bpf_program__attach_uprobe_opts(skel->progs.floor_entry, -1, lib, 0, &in) ||
		    (!entry_only && !bpf_program__attach_uprobe_opts(skel->progs.floor_return, -1,
		                                                     lib, 0, &out))) {
			fprintf(stderr, "uprobe_floor: cannot probe %s in %s: %s\n", fns[i], lib,
			        strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* One uprobe_multi link on every function's entry, one on their returns unless ENTRY_ONLY. */
static int attach_multi(struct uprobe_floor_bpf *skel, const char *lib, bool entry_only)
{
	uint64_t offsets[N_FNS], cookies[N_FNS] = {0};
	GError *err = NULL;
	struct ec_elf *elf = ec_elf_open(lib, &err);
	int fd;

	if (!elf) {
		fprintf(stderr, "uprobe_floor: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	for (size_t i = 0; i < N_FNS; i++) {
		struct ec_elf_symbol sym;

		if (!ec_elf_find_symbol(elf, fns[i], &sym, &err) || sym.offset == UINT64_MAX) {
			fprintf(stderr, "uprobe_floor: %s in %s: %s\n", fns[i], lib,
			        err ? err->message : "not in a loaded segment");
			g_clear_error(&err);
			ec_elf_close(elf);
			return -1;
		}
		offsets[i] = sym.offset;
	}
	ec_elf_close(elf);
	fd = ec_uprobe_multi_attach(bpf_program__fd(skel->progs.floor_entry), lib, offsets, cookies,
	                            N_FNS, false, 0);
	if (fd >= 0 && !entry_only)
		fd = ec_uprobe_multi_attach(bpf_program__fd(skel->progs.floor_return), lib, offsets,
		                            cookies, N_FNS, true, 0);
	if (fd < 0) {
		fprintf(stderr, "uprobe_floor: uprobe_multi link on %s: %s\n", lib, strerror(-fd));
		return -1;
	}
	return 0; /* the links live until the process exits */
}

static int usage(void)
{
	fprintf(stderr, "usage: uprobe_floor [--multi] [--entry-only] LIBSSL\n");
	return 2;
}

int main(int argc, char **argv)
{
	bool multi = false, entry_only = false;
	struct uprobe_floor_bpf *skel;
	const char *lib = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--multi"))
			multi = true;
		else if (!strcmp(argv[i], "--entry-only"))
			entry_only = true;
		else if (argv[i][0] != '-' && !lib)
			lib = argv[i];
		else
			return usage();
	}
	if (!lib)
		return usage();
	skel = uprobe_floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "uprobe_floor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	if (multi) {
		bpf_program__set_expected_attach_type(skel->progs.floor_entry,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(skel->progs.floor_return,
		                                      EC_BPF_TRACE_UPROBE_MULTI);
	}
	rc = uprobe_floor_bpf__load(skel);
	if (rc) {
		fprintf(stderr, "uprobe_floor: cannot load the BPF programs%s: %s\n",
		        multi ? " for uprobe_multi" : "", strerror(-rc));
		uprobe_floor_bpf__destroy(skel);
		return 1;
	}
	if ((multi ? attach_multi : attach_perf)(skel, lib, entry_only)) {
		uprobe_floor_bpf__destroy(skel);
		return 1;
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
