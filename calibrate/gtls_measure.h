/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Measuring and verifying struct ec_gnutls_layout of the loaded GnuTLS (gtls.h). */
#ifndef CAL_GTLS_MEASURE_H
#define CAL_GTLS_MEASURE_H

#include <linux/types.h>

#include "ecapture/events.h"
#include "gtls.h"

/* Fills L (-1 for fields not found); 0, or -1 after report_fail(). */
int gtls_calibrate(const struct gtls *t, struct ec_gnutls_layout *l);

#endif
