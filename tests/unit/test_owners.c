// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The owners table's command lines: read once per process and shared by its flows (their bytes
 * do not grow with the flows), bounded in bytes (the cache gives up its oldest first; one the
 * flows alone fill the budget with is not kept, and counted).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>

#include "engine/owners.h"
#include "output/record_writer.h"
#include "spawn_cmdline.h"

static struct ec_conn_event conn_event(uint32_t pid, const char *comm, uint16_t port)
{
	struct ec_conn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.proc.pid = pid;
	ev.proc.tid = pid;
	g_strlcpy(ev.proc.comm, comm, sizeof(ev.proc.comm));
	ev.flow.family = 2;
	ev.flow.port_a = port;
	ev.flow.port_b = 443;
	ev.local_is_a = true;
	ev.ssl = port;
	ev.fd = 3;
	return ev;
}

/* A sleeping child with a command line of about KIB KiB. */
static GPid spawn_sleeper(size_t kib)
{
	g_autofree char *big = g_strnfill(kib * 1024, 'y');

	return ec_test_spawn_cmdline(big);
}

static void reap(GPid pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	g_spawn_close_pid(pid);
}

/* 2000 flows of one process with a 100 KiB command line: one copy of at most 4 KiB. */
static void test_shared(void)
{
	GPid pid = spawn_sleeper(100);
	struct ec_owners *o = ec_owners_new(65536, 1u << 20);
	const char *first = NULL;

	for (uint16_t port = 1; port <= 2000; port++) {
		struct ec_conn_event ev = conn_event((uint32_t)pid, "sh", port);
		const struct ec_owner *ow;

		ec_owners_add(o, &ev);
		ow = ec_owners_for_packet(o, &ev.flow, true);
		g_assert_nonnull(ow);
		g_assert_nonnull(ow->cmdline);
		if (!first)
			first = ow->cmdline;
		g_assert_true(ow->cmdline == first); /* the same copy */
	}
	g_assert_true(g_str_has_suffix(first, EC_CMDLINE_CUT));
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 64);
	g_assert_cmpuint(ec_owners_cmdlines_not_kept(o), ==, 0);
	ec_owners_free(o);
	reap(pid);
}

/*
 * A budget of about one command line: a second process's line evicts the first from the cache,
 * but the first one's flow still holds it, so the second is not kept (counted); once that flow
 * is gone (the table holds one flow), a third process's line is kept again.
 */
static void test_budget(void)
{
	GPid a = spawn_sleeper(8), b = spawn_sleeper(8), c = spawn_sleeper(8);
	struct ec_owners *o = ec_owners_new(1, EC_CMDLINE_MAX + 100);
	struct ec_conn_event ev;
	const struct ec_owner *ow;

	ev = conn_event((uint32_t)a, "sh", 1);
	ec_owners_add(o, &ev);
	ow = ec_owners_for_packet(o, &ev.flow, true);
	g_assert_nonnull(ow->cmdline);
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 100);

	/* A record of b, with no flow: the cache gives up a's line, a's flow keeps it. */
	ev = conn_event((uint32_t)b, "sh", 2);
	g_assert_null(ec_owners_learn_cmdline(o, &ev.proc));
	g_assert_cmpuint(ec_owners_cmdlines_not_kept(o), ==, 1);
	ev = conn_event((uint32_t)a, "sh", 1);
	g_assert_nonnull(ec_owners_for_packet(o, &ev.flow, true)->cmdline);
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 100);

	/* c's flow replaces a's (one flow at most): a's line goes, c's fits. */
	ev = conn_event((uint32_t)c, "sh", 3);
	ec_owners_add(o, &ev);
	ow = ec_owners_for_packet(o, &ev.flow, true);
	g_assert_nonnull(ow->cmdline);
	g_assert_cmpuint(ec_owners_cmdlines_not_kept(o), ==, 1);
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 100);
	ec_owners_free(o);
	reap(a);
	reap(b);
	reap(c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/owners/cmdline_shared", test_shared);
	g_test_add_func("/owners/cmdline_budget", test_budget);
	return g_test_run();
}
