/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One capture, start to end: load and attach the BPF programs, turn ring buffer events into a
 * pcapng stream (packets plus Decryption Secrets Blocks), stop on a signal, on the reader going
 * away or on an error, and leave nothing of ours attached behind.
 */
#ifndef EC_ENGINE_H
#define EC_ENGINE_H

#include <glib.h>

#include "capture_opts.h"

/*
 * Runs the capture until it is stopped. 0 after a normal stop (SIGINT/SIGTERM, reader gone,
 * duration reached); -1 with ERR set otherwise. Blocks SIGINT, SIGTERM and SIGHUP in the
 * calling thread and ignores SIGPIPE.
 */
int ec_capture_run(const struct ec_capture_opts *opts, GError **err);

#endif
