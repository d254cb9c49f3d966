/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests that read their output back with Wireshark's tools skip when a tool is missing: they
 * say so and exit 77, which tests/CMakeLists.txt tells ctest means "skipped".
 */
#ifndef EC_TEST_REQUIRE_TOOLS_H
#define EC_TEST_REQUIRE_TOOLS_H

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

#define EC_TEST_SKIP 77

/* Exit with EC_TEST_SKIP unless every program of the NULL-terminated NAMES is on PATH. */
static inline void ec_test_require_tools(const char *const *names)
{
	for (const char *const *n = names; *n; n++) {
		g_autofree char *path = g_find_program_in_path(*n);

		if (!path) {
			printf("SKIP: %s not installed\n", *n);
			fflush(stdout);
			exit(EC_TEST_SKIP);
		}
	}
}

#endif
