/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One capture, start to end: load and attach the BPF programs, turn ring buffer events into a
 * pcapng stream (packets plus Decryption Secrets Blocks), stop on a signal, on the reader going
 * away or on an error, and leave nothing of ours attached behind.
 */
#ifndef EC_ENGINE_H
#define EC_ENGINE_H

#include <sys/types.h>
#include <glib.h>

#include "capture_opts.h"
#include "target_row.h"

/*
 * Runs the capture until it is stopped. 0 after a normal stop (SIGINT/SIGTERM, reader gone,
 * duration reached); -1 with ERR set otherwise. Blocks SIGINT, SIGTERM and SIGHUP in the
 * calling thread and ignores SIGPIPE.
 */
int ec_capture_run(const struct ec_capture_opts *opts, GError **err);

/*
 * Whether this process may run a capture (root, or the capabilities it needs); FALSE with ERR
 * saying what is missing.
 */
gboolean ec_capture_can_run(GError **err);

/* What this kernel gets, one line per choice (uprobes, packets, socket finder...), each fallback
 * with what the kernel lacks; the probes need the capture's rights (else they say "no"). */
char *ec_capture_kernel_paths(void);

/*
 * What a capture with OPTS would trace, found and planned as the capture does it (layouts
 * calibrated) but with nothing loaded or attached: a GPtrArray of struct ec_target_row
 * (target_row.h), or NULL with ERR set.
 */
GPtrArray *ec_capture_list_targets(const struct ec_capture_opts *opts, GError **err);

#endif
