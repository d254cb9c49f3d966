/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding struct ec_ssl_layout by search: known values (from the key log, the message callback
 * and the API) are looked up in the live client and server objects of several handshakes. A
 * field gets an offset only if every handshake and both sides agree on exactly one.
 */
#ifndef CAL_MEASURE_H
#define CAL_MEASURE_H

#include <linux/types.h>

#include "ecapture/events.h"
#include "ossl.h"
#include "tls_run.h"

/*
 * Fills OUT (-1 for fields not found). 0 if every field the keys need was found, else -1
 * after report_fail() naming the first one missing.
 */
int measure_layout(const struct ossl *o, struct ec_ssl_layout *out);

/* Field I of L by its position in EC_SSL_LAYOUT_FIELDS. */
__s32 *layout_field(struct ec_ssl_layout *l, int i);
extern const char *const layout_field_names[];
extern const int layout_field_count;

#endif
