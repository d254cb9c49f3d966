// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one escaper (include/ecapture/escape.h, output/escape.h) and the places that use it for
 * text of other processes: the process comment's cmdline, /proc/PID/cmdline as read.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "ecapture/escape.h"
#include "output/escape.h"
#include "output/record_writer.h"

static char *esc(const char *s, size_t len, const char *keep)
{
	return ec_escape_dup(s, len, keep);
}

#define ESC_IS(in, keep, want)                                                                     \
	do {                                                                                       \
		g_autofree char *got_ = esc(in, sizeof(in) - 1, keep);                             \
		g_assert_cmpstr(got_, ==, want);                                                   \
	} while (0)

static void test_controls(void)
{
	ESC_IS("a\x1b[31mb", "", "a\\x1b[31mb"); /* ESC */
	ESC_IS("a\x9b"
	       "31mb",
	       "", "a\\x9b31mb"); /* C1 CSI as a raw byte */
	ESC_IS("a\xc2\x9b"
	       "31mb",
	       "", "a\\xc2\\x9b31mb"); /* C1 CSI as UTF-8 U+009B */
	ESC_IS("\xc2\x80\xc2\x9f\xc2\xa0", "", "\\xc2\\x80\\xc2\\x9f\xc2\xa0"); /* U+00A0 kept */
	ESC_IS("x\x7fy", "", "x\\x7fy");                                        /* DEL */
	ESC_IS("a\0b", "\n\t", "a\\x00b");               /* NUL, whatever is kept */
	ESC_IS("l1\nl2\tt\r", "\n\t", "l1\nl2\tt\\x0d"); /* kept C0 controls */
	ESC_IS("l1\nl2\t", "", "l1\\x0al2\\x09");
}

static void test_bidi(void)
{
	ESC_IS("evil\xe2\x80\xaetxt.exe", "", "evil\\xe2\\x80\\xaetxt.exe"); /* U+202E RLO */
	ESC_IS("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "",
	       "\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xac\\xe2\\x80\\xad");
	ESC_IS("\xe2\x81\xa6\xe2\x81\xa9", "", "\\xe2\\x81\\xa6\\xe2\\x81\\xa9"); /* U+2066, 2069 */
	ESC_IS("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "",
	       "\\xe2\\x80\\x8e\\xe2\\x80\\x8f\\xd8\\x9c"); /* LRM, RLM, ALM */
	ESC_IS("\xe2\x80\xa8\xe2\x80\xa9", "", "\\xe2\\x80\\xa8\\xe2\\x80\\xa9"); /* LS, PS */
	/* neighbours stay */
	ESC_IS("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5", "", "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5");
}

static void test_invalid_utf8(void)
{
	ESC_IS("a\xff"
	       "b",
	       "", "a\\xffb");
	ESC_IS("\xc3", "", "\\xc3");                            /* cut at the end */
	ESC_IS("\xc3(", "", "\\xc3(");                          /* a start, then ASCII */
	ESC_IS("\xc0\xaf", "", "\\xc0\\xaf");                   /* overlong '/' */
	ESC_IS("\xe0\x80\xaf", "", "\\xe0\\x80\\xaf");          /* overlong */
	ESC_IS("\xed\xa0\x80", "", "\\xed\\xa0\\x80");          /* a surrogate */
	ESC_IS("\xf4\x90\x80\x80", "", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	ESC_IS("\xe2\x80\xc3\xa9", "", "\\xe2\\x80\xc3\xa9"); /* a cut sequence, then a valid one */
}

static void test_text_kept(void)
{
	static const char utf8[] = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92 "
	                           "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d ~!@#$%^&*()_+{}|:\"<>?\\";
	g_autofree char *once = esc(utf8, sizeof(utf8) - 1, "");
	g_autofree char *twice = NULL;

	g_assert_cmpstr(once, ==, utf8);
	/* escaped text is left alone by a second pass: safe to escape at the source and again */
	once = (g_free(once), esc("\x1b\x9b\xe2\x80\xae\xff", 6, ""));
	twice = esc(once, strlen(once), "");
	g_assert_cmpstr(twice, ==, once);
	g_assert_true(g_utf8_validate(once, -1, NULL));
}

/* The process comment: a cmdline holds no raw control byte, whoever built it. */
static void test_comment(void)
{
	g_autoptr(GString) s = g_string_new(NULL);

	ec_meta_comment(s,
	                "a\x1b"
	                "b\xc2\x9b",
	                5, 5, 0, 3, "run \x1b]0;x\x07 \x9b \xe2\x80\xae \"q\\");
	/* in the quoted cmdline every backslash is doubled, the escapes' too */
	g_assert_cmpstr(s->str, ==,
	                "a\\x1bb\\xc2\\x9b pid=5 tid=5 uid=0 fd=3 cmdline=\"run \\\\x1b]0;x\\\\x07 "
	                "\\\\x9b \\\\xe2\\\\x80\\\\xae \\\"q\\\\\"");
	/* the same as when the cmdline was escaped before (ec_cmdline_read) */
	static const char raw[] = "run \x1b]0;x\x07 \x9b \xe2\x80\xae \"q\\";
	g_autofree char *pre = esc(raw, sizeof(raw) - 1, "");
	g_autoptr(GString) s2 = g_string_new(NULL);

	ec_meta_comment(s2,
	                "a\x1b"
	                "b\xc2\x9b",
	                5, 5, 0, 3, pre);
	g_assert_cmpstr(s2->str, ==, s->str);
}

/* /proc/PID/cmdline as read for the comments and records: escaped at once. */
static void test_cmdline_read(void)
{
	char *const argv[] = {"sleep\x1b[31m \x9b"
	                      "5\xe2\x80\xae",
	                      "30", NULL};
	pid_t pid = fork();
	char got[EC_CMDLINE_MAX + 1];

	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		execv("/bin/sleep", argv);
		_exit(127);
	}
	got[0] = '\0';
	for (int i = 0; i < 200; i++) {
		if (ec_cmdline_read((uint32_t)pid, got) && g_str_has_prefix(got, "sleep\\x1b"))
			break;
		got[0] = '\0';
		g_usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	g_assert_cmpstr(got, ==, "sleep\\x1b[31m \\x9b5\\xe2\\x80\\xae 30");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/escape/controls", test_controls);
	g_test_add_func("/escape/bidi", test_bidi);
	g_test_add_func("/escape/invalid_utf8", test_invalid_utf8);
	g_test_add_func("/escape/text_kept", test_text_kept);
	g_test_add_func("/escape/comment", test_comment);
	g_test_add_func("/escape/cmdline_read", test_cmdline_read);
	return g_test_run();
}
