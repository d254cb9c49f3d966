// SPDX-License-Identifier: GPL-2.0-or-later
/* The symbol table reader (targets/sym_table): dynamic and full symbol tables of a hostile file. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "targets/sym_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *path = fuzz_write_file("input", data, size);
	GError *err = NULL;
	struct ec_sym_table *t = ec_sym_table_load(path, &err);
	const struct ec_sym *s;
	GPtrArray *found;

	if (!t) {
		if (!err)
			abort();
		g_error_free(err);
		return 0;
	}
	s = ec_sym_find(t, "SSL_write");
	if (s && strcmp(s->name, "SSL_write") != 0)
		abort();
	found = ec_sym_find_prefix(t, "");
	for (guint i = 0; i < found->len; i++) {
		const struct ec_sym *f = found->pdata[i];

		/* every listed name is found by name, and the list is sorted */
		if (!*f->name || ec_sym_find(t, f->name) != f)
			abort();
		if (i > 0 &&
		    strcmp(((const struct ec_sym *)found->pdata[i - 1])->name, f->name) > 0)
			abort();
	}
	g_ptr_array_unref(found);
	(void)ec_sym_table_has_symtab(t);
	ec_sym_table_free(t);
	return 0;
}
