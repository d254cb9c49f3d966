/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wireshark's interface toolbar for our interfaces: the controls we declare (PID filter, user
 * filter, reload, log), and, during a capture, the two control pipes: what Wireshark
 * sets is turned into engine calls (capture/control.h), and the log, the counters and the
 * warnings go back to it.
 */
#ifndef EC_TOOLBAR_H
#define EC_TOOLBAR_H

#include <stdio.h>
#include <glib.h>

#include "control.h"

/* The toolbar's "control" and "value" lines, part of --extcap-interfaces (Wireshark reads them
 * there: one toolbar for every interface of the extcap). */
void ec_toolbar_print_controls(FILE *out);

struct ec_toolbar;

/*
 * The control pipes Wireshark made (IN: it writes, we read; OUT: we write, it reads; either may
 * be NULL), opened without waiting for Wireshark. NULL with ERR set when a pipe cannot be
 * opened. From now on the log also goes to the toolbar's log window, and warnings to Wireshark.
 */
struct ec_toolbar *ec_toolbar_open(const char *in, const char *out, GError **err);

/* What the engine needs to poll the toolbar's input and report its counters to it. */
void ec_toolbar_hooks(struct ec_toolbar *t, struct ec_capture_hooks *h);

/* Whatever can still be sent goes out; the pipes are closed. T may be NULL. */
void ec_toolbar_close(struct ec_toolbar *t);

#endif
