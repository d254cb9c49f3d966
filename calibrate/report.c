// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <stdarg.h>
#include <stdio.h>

static char reason[512];
static int failed;

void report_fail(const char *fmt, ...)
{
	va_list ap;

	if (failed)
		return;
	failed = 1;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* one line on stdout: no newlines from library error strings */
	for (char *p = reason; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

const char *report_reason(void)
{
	return failed ? reason : NULL;
}

void report_clear(void)
{
	failed = 0;
	reason[0] = '\0';
}
