// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF helpers on the installed OpenSSL, checked against what the loader mapped, and fuzzed. */
#define _GNU_SOURCE /* dladdr, dl_iterate_phdr */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>

#include "targets/elf_info.h"

#define LIBDIR    "/usr/lib/x86_64-linux-gnu"
#define LIBSSL    LIBDIR "/libssl.so.3"
#define LIBCRYPTO LIBDIR "/libcrypto.so.3"

static struct ec_elf *open_ok(const char *path)
{
	GError *err = NULL;
	struct ec_elf *e = ec_elf_open(path, &err);

	g_assert_no_error(err);
	g_assert_nonnull(e);
	return e;
}

struct build_id_search {
	const char *soname;
	GString *hex;
};

/* The build-id of a loaded object, read from its PT_NOTE in memory. */
static int note_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct build_id_search *s = data;

	(void)size;
	if (!info->dlpi_name || !g_str_has_suffix(info->dlpi_name, s->soname))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const guint8 *p = (const guint8 *)(info->dlpi_addr + ph->p_vaddr);
		const guint8 *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const guint8 *name = p + sizeof(*nh);
			const guint8 *desc = name + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0) {
				for (guint k = 0; k < nh->n_descsz; k++)
					g_string_append_printf(s->hex, "%02x", desc[k]);
				return 1;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

static void test_build_id(void)
{
	struct build_id_search s = {"libcrypto.so.3", g_string_new(NULL)};
	struct ec_elf *e = open_ok(LIBCRYPTO);
	GError *err = NULL;
	gchar *id;

	(void)OpenSSL_version(OPENSSL_VERSION); /* libcrypto is linked and loaded */
	dl_iterate_phdr(note_cb, &s);
	g_assert_cmpuint(s.hex->len, ==, 40);
	id = ec_elf_build_id(e, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(id, ==, s.hex->str);
	g_free(id);
	g_string_free(s.hex, TRUE);
	ec_elf_close(e);
}

static void test_dynamic(void)
{
	struct ec_elf *e = open_ok(LIBSSL);
	GError *err = NULL;
	gchar **needed = ec_elf_needed(e, &err);
	gchar **runpath;
	gchar *soname;

	g_assert_no_error(err);
	g_assert_true(g_strv_contains((const gchar *const *)needed, "libcrypto.so.3"));
	g_assert_true(g_strv_contains((const gchar *const *)needed, "libc.so.6"));
	soname = ec_elf_soname(e, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(soname, ==, "libssl.so.3");
	runpath = ec_elf_runpath(e, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(g_strv_length(runpath), ==, 0);
	g_strfreev(runpath);
	g_free(soname);
	g_strfreev(needed);
	ec_elf_close(e);
}

/* The symbol's address and file offset agree with where the loader put its code. */
static void test_symbol(void)
{
	struct ec_elf *e = open_ok(LIBCRYPTO);
	struct ec_elf_symbol sym;
	GError *err = NULL;
	void *fn = dlsym(RTLD_DEFAULT, "OpenSSL_version");
	Dl_info info;
	guint8 file_bytes[32];
	int fd;

	g_assert_nonnull(fn);
	g_assert_true(dladdr(fn, &info));
	g_assert_true(ec_elf_find_symbol(e, "OpenSSL_version", &sym, &err));
	g_assert_no_error(err);
	g_assert_cmpint(sym.type, ==, STT_FUNC);
	g_assert_cmphex(sym.value, ==, (guint64)((char *)fn - (char *)info.dli_fbase));
	g_assert_cmphex(sym.offset, !=, UINT64_MAX);
	fd = open(LIBCRYPTO, O_RDONLY);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(pread(fd, file_bytes, sizeof(file_bytes), (off_t)sym.offset), ==,
	                sizeof(file_bytes));
	close(fd);
	g_assert_cmpmem(file_bytes, sizeof(file_bytes), fn, sizeof(file_bytes));

	/* of foo@@NEW and foo@OLD, the default version the dynamic linker binds */
	{
		struct ec_elf *libc = open_ok(LIBDIR "/libc.so.6");
		/* libc's own, not a sanitizer's interceptor of the same name */
		void *libc_handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
		void *rp = libc_handle ? dlsym(libc_handle, "realpath") : NULL;
		Dl_info rinfo;

		g_assert_true(rp && dladdr(rp, &rinfo));
		g_assert_true(ec_elf_find_symbol(libc, "realpath", &sym, &err));
		g_assert_cmphex(sym.value, ==, (guint64)((char *)rp - (char *)rinfo.dli_fbase));
		ec_elf_close(libc);
		dlclose(libc_handle);
	}

	/* referenced but not defined, and not there at all */
	g_assert_false(ec_elf_find_symbol(e, "malloc", &sym, &err));
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND);
	g_clear_error(&err);
	g_assert_false(ec_elf_find_symbol(e, "no_such_symbol_anywhere", NULL, &err));
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND);
	g_clear_error(&err);
	ec_elf_close(e);
}

static void test_version_defs(void)
{
	struct ec_elf *e = open_ok(LIBSSL);
	GError *err = NULL;
	gchar **defs = ec_elf_version_defs(e, &err);

	g_assert_no_error(err);
	g_assert_true(g_strv_contains((const gchar *const *)defs, "OPENSSL_3.0.0"));
	g_assert_false(g_strv_contains((const gchar *const *)defs, "libssl.so.3")); /* base */
	g_strfreev(defs);
	ec_elf_close(e);
}

static void test_rodata(void)
{
	struct ec_elf *e = open_ok(LIBCRYPTO);
	GError *err = NULL;
	gchar *s;

	/* literal fast path and the plain scan must agree */
	s = ec_elf_find_rodata_string(e, "^OpenSSL [0-9]+\\.[0-9]+\\.[0-9]+ ", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(s, ==, OpenSSL_version(OPENSSL_VERSION));
	g_free(s);
	s = ec_elf_find_rodata_string(e, "(^OpenSSL [0-9]+\\.[0-9]+\\.[0-9]+ )", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(s, ==, OpenSSL_version(OPENSSL_VERSION));
	g_free(s);
	s = ec_elf_find_rodata_string(e, "^no such string in here [0-9]{99}$", &err);
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND);
	g_assert_null(s);
	g_clear_error(&err);
	s = ec_elf_find_rodata_string(e, "(unbalanced", &err);
	g_assert_nonnull(err);
	g_assert_null(s);
	g_clear_error(&err);
	ec_elf_close(e);
}

/* The libelf-level helpers every ELF reader shares: address to file offset, section lookup. */
static void test_libelf_helpers(void)
{
	static const char *const text[] = {".text", NULL};
	static const char *const rodata[] = {".rodata", NULL};
	static const char *const rodat[] = {".rodat", NULL};
	struct ec_elf *e = open_ok(LIBCRYPTO);
	struct ec_elf_symbol sym;
	GError *err = NULL;
	GElf_Shdr shdr;
	Elf_Scn *scn;
	Elf *elf;
	int fd = ec_elf_begin(LIBCRYPTO, &elf, &err);
	size_t nphdr, shstrndx, loads = 0, dynsyms = 0;

	g_assert_no_error(err);
	g_assert_cmpint(fd, >=, 0);
	/* each PT_LOAD's file bytes map onto its offsets, up to their last byte and no further */
	g_assert_cmpint(elf_getphdrnum(elf, &nphdr), ==, 0);
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		uint32_t other;

		g_assert_nonnull(gelf_getphdr(elf, (int)i, &ph));
		other = (PF_R | PF_W | PF_X) & ~ph.p_flags;
		if (ph.p_type != PT_LOAD || ph.p_filesz == 0)
			continue;
		loads++;
		g_assert_cmphex(ec_elf_vaddr_offset(elf, ph.p_vaddr, 0, 0), ==, ph.p_offset);
		g_assert_cmphex(ec_elf_vaddr_offset(elf, ph.p_vaddr, ph.p_filesz, ph.p_flags), ==,
		                ph.p_offset);
		g_assert_cmphex(ec_elf_vaddr_offset(elf, ph.p_vaddr + ph.p_filesz - 1, 1, 0), ==,
		                ph.p_offset + ph.p_filesz - 1);
		g_assert_cmphex(ec_elf_vaddr_offset(elf, ph.p_vaddr, ph.p_filesz + 1, 0), ==,
		                UINT64_MAX);
		if (other) /* a flag the segment lacks: not this one (segments do not overlap) */
			g_assert_cmphex(ec_elf_vaddr_offset(elf, ph.p_vaddr, 0, other), ==,
			                UINT64_MAX);
	}
	g_assert_cmpuint(loads, >=, 2);
	g_assert_cmphex(ec_elf_vaddr_offset(elf, UINT64_MAX - 1, 0, 0), ==, UINT64_MAX);
	/* a function: in an executable segment, where ec_elf_find_symbol says */
	g_assert_true(ec_elf_find_symbol(e, "OpenSSL_version", &sym, &err));
	g_assert_cmphex(ec_elf_vaddr_offset(elf, sym.value, 1, PF_X), ==, sym.offset);

	/* sections by type, one after the other, and by name */
	for (scn = NULL; (scn = ec_elf_next_section(elf, scn, SHT_DYNSYM, &shdr));)
		dynsyms++;
	g_assert_cmpuint(dynsyms, ==, 1);
	scn = ec_elf_next_named_section(elf, NULL, text, false, &shdr);
	g_assert_nonnull(scn);
	g_assert_cmpuint(shdr.sh_type, ==, SHT_PROGBITS);
	g_assert_cmphex(ec_elf_vaddr_offset(elf, shdr.sh_addr, 0, PF_X), ==, shdr.sh_offset);
	g_assert_null(ec_elf_next_named_section(elf, scn, text, false, &shdr));
	g_assert_null(ec_elf_next_named_section(elf, NULL, rodat, false, &shdr));
	g_assert_nonnull(ec_elf_next_named_section(elf, NULL, rodat, true, &shdr));
	g_assert_cmpint(elf_getshdrstrndx(elf, &shstrndx), ==, 0);
	g_assert_true(g_str_has_prefix(elf_strptr(elf, shstrndx, shdr.sh_name), ".rodat"));
	g_assert_nonnull(ec_elf_next_named_section(elf, NULL, rodata, false, &shdr));
	elf_end(elf);
	close(fd);
	ec_elf_close(e);
}

static void test_not_elf(void)
{
	GError *err = NULL;
	gchar *path = NULL;
	int fd = g_file_open_tmp("ec-elf-XXXXXX", &path, &err);

	g_assert_no_error(err);
	g_assert_cmpint(write(fd, "#!/bin/sh\necho hello\n", 21), ==, 21);
	close(fd);
	g_assert_null(ec_elf_open(path, &err));
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF);
	g_clear_error(&err);
	g_assert_null(ec_elf_open("/nonexistent/libssl.so.3", &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&err);
	g_assert_null(ec_elf_open("/tmp", &err));
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_OPEN);
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);
}

/* Every helper on a damaged file: errors are fine, crashes and hangs are not. */
static void poke_all(const char *path)
{
	struct ec_elf *e = ec_elf_open(path, NULL);
	struct ec_elf_symbol sym;

	if (!e)
		return;
	g_free(ec_elf_build_id(e, NULL));
	g_strfreev(ec_elf_needed(e, NULL));
	g_strfreev(ec_elf_runpath(e, NULL));
	g_free(ec_elf_soname(e, NULL));
	ec_elf_find_symbol(e, "SSL_write", &sym, NULL);
	g_strfreev(ec_elf_version_defs(e, NULL));
	g_free(ec_elf_find_rodata_string(e, "^OpenSSL [0-9]", NULL));
	ec_elf_close(e);
}

static void test_malformed(void)
{
	GError *err = NULL;
	gchar *orig = NULL, *path = NULL;
	gsize len = 0;
	int fd = g_file_open_tmp("ec-elf-bad-XXXXXX", &path, &err);
	GRand *rand = g_rand_new_with_seed(20261123);

	g_assert_no_error(err);
	close(fd);
	g_assert_true(g_file_get_contents(LIBSSL, &orig, &len, &err));
	g_assert_no_error(err);

	/* truncated at awkward places, the section headers (at the end) lost first */
	const gsize cuts[] = {0, 4, 16, 52, 63, 64, 65, 100, 1000, 4096, 65536, len / 2, len - 1};
	for (gsize i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_assert_true(g_file_set_contents(path, orig, (gssize)cuts[i], &err));
		poke_all(path);
	}
	/* random bytes flipped in the headers and tables */
	for (int round = 0; round < 200; round++) {
		gchar *copy = g_memdup2(orig, len);

		for (int k = 0; k < 8; k++) {
			gsize where = g_rand_boolean(rand)
			                  ? (gsize)g_rand_int_range(rand, 0, 65536)
			                  : len - 1 - (gsize)g_rand_int_range(rand, 0, 4096);
			copy[where] = (gchar)g_rand_int(rand);
		}
		g_assert_true(g_file_set_contents(path, copy, (gssize)len, &err));
		poke_all(path);
		g_free(copy);
	}
	g_rand_free(rand);
	g_unlink(path);
	g_free(path);
	g_free(orig);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/elf_info/build_id", test_build_id);
	g_test_add_func("/elf_info/dynamic", test_dynamic);
	g_test_add_func("/elf_info/symbol", test_symbol);
	g_test_add_func("/elf_info/version_defs", test_version_defs);
	g_test_add_func("/elf_info/rodata", test_rodata);
	g_test_add_func("/elf_info/libelf_helpers", test_libelf_helpers);
	g_test_add_func("/elf_info/not_elf", test_not_elf);
	g_test_add_func("/elf_info/malformed", test_malformed);
	return g_test_run();
}
