// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go executables, built here with the system's Go (tests/e2e/go/client.go): the function table
 * read from .gopclntab agrees with the symbol table; a stripped PIE build (no symbol table) is
 * still understood; RET offsets and body starts are real instructions; non-Go and damaged
 * files are refused without a crash.
 */
#include <gelf.h>
#include <libelf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/types.h>

#include "targets/disasm.h"
#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/elf_info.h"
#include "targets/go_elf.h"
#include "targets/go_target.h"

static gchar *tmpdir, *plain_bin, *pie_bin;

static const char *const funcs[] = {
    "crypto/tls.(*Config).writeKeyLog", "crypto/tls.(*Conn).writeRecordLocked",
    "crypto/tls.(*Conn).Read",          "main.main",
    "net/http.(*Client).Get",
};

/* go build ARGS... -o OUT client.go, offline, with a private cache. */
static void go_build(const char *out, const char *extra1, const char *extra2)
{
	g_autofree gchar *cache = g_build_filename(tmpdir, "cache", NULL);
	g_autofree gchar *src = g_build_filename(TEST_SOURCE_DIR, "e2e", "go", "client.go", NULL);
	const char *argv[] = {"go", "build", "-o", out, extra1, extra2, src, NULL};
	g_auto(GStrv) envp = g_get_environ();
	g_autofree gchar *errout = NULL;
	GError *err = NULL;
	gint status;

	if (!extra1) {
		argv[4] = src;
		argv[5] = NULL;
	} else if (!extra2) {
		argv[5] = src;
		argv[6] = NULL;
	}
	envp = g_environ_setenv(envp, "HOME", tmpdir, TRUE);
	envp = g_environ_setenv(envp, "GOCACHE", cache, TRUE);
	envp = g_environ_setenv(envp, "GO111MODULE", "off", TRUE);
	envp = g_environ_setenv(envp, "GOFLAGS", "", TRUE);
	envp = g_environ_setenv(envp, "CGO_ENABLED", "0", TRUE);
	g_spawn_sync(NULL, (gchar **)argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &errout,
	             &status, &err);
	g_assert_no_error(err);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("go build failed: %s", errout);
}

/* The value of NAME in the ELF symbol table of PATH; 0 if none. */
static guint64 symtab_value(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	guint64 value = 0;

	g_assert_cmpint(fd, >=, 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while ((scn = elf_nextscn(elf, scn)) && !value) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			n = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (n && !strcmp(n, name)) {
				value = sym.st_value;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return value;
}

static void test_matches_symtab(void)
{
	GError *err = NULL;
	struct ec_go_file *g = ec_go_open(plain_bin, &err);

	g_assert_no_error(err);
	g_assert_true(g_str_has_prefix(ec_go_version(g), "go1."));
	g_assert_cmpint(ec_go_minor_version(ec_go_version(g)), >=, 17);
	g_assert_cmpint(ec_go_abi(g, &err), ==, EC_GO_ABI_REG);
	for (size_t i = 0; i < G_N_ELEMENTS(funcs); i++) {
		struct ec_go_func f;

		g_assert_true(ec_go_find_func(g, funcs[i], &f));
		g_assert_cmphex(f.vaddr, ==, symtab_value(plain_bin, funcs[i]));
		g_assert_cmpuint(f.size, >, 0);
		g_assert_cmpuint(f.offset, !=, UINT64_MAX);
	}
	g_assert_false(
	    ec_go_find_func(g, "crypto/tls.(*Conn).NoSuchThing", &(struct ec_go_func){0}));
	ec_go_close(g);
}

/* The RETs and the body start of FUNC decode as what they claim to be. */
static void check_code(struct ec_go_file *g, const char *func)
{
	GError *err = NULL;
	struct ec_go_func f;
	g_autofree guint8 *code = NULL;
	g_autoptr(GArray) rets = NULL;
	gint64 body;

	g_assert_true(ec_go_find_func(g, func, &f));
	code = ec_go_read_code(g, f.offset, f.size, &err);
	g_assert_no_error(err);
	rets = ec_disasm_rets(code, f.size, f.vaddr, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(rets->len, >, 0);
	for (guint i = 0; i < rets->len; i++)
		g_assert_cmphex(code[g_array_index(rets, guint64, i)], ==, 0xc3);
	body = ec_disasm_go_body(code, f.size, f.vaddr, &err);
	g_assert_no_error(err);
	/* A stack check (cmp rsp, [r14+16]; jbe) comes first: the body starts after its jump. */
	g_assert_cmpint(body, >, 0);
	g_assert_cmpint(body, <, 32);
}

static void test_stripped_pie(void)
{
	GError *err = NULL;
	struct ec_go_file *g = ec_go_open(pie_bin, &err);

	g_assert_no_error(err);
	g_assert_cmpuint(symtab_value(pie_bin, "main.main"), ==, 0); /* really stripped */
	g_assert_cmpint(ec_go_abi(g, &err), ==, EC_GO_ABI_REG);
	for (size_t i = 0; i < 3; i++)
		check_code(g, funcs[i]);
	ec_go_close(g);
}

/*
 * The program with its section headers gone (as sstrip leaves it): the build info and the
 * function table are found by searching the segments, and agree with the intact file's.
 */
static void test_no_section_headers(void)
{
	g_autofree gchar *bare = g_build_filename(tmpdir, "client-bare", NULL);
	g_autofree gchar *contents = NULL;
	GError *err = NULL;
	struct ec_go_file *g, *full;
	gsize len;

	g_assert_true(g_file_get_contents(plain_bin, &contents, &len, NULL));
	g_assert_cmpuint(len, >, sizeof(Elf64_Ehdr));
	{
		Elf64_Ehdr *eh = (Elf64_Ehdr *)contents;

		eh->e_shoff = 0;
		eh->e_shnum = 0;
		eh->e_shstrndx = 0;
	}
	g_assert_true(g_file_set_contents(bare, contents, (gssize)len, NULL));
	g = ec_go_open(bare, &err);
	g_assert_no_error(err);
	full = ec_go_open(plain_bin, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(ec_go_version(g), ==, ec_go_version(full));
	for (size_t i = 0; i < G_N_ELEMENTS(funcs); i++) {
		struct ec_go_func a, b;

		g_assert_true(ec_go_find_func(g, funcs[i], &a));
		g_assert_true(ec_go_find_func(full, funcs[i], &b));
		g_assert_cmphex(a.vaddr, ==, b.vaddr);
		g_assert_cmpuint(a.size, ==, b.size);
		g_assert_cmphex(a.offset, ==, b.offset);
	}
	check_code(g, funcs[0]);
	ec_go_close(full);
	ec_go_close(g);
}

static void test_plan(void)
{
	const char *bins[] = {plain_bin, pie_bin};

	for (size_t b = 0; b < G_N_ELEMENTS(bins); b++) {
		GError *err = NULL;
		struct ec_go_target t;
		guint entries[6] = {0};

		g_assert_cmpint(ec_go_target_plan(bins[b], &t, &err), ==, 1);
		g_assert_no_error(err);
		g_assert_true(t.keys && t.data);
		g_assert_cmpint(t.abi, ==, EC_GO_ABI_REG);
		g_assert_cmpuint(t.offsets->len, ==, t.kinds->len);
		for (guint i = 0; i < t.kinds->len; i++) {
			guint32 k = g_array_index(t.kinds, guint32, i);

			g_assert_cmpuint(k & EC_GO_STACK_ABI, ==, 0);
			g_assert_cmpuint(k, >=, EC_GO_KEYLOG);
			g_assert_cmpuint(k, <=, EC_GO_READ_RET);
			entries[k]++;
		}
		g_assert_cmpuint(entries[EC_GO_KEYLOG], ==, 1);
		g_assert_cmpuint(entries[EC_GO_WRITE], ==, 1);
		g_assert_cmpuint(entries[EC_GO_READ], ==, 1);
		g_assert_cmpuint(entries[EC_GO_WRITE_RET], >=, 1);
		g_assert_cmpuint(entries[EC_GO_READ_RET], >=, 1);
		ec_go_target_clear(&t);
	}
}

static void test_not_go(void)
{
	GError *err = NULL;
	struct ec_go_target t;
	g_autofree gchar *junk = g_build_filename(tmpdir, "junk", NULL);
	g_autofree gchar *contents = NULL;
	gsize len;

	g_assert_cmpint(ec_go_target_plan("/bin/true", &t, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpint(ec_go_target_plan("/etc/hostname", &t, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpint(ec_go_target_plan("/nonexistent/go-program", &t, &err), ==, -1);
	g_clear_error(&err);

	/* The Go program with its function table overwritten, and cut in half. */
	g_assert_true(g_file_get_contents(plain_bin, &contents, &len, NULL));
	for (int round = 0; round < 2; round++) {
		int rc;

		if (round == 0) {
			for (gsize i = 0; i + 8 <= len; i++)
				if (!memcmp(contents + i, "\xf0\xff\xff\xff\x00\x00\x01\x08", 8))
					memset(contents + i + 8, 0xff, 64);
		}
		g_assert_true(g_file_set_contents(
		    junk, contents, round == 0 ? (gssize)len : (gssize)len / 2, NULL));
		rc = ec_go_target_plan(junk, &t, &err);
		g_assert_cmpint(rc, <=, 0);
		g_clear_error(&err);
	}
}

/*
 * writeKeyLog present but called by nothing (inlined), and no data functions: nothing can be
 * probed, and the plan says so instead of returning an empty plan as if it had succeeded
 * (a small synthetic program from the fuzz corpus, tests/fuzz/seeds/make_go_seeds.py).
 */
static void test_keylog_uncalled(void)
{
	g_autofree gchar *path = g_build_filename(TEST_SOURCE_DIR, "fuzz", "corpus", "go_elf",
	                                          "go120_keylog_uncalled", NULL);
	GError *err = NULL;
	struct ec_go_target t;

	g_assert_cmpint(ec_go_target_plan(path, &t, &err), ==, -1);
	g_assert_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED);
	g_assert_nonnull(strstr(err->message, "never called"));
	g_assert_null(t.offsets);
	g_clear_error(&err);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_go_elf.XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	plain_bin = g_build_filename(tmpdir, "client", NULL);
	pie_bin = g_build_filename(tmpdir, "client-pie", NULL);
	go_build(plain_bin, NULL, NULL);
	go_build(pie_bin, "-buildmode=pie", "-ldflags=-s -w");
	g_test_add_func("/go_elf/matches_symtab", test_matches_symtab);
	g_test_add_func("/go_elf/stripped_pie", test_stripped_pie);
	g_test_add_func("/go_elf/no_section_headers", test_no_section_headers);
	g_test_add_func("/go_elf/plan", test_plan);
	g_test_add_func("/go_elf/not_go", test_not_go);
	g_test_add_func("/go_elf/keylog_uncalled", test_keylog_uncalled);
	rc = g_test_run();
	{
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			g_warning("cannot remove %s", tmpdir);
	}
	return rc;
}
