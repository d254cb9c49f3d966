/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The proof of a measured layout: fresh TLS 1.3 and 1.2 handshakes, read back through the
 * offsets alone (as the probes will), compared with their key logs.
 */
#ifndef CAL_VERIFY_H
#define CAL_VERIFY_H

#include <linux/types.h>

#include "ecapture/events.h"
#include "ossl.h"

/* 0 if everything read back matches, else -1 after report_fail() naming the field. */
int verify_layout(const struct ossl *o, const struct ec_ssl_layout *l);

#endif
