/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every defined function and data symbol of an ELF file, from its dynamic symbol table and, when
 * the file has one, its full symbol table (.symtab, which stripped binaries lack): for programs
 * whose probed functions are not exported, and for C++ names matched by their mangled prefix.
 */
#ifndef EC_SYM_TABLE_H
#define EC_SYM_TABLE_H

#include <stdint.h>
#include <glib.h>

struct ec_sym {
	const char *name;
	uint64_t value;  /* st_value */
	uint64_t size;   /* st_size */
	uint64_t offset; /* file offset of value, what uprobes take; UINT64_MAX if not loaded */
	int type;        /* STT_FUNC, STT_OBJECT, ... */
};

struct ec_sym_table;

/* NULL with ERR set if PATH is no readable ELF file. */
struct ec_sym_table *ec_sym_table_load(const char *path, GError **err);
void ec_sym_table_free(struct ec_sym_table *t);

/* The symbol NAME (a function or an object), or NULL. */
const struct ec_sym *ec_sym_find(const struct ec_sym_table *t, const char *name);

/* Every symbol whose name starts with PREFIX, sorted by name (g_ptr_array_unref; borrowed). */
GPtrArray *ec_sym_find_prefix(const struct ec_sym_table *t, const char *prefix);

/* Whether the file has a full symbol table (.symtab) besides the dynamic one. */
gboolean ec_sym_table_has_symtab(const struct ec_sym_table *t);

#endif
