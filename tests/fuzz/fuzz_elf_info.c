// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ELF reader (targets/elf_info): every question asked of a file that is not ours to trust,
 * a library or program mapped by a traced process. Each answer may be an error; none may crash,
 * leak or read outside what libelf hands out.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "targets/elf_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

static void check_strv(gchar **v)
{
	for (gchar **s = v; s && *s; s++)
		(void)strlen(*s);
	g_strfreev(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *path = fuzz_write_file("input.so", data, size);
	GError *err = NULL;
	struct ec_elf_symbol sym;
	struct ec_elf *e = ec_elf_open(path, &err);
	gchar *s;

	if (!e) {
		if (!err)
			abort(); /* a failure always says why */
		g_error_free(err);
		return 0;
	}
	g_free(ec_elf_build_id(e, &err));
	g_clear_error(&err);
	check_strv(ec_elf_needed(e, &err));
	g_clear_error(&err);
	check_strv(ec_elf_runpath(e, &err));
	g_clear_error(&err);
	g_free(ec_elf_soname(e, &err));
	g_clear_error(&err);
	if (ec_elf_find_symbol(e, "SSL_write", &sym, &err) == (err != NULL))
		abort(); /* found xor an error */
	g_clear_error(&err);
	check_strv(ec_elf_version_defs(e, &err));
	g_clear_error(&err);
	/* With a literal prefix (memmem), and without one (every string start). */
	s = ec_elf_find_rodata_string(e, "^OpenSSL [0-9]+\\.[0-9]+", &err);
	if (s && strncmp(s, "OpenSSL ", 8) != 0)
		abort();
	g_free(s);
	g_clear_error(&err);
	g_free(ec_elf_find_rodata_string(e, "^[A-Z][a-z]+SSL$", &err));
	g_clear_error(&err);
	ec_elf_close(e);
	return 0;
}
