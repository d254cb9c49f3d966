// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The owners table: each packet names the process of the socket that sent it (the receiver's
 * for a sender not seen), none where the socket is shared; a flow is claimed only by a TLS
 * library's connection. Its command lines: read once per process and shared by its flows (their
 * bytes do not grow with the flows), bounded in bytes (the cache gives up its oldest first; one
 * the flows alone fill the budget with is not kept, and counted).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>

#include "engine/owners.h"
#include "output/record_writer.h"
#include "spawn_cmdline.h"

static struct ec_sock_owner_event owner_event(uint32_t pid, const char *comm, uint16_t port)
{
	struct ec_sock_owner_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = EC_EV_SOCK_OWNER;
	ev.proc.pid = pid;
	ev.proc.tid = pid;
	g_strlcpy(ev.proc.comm, comm, sizeof(ev.proc.comm));
	ev.flow.family = 2;
	ev.flow.port_a = port;
	ev.flow.port_b = 443;
	ev.local_is_a = true;
	ev.fd = 3;
	return ev;
}

/*
 * Both ends local: each packet names its sender's process; a flow whose sockets are known is not
 * claimed until a TLS library's connection names it.
 */
static void test_by_socket(void)
{
	struct ec_owners *o = ec_owners_new(16, 1u << 20);
	struct ec_sock_owner_event a = owner_event(100, "client", 5000);
	struct ec_sock_owner_event b = owner_event(200, "server", 5000);
	struct ec_conn_event conn;
	const struct ec_owner *ow;

	b.local_is_a = false;
	g_assert_null(ec_owners_for_packet(o, &a.flow, true));
	ec_owners_add_sock(o, &a);
	/* Only a is seen: a's packets and, as the receiver, b's. */
	g_assert_cmpuint(ec_owners_for_packet(o, &a.flow, true)->proc.pid, ==, 100);
	g_assert_cmpuint(ec_owners_for_packet(o, &a.flow, false)->proc.pid, ==, 100);
	ec_owners_add_sock(o, &b);
	g_assert_cmpuint(ec_owners_for_packet(o, &a.flow, true)->proc.pid, ==, 100);
	ow = ec_owners_for_packet(o, &a.flow, false);
	g_assert_cmpuint(ow->proc.pid, ==, 200);
	g_assert_false(ow->shared);
	g_assert_false(ec_owners_known(o, &a.flow));

	memset(&conn, 0, sizeof(conn));
	conn.proc = b.proc;
	conn.flow = b.flow;
	conn.ssl = 0x1000;
	conn.fd = 7;
	ec_owners_add(o, &conn);
	g_assert_true(ec_owners_known(o, &a.flow));
	g_assert_nonnull(ec_owners_conn(o, 200, 0x1000));
	/* The library's view names no packet: the socket's owner does. */
	g_assert_cmpint(ec_owners_for_packet(o, &a.flow, false)->fd, ==, 3);
	ec_owners_free(o);
}

/* A second process on one end: that end's packets name no process, the other end's still do. */
static void test_shared_socket(void)
{
	struct ec_owners *o = ec_owners_new(16, 1u << 20);
	struct ec_sock_owner_event parent = owner_event(100, "parent", 5000);
	struct ec_sock_owner_event child = owner_event(101, "child", 5000);
	struct ec_sock_owner_event server = owner_event(200, "server", 5000);
	const struct ec_owner *ow;

	server.local_is_a = false;
	child.shared = 1;
	child.other_pid = 100;
	ec_owners_add_sock(o, &parent);
	ec_owners_add_sock(o, &server);
	ec_owners_add_sock(o, &child);
	ow = ec_owners_for_packet(o, &parent.flow, true);
	g_assert_true(ow->shared);
	g_assert_cmpuint(ow->other_pid, ==, 100);
	g_assert_cmpuint(ow->proc.pid, ==, 101);
	g_assert_null(ow->cmdline);
	ow = ec_owners_for_packet(o, &parent.flow, false);
	g_assert_false(ow->shared);
	g_assert_cmpuint(ow->proc.pid, ==, 200);
	ec_owners_free(o);
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
		struct ec_sock_owner_event ev = owner_event((uint32_t)pid, "sh", port);
		const struct ec_owner *ow;

		ec_owners_add_sock(o, &ev);
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
	struct ec_sock_owner_event ev;
	const struct ec_owner *ow;

	ev = owner_event((uint32_t)a, "sh", 1);
	ec_owners_add_sock(o, &ev);
	ow = ec_owners_for_packet(o, &ev.flow, true);
	g_assert_nonnull(ow->cmdline);
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 100);

	/* A record of b, with no flow: the cache gives up a's line, a's flow keeps it. */
	ev = owner_event((uint32_t)b, "sh", 2);
	g_assert_null(ec_owners_learn_cmdline(o, &ev.proc));
	g_assert_cmpuint(ec_owners_cmdlines_not_kept(o), ==, 1);
	ev = owner_event((uint32_t)a, "sh", 1);
	g_assert_nonnull(ec_owners_for_packet(o, &ev.flow, true)->cmdline);
	g_assert_cmpuint(ec_owners_cmdline_bytes(o), <=, EC_CMDLINE_MAX + 100);

	/* c's flow replaces a's (one flow at most): a's line goes, c's fits. */
	ev = owner_event((uint32_t)c, "sh", 3);
	ec_owners_add_sock(o, &ev);
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
	g_test_add_func("/owners/by_socket", test_by_socket);
	g_test_add_func("/owners/shared_socket", test_shared_socket);
	g_test_add_func("/owners/cmdline_shared", test_shared);
	g_test_add_func("/owners/cmdline_budget", test_budget);
	return g_test_run();
}
