// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shell command and SQL query records through the real tshark with the plugin from the build
 * tree: records written with the project's writer (bash and zsh commands with and without an
 * exit status, MariaDB, MySQL and PostgreSQL queries of every kind, a truncated one, a broken
 * one) must come out as the ecapture.shell.* and ecapture.sql.* fields and a readable Info
 * column. Wireshark ignores WIRESHARK_PLUGIN_DIR for root, so as root tshark runs as nobody.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ecapture/record.h"
#include "output/pcapng.h"
#include "output/record_writer.h"
#include "require_tools.h"

#ifndef ECAPTURE_PLUGIN_BUILD_ROOT
#define ECAPTURE_PLUGIN_BUILD_ROOT "" /* the plugin is not built: the tests fail */
#endif

/* MAKE_SQLSTATE: six bits per character, the first one lowest. */
static uint32_t sqlstate(const char *s)
{
	uint32_t v = 0;

	for (int i = 0; i < 5; i++)
		v |= (uint32_t)((s[i] - '0') & 0x3f) << (6 * i);
	return v;
}

/* One record: STATUS, SUBTYPE, TEXT (LEN bytes of it kept, REAL_LEN as the process had it). */
static void add(GByteArray *file, uint64_t *ts, uint8_t type, uint8_t source, uint32_t pid,
                const char *comm, uint32_t status, uint8_t subtype, const char *text, size_t len,
                size_t real_len)
{
	struct ec_record_meta m = {
	    .type = type,
	    .direction = EC_RECORD_DIR_RECEIVED,
	    .source = source,
	    .pid = pid,
	    .tid = pid,
	    .uid = 1000,
	    .fd = -1,
	    .data_len = (uint32_t)(EC_RECORD_AUDIT_HDR_LEN + real_len),
	    .flags = len < real_len ? EC_RECORDF_TRUNCATED : 0,
	};
	GByteArray *data = g_byte_array_new(), *rec = g_byte_array_new();
	uint32_t be = htonl(status);
	uint8_t hdr[EC_RECORD_AUDIT_HDR_LEN] = {0};

	memcpy(hdr, &be, 4);
	hdr[4] = subtype;
	memcpy(m.comm, comm, strlen(comm));
	g_byte_array_append(data, hdr, sizeof(hdr));
	g_byte_array_append(data, (const guint8 *)text, (guint)len);
	ec_record_append(rec, &m, data->data, data->len);
	ec_pcapng_epb(file, 0, *ts += 1000000, rec->data, rec->len, rec->len, EC_PCAPNG_DIR_INBOUND,
	              NULL, 0);
	g_byte_array_unref(data);
	g_byte_array_unref(rec);
}

static void add_text(GByteArray *file, uint64_t *ts, uint8_t type, uint8_t source, uint32_t pid,
                     const char *comm, uint32_t status, uint8_t subtype, const char *text)
{
	add(file, ts, type, source, pid, comm, status, subtype, text, strlen(text), strlen(text));
}

/* A shell record whose data (3 bytes) is shorter than the 8-byte status header. */
static void add_broken(GByteArray *file, uint64_t *ts)
{
	struct ec_record_meta m = {.type = EC_RECORD_SHELL,
	                           .direction = EC_RECORD_DIR_RECEIVED,
	                           .source = EC_RECORD_SRC_BASH,
	                           .pid = 12,
	                           .tid = 12,
	                           .fd = -1,
	                           .data_len = 3,
	                           .comm = "bash"};
	GByteArray *rec = g_byte_array_new();

	ec_record_append(rec, &m, "abc", 3);
	ec_pcapng_epb(file, 0, *ts += 1000000, rec->data, rec->len, rec->len, EC_PCAPNG_DIR_INBOUND,
	              NULL, 0);
	g_byte_array_unref(rec);
}

static GByteArray *build_capture(void)
{
	GByteArray *f = g_byte_array_new();
	uint64_t ts = 1700000000000000000ull;
	const uint32_t unknown = EC_RECORD_STATUS_UNKNOWN;

	ec_pcapng_shb(f, NULL, NULL, "test_dissector_audit");
	ec_pcapng_idb(f, EC_LINKTYPE_WIRESHARK_UPPER_PDU, 262144, "ecapture-audit", NULL);
	/* 1-4: shells */
	add_text(f, &ts, EC_RECORD_SHELL, EC_RECORD_SRC_BASH, 10, "bash", 0, 0, "echo hi");
	add_text(f, &ts, EC_RECORD_SHELL, EC_RECORD_SRC_BASH, 10, "bash", 2, 0, "ls /nope");
	add_text(f, &ts, EC_RECORD_SHELL, EC_RECORD_SRC_ZSH, 11, "zsh", unknown, 0,
	         "for i in 1 2\ndo echo $i; done");
	add_text(f, &ts, EC_RECORD_SHELL, EC_RECORD_SRC_ZSH, 11, "zsh", (uint32_t)-1, 0,
	         "kill -9 $$");
	/* 5-9: SQL */
	add_text(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_MARIADB, 20, "mariadbd", 0, EC_SQL_SIMPLE,
	         "SELECT 1");
	add_text(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_MYSQL, 21, "connection", 1054, EC_SQL_SIMPLE,
	         "SELECT nosuch");
	add_text(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_POSTGRES, 30, "postgres", 0, EC_SQL_SIMPLE,
	         "SELECT 2; SELECT 3");
	add_text(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_POSTGRES, 31, "postgres", sqlstate("42703"),
	         EC_SQL_EXTENDED, "SELECT nosuch + $1");
	add_text(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_POSTGRES, 31, "postgres", 0, EC_SQL_PREPARE,
	         "SELECT $1::int");
	/* 10: 10 bytes kept of 50000; 11: an empty command; 12: shorter than its header */
	add(f, &ts, EC_RECORD_SQL, EC_RECORD_SRC_MARIADB, 20, "mariadbd", 0, EC_SQL_SIMPLE,
	    "SELECT 'xx", 10, 50000);
	add(f, &ts, EC_RECORD_SHELL, EC_RECORD_SRC_BASH, 10, "bash", 0, 0, "", 0, 0);
	add_broken(f, &ts);
	return f;
}

/* In the child: become nobody when root (Wireshark ignores WIRESHARK_PLUGIN_DIR for root). */
static void drop_to_nobody(gpointer data)
{
	const struct passwd *pw = data;

	if (geteuid() == 0 && (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)))
		_exit(126);
}

/* tshark as nobody (when root) with the plugin from the build tree on FILE; its stdout. */
static gchar *tshark(const char *dir, const char *file, const char *const *args)
{
	struct passwd *pw = getpwnam("nobody");
	g_autofree gchar *path = g_find_program_in_path("tshark");
	g_autofree gchar *plugin =
	    g_build_filename(ECAPTURE_PLUGIN_BUILD_ROOT, "4.0", "epan", "ecapture.so", NULL);
	g_autofree gchar *home = g_build_filename(dir, "home", NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	gchar **envp = g_get_environ();
	gchar *out = NULL, *errout = NULL;
	GError *err = NULL;
	gint status;

	if (!path)
		g_error("tshark is not installed");
	if (!*ECAPTURE_PLUGIN_BUILD_ROOT || !g_file_test(plugin, G_FILE_TEST_EXISTS))
		g_error("the plugin is not built: %s", plugin);
	g_mkdir(home, 0700);
	if (geteuid() == 0) {
		g_assert_nonnull(pw);
		g_assert_cmpint(chown(home, pw->pw_uid, pw->pw_gid), ==, 0);
	}
	envp = g_environ_setenv(envp, "HOME", home, TRUE);
	envp = g_environ_setenv(envp, "WIRESHARK_CONFIG_DIR", home, TRUE);
	envp = g_environ_setenv(envp, "WIRESHARK_PLUGIN_DIR", ECAPTURE_PLUGIN_BUILD_ROOT, TRUE);
	g_ptr_array_add(argv, path);
	g_ptr_array_add(argv, "-r");
	g_ptr_array_add(argv, (gpointer)file);
	for (; *args; args++)
		g_ptr_array_add(argv, (gpointer)*args);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(dir, (gchar **)argv->pdata, envp, G_SPAWN_DEFAULT, drop_to_nobody, pw, &out,
	             &errout, &status, &err);
	g_assert_no_error(err);
	if (!g_spawn_check_wait_status(status, &err))
		g_error("tshark failed: %s\n%s", err->message, errout);
	if (*errout)
		g_error("tshark complained: %s", errout);
	g_free(errout);
	g_strfreev(envp);
	return out;
}

/* The test capture in a fresh directory, read by tshark with ARGS; its stdout. */
static gchar *run(const char *const *args)
{
	g_autoptr(GByteArray) capture = build_capture();
	GError *err = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("ec-audit-XXXXXX", &err);
	g_autofree gchar *file = NULL;
	gchar *rm[] = {"rm", "-rf", NULL, NULL};
	gchar *out;

	g_assert_no_error(err);
	g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
	file = g_build_filename(dir, "audit.pcapng", NULL);
	g_file_set_contents(file, (const gchar *)capture->data, capture->len, &err);
	g_assert_no_error(err);
	g_assert_cmpint(g_chmod(file, 0644), ==, 0);
	out = tshark(dir, file, args);
	rm[2] = dir;
	g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	return out;
}

static const char *const expected_fields = "1|echo hi|0||||||0\n"
                                           "2|ls /nope|2||||||0\n"
                                           "3|for i in 1 2\\ndo echo $i; done|||||||0\n"
                                           "4|kill -9 $$|-1||||||0\n"
                                           "5|||SELECT 1|0||MariaDB|1|0\n"
                                           "6|||SELECT nosuch|1054||MySQL|1|0\n"
                                           "7|||SELECT 2; SELECT 3|0|00000|PostgreSQL|1|0\n"
                                           "8|||SELECT nosuch + $1|50360452|42703|PostgreSQL|2|0\n"
                                           "9|||SELECT $1::int|0|00000|PostgreSQL|3|0\n"
                                           "10|||SELECT 'xx|0||MariaDB|1|1\n"
                                           "11||0||||||0\n"
                                           "12||||||||0\n";

static void test_fields(void)
{
	static const char *const args[] = {"-T", "fields",
	                                   "-E", "separator=|",
	                                   "-e", "frame.number",
	                                   "-e", "ecapture.shell.command",
	                                   "-e", "ecapture.shell.retval",
	                                   "-e", "ecapture.sql.query",
	                                   "-e", "ecapture.sql.status",
	                                   "-e", "ecapture.sql.sqlstate",
	                                   "-e", "ecapture.sql.dialect",
	                                   "-e", "ecapture.sql.kind",
	                                   "-e", "ecapture.truncated",
	                                   NULL};
	g_autofree gchar *out = run(args);

	g_assert_cmpstr(out, ==, expected_fields);
}

static const char *const expected_info =
    "bash|bash[10] uid 1000: echo hi \u2192 exit 0\n"
    "bash|bash[10] uid 1000: ls /nope \u2192 exit 2\n"
    "zsh|zsh[11] uid 1000: for i in 1 2\\ndo echo $i; done \u2192 status unknown\n"
    "zsh|zsh[11] uid 1000: kill -9 $$ \u2192 exit -1\n"
    "MariaDB|mariadbd[20] MariaDB: SELECT 1 \u2192 OK\n"
    "MySQL|connection[21] MySQL: SELECT nosuch \u2192 error 1054\n"
    "PostgreSQL|postgres[30] PostgreSQL: SELECT 2; SELECT 3 \u2192 OK\n"
    "PostgreSQL|postgres[31] PostgreSQL extended: SELECT nosuch + $1 \u2192 ERROR 42703\n"
    "PostgreSQL|postgres[31] PostgreSQL prepare: SELECT $1::int \u2192 OK\n"
    "MariaDB|mariadbd[20] MariaDB: SELECT 'xx \u2192 OK (truncated, 50000 bytes)\n"
    "bash|bash[10] uid 1000:  \u2192 exit 0\n"
    "eCapture|Malformed eCapture record\n";

static void test_info(void)
{
	static const char *const args[] = {"-T",          "fields",       "-E",
	                                   "separator=|", "-e",           "_ws.col.Protocol",
	                                   "-e",          "_ws.col.Info", NULL};
	g_autofree gchar *out = run(args);

	g_assert_cmpstr(out, ==, expected_info);
}

/* Only the failing ones carry the expert note, so `ecapture.expert.failed` filters them. */
static void test_filter_failed(void)
{
	static const char *const args[] = {"-Y", "ecapture.expert.failed", "-T", "fields",
	                                   "-e", "frame.number",           NULL};
	g_autofree gchar *out = run(args);

	g_assert_cmpstr(out, ==, "2\n4\n6\n8\n");
}

int main(int argc, char **argv)
{
	ec_test_require_tools((const char *const[]){"tshark", NULL});
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissector_audit/fields", test_fields);
	g_test_add_func("/dissector_audit/info", test_info);
	g_test_add_func("/dissector_audit/filter_failed", test_filter_failed);
	return g_test_run();
}
