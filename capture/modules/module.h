/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A capture module: one kind of thing to trace (a TLS library, a shell, a database server), with
 * its BPF object and its attachments. The engine loads every module the capture wants, writes
 * the filters, then attaches them all, so no probe runs before the PID/UID filters are in place.
 * The packet capture (probes/tc_packets.h) is not a module: it needs the network interfaces.
 */
#ifndef EC_MODULE_H
#define EC_MODULE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "capture_opts.h"
#include "target_row.h"
#include "probes/bpf_shared.h"
#include "probes/process_hold.h"

struct ec_module_ops {
	const char *name;
	/* It provides TLS keys or plaintext (the TLS interface needs at least one such module). */
	bool tls;
	/* Whether the capture described by O uses this module. */
	bool (*wanted)(const struct ec_capture_opts *o);
	/*
	 * Find what to trace and load the BPF programs, sharing the common maps through SHARED
	 * (ec_bpf_shared_prepare/adopt). Returns the module's state; NULL with ERR set on a failure
	 * that ends the capture (e.g. a path the user named); NULL with ERR unset when there is
	 * nothing to trace here (the module is skipped).
	 */
	void *(*load)(struct ec_bpf_shared *shared, const struct ec_capture_opts *o, GError **err);
	/*
	 * Append to ROWS (struct ec_target_row *) every file this module would trace for O and
	 * every one it would skip, with the reason, without loading or attaching anything. NULL:
	 * the module has nothing to list.
	 */
	int (*list)(const struct ec_capture_opts *o, GPtrArray *rows, GError **err);
	/*
	 * Process PID maps a file this module may trace that was not there when the capture
	 * started (a library loaded late, a copy at a new path, a container's): trace it now,
	 * while the capture runs. NULL: the module does not follow such files. -1 with ERR: the
	 * file cannot be traced (the capture goes on). HOLD (may be NULL): before it plans and
	 * probes a new file, the module stops PID with it (ec_hold_process); the caller lets go,
	 * unless this returns 1: a new file of PID is being calibrated in the background (resume
	 * attaches it), and PID stays held until then or its hold's bound.
	 */
	int (*adopt)(void *state, const struct ec_capture_opts *o, pid_t pid, struct ec_holds *hold,
	             GError **err);
	/*
	 * Calibrations running in the background (layouts/calibrations.h) have ended: plan and
	 * attach the files that waited for them, as adopt does. The count of files still waiting
	 * whose process is held; -1 with ERR when a file the user named cannot be traced (the
	 * capture ends). NULL: the module never waits for a calibration.
	 */
	int (*resume)(void *state, const struct ec_capture_opts *o, GError **err);
	/*
	 * Process PID handshakes inside the data calls (SSL_read, SSL_write...) of target LIB_ID
	 * of the module whose events carry SOURCE (enum ec_record_source), which are not probed
	 * when the capture takes no plaintext: probe them in that process now. Not this module's
	 * source: 0, nothing done. NULL: the module never asks.
	 */
	int (*data_calls)(void *state, const struct ec_capture_opts *o, pid_t pid, uint32_t source,
	                  uint32_t lib_id, GError **err);
	/* Attach the programs; nothing attached stays behind on error. */
	int (*attach)(void *state, const struct ec_capture_opts *o, GError **err);
	/* What it traces, for the start message, e.g. "OpenSSL: 2 libraries" (g_free). */
	char *(*describe)(void *state);
	/* How many files (libraries, programs) it has probes on now. NULL: it traces no files. */
	guint (*n_traced)(void *state);
	/* Detach and unload. */
	void (*destroy)(void *state);
};

/* Every module, in load order, NULL-terminated (capture/modules/registry.c). */
extern const struct ec_module_ops *const ec_modules[];

#endif
