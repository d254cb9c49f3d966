/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calibrations in the background. A layout not known yet is measured by a worker thread that
 * only runs the calibration helper (at most EC_CALIBRATIONS_MAX at once, each still bounded by
 * EC_LAYOUT_TIMEOUT_MS and killed whole), while the thread that asked goes on: the engine polls
 * ec_calibrations_fd() with its ring buffer and plans a file again once its calibration ended.
 * A job is named by a key (the file's version and root): it runs once; asked again, the answer
 * is in the layout cache, or the job's error says why not.
 */
#ifndef EC_CALIBRATIONS_H
#define EC_CALIBRATIONS_H

#include <glib.h>

#define EC_CALIBRATIONS_MAX 4

/* The slow part, in a worker thread: FALSE with ERR (kept as the job's answer). */
typedef gboolean (*ec_calibration_work)(gpointer data, GError **err);

/*
 * Start job KEY (WORK on DATA, freed by FREE afterwards) unless it was started before. Always
 * -1 with ERR: EC_LAYOUT_ERROR_PENDING while it is queued or running; once it has ended, its
 * error, or (it succeeded, yet the caller did not find its answer) the file changed meanwhile.
 */
int ec_calibration_request(const char *key, ec_calibration_work work, gpointer data,
                           GDestroyNotify free, GError **err);

/* Readable when a job has ended since the last ec_calibrations_take(); -1 if none can be made. */
int ec_calibrations_fd(void);
/* Reads the fd: the jobs ended since the last take. */
guint ec_calibrations_take(void);
/* Jobs queued or running now. */
guint ec_calibrations_running(void);
/* Waits until no job is queued or running (--list-targets). */
void ec_calibrations_wait(void);
/* The same, until DEADLINE at most (g_get_monotonic_time()); FALSE if some still run then. */
gboolean ec_calibrations_wait_until(gint64 deadline);
/* At the end of a capture: queued jobs are dropped, running helpers killed, their ends waited for.
 */
void ec_calibrations_stop(void);

#endif
