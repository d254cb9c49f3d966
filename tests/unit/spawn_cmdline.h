/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: a sleeping child whose command line holds a long argument. */
#ifndef EC_TEST_SPAWN_CMDLINE_H
#define EC_TEST_SPAWN_CMDLINE_H

#include <string.h>
#include <glib.h>

#include "output/record_writer.h"

/* `sh -c "sleep 30" sh ARG`, once its exec has happened (its cmdline reads as sh's); its pid. */
static inline GPid ec_test_spawn_cmdline(char *arg)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 30", "sh", arg, NULL};
	g_autoptr(GError) err = NULL;
	GPid pid;

	g_assert_true(g_spawn_async(NULL, argv, NULL,
	                            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
	                            NULL, &pid, &err));
	for (int i = 0; i < 200; i++) {
		char buf[EC_CMDLINE_MAX + 1];

		if (ec_cmdline_read((uint32_t)pid, buf) && strncmp(buf, "/bin/sh -c", 10) == 0)
			break;
		g_usleep(10000);
	}
	return pid;
}

#endif
