/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The helper's one failure reason: the first one set wins, later ones are consequences. */
#ifndef CAL_REPORT_H
#define CAL_REPORT_H

__attribute__((format(printf, 1, 2))) void report_fail(const char *fmt, ...);

/* Forget a failure that was expected (an optional step). */
void report_clear(void);

/* The reason, or NULL if nothing failed. */
const char *report_reason(void);

#endif
