// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output/output and keys/keylog_file: a pipe whose reader never reads does not keep a stop
 * waiting (the flush gives up and counts what it gave up), and a key log file that cannot be
 * written (a full disk: /dev/full) counts its lines as lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#include "keys/keylog_file.h"
#include "output/output.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_stalled_reader_stop(void)
{
	int data[2], stop[2];
	struct ec_output o;
	const size_t batch = 1 << 20; /* more than a pipe holds */
	uint64_t t0;

	g_assert_cmpint(pipe(data), ==, 0);
	g_assert_cmpint(pipe(stop), ==, 0);
	ec_output_init_fd(&o, data[1]);
	g_assert_true(o.is_pipe);
	o.stop_fd = stop[0];
	g_byte_array_set_size(o.buf, batch);
	memset(o.buf->data, 'x', batch);
	/* The stop request is there before the flush starts waiting: it must not wait. */
	g_assert_cmpint(write(stop[1], "s", 1), ==, 1);
	t0 = now_ms();
	g_assert_cmpint(ec_output_flush(&o), ==, 0);
	g_assert_cmpuint(now_ms() - t0, <, 1000);
	g_assert_true(o.stopping);
	g_assert_cmpuint(o.written + o.dropped, ==, batch);
	g_assert_cmpuint(o.dropped, >, 0);
	/* Once stopping, later batches never wait either. */
	g_byte_array_set_size(o.buf, 100);
	g_assert_cmpint(ec_output_flush(&o), ==, 0);
	g_assert_cmpuint(o.written + o.dropped, ==, batch + 100);
	/* The fd is not ours: it is left blocking again, as it came. */
	ec_output_close(&o);
	g_assert_cmpint(fcntl(data[1], F_GETFL) & O_NONBLOCK, ==, 0);
	close(data[0]);
	close(data[1]);
	close(stop[0]);
	close(stop[1]);
}

/* The capture's end (--duration) comes while the reader does not read: no longer waited for. */
static void test_stalled_reader_deadline(void)
{
	int data[2];
	struct ec_output o;
	const size_t batch = 1 << 20;
	uint64_t t0 = now_ms(), took;

	g_assert_cmpint(pipe(data), ==, 0);
	ec_output_init_fd(&o, data[1]);
	o.stop_ns = (t0 + 200) * 1000000ull;
	g_byte_array_set_size(o.buf, batch);
	memset(o.buf->data, 'x', batch);
	g_assert_cmpint(ec_output_flush(&o), ==, 0);
	took = now_ms() - t0;
	g_assert_cmpuint(took, >=, 150);
	g_assert_cmpuint(took, <, 1000);
	g_assert_cmpuint(o.dropped, >, 0);
	g_assert_cmpuint(o.written + o.dropped, ==, batch);
	ec_output_close(&o);
	close(data[0]);
	close(data[1]);
}

/* An output never opened closes without a word (a capture that failed before its sink). */
static void test_close_unopened(void)
{
	struct ec_output o = {.fd = -1};

	ec_output_close(&o);
	g_assert_cmpint(o.fd, ==, -1);
}

static void test_reader_reads(void)
{
	int data[2];
	struct ec_output o;
	g_autofree char *back = g_malloc(4096);

	g_assert_cmpint(pipe(data), ==, 0);
	ec_output_init_fd(&o, data[1]);
	g_byte_array_append(o.buf, (const guint8 *)"hello", 5);
	g_assert_cmpint(ec_output_flush(&o), ==, 0);
	g_assert_cmpuint(o.written, ==, 5);
	g_assert_cmpuint(o.dropped, ==, 0);
	g_assert_cmpint(read(data[0], back, 4096), ==, 5);
	ec_output_close(&o);
	close(data[0]);
	close(data[1]);
}

static void test_keylog_full_disk(void)
{
	g_autoptr(GError) err = NULL;
	struct ec_keylog_file *f = ec_keylog_file_open("/dev/full", &err);
	const char lines[] = "CLIENT_RANDOM aa bb\nCLIENT_RANDOM cc dd\n";

	if (!f) {
		g_test_skip(err->message);
		return;
	}
	g_assert_cmpuint(ec_keylog_file_lost(f), ==, 0);
	ec_keylog_file_append(f, lines, strlen(lines));
	g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "*key log file*No space*");
	ec_keylog_file_flush(f);
	g_test_assert_expected_messages();
	g_assert_cmpuint(ec_keylog_file_lost(f), ==, 2);
	/* Said once: the next failure is counted, not logged again. */
	ec_keylog_file_append(f, lines, strlen(lines));
	ec_keylog_file_flush(f);
	g_assert_cmpuint(ec_keylog_file_lost(f), ==, 4);
	ec_keylog_file_close(f);
	g_assert_cmpuint(ec_keylog_file_lost(NULL), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/output/stalled_reader_stop", test_stalled_reader_stop);
	g_test_add_func("/output/stalled_reader_deadline", test_stalled_reader_deadline);
	g_test_add_func("/output/reader_reads", test_reader_reads);
	g_test_add_func("/output/close_unopened", test_close_unopened);
	g_test_add_func("/output/keylog_full_disk", test_keylog_full_disk);
	return g_test_run();
}
