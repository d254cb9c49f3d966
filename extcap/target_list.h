/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --list-targets: the files a capture would trace or skip, printed for a person. */
#ifndef EC_TARGET_LIST_H
#define EC_TARGET_LIST_H

#include <stdio.h>
#include <glib.h>

/* ROWS (struct ec_target_row *, capture/target_row.h), one block per file, then a count. */
void ec_print_target_rows(FILE *out, GPtrArray *rows);

#endif
