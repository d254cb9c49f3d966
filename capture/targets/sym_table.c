// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/sym_table.h"

#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>

#include "ec_error.h"
#include "targets/elf_info.h"

struct ec_sym_table {
	GHashTable *by_name; /* name -> struct ec_sym * (owned by syms) */
	GPtrArray *syms;
	GStringChunk *names;
	gboolean has_symtab;
};

static void sym_free(gpointer p)
{
	g_free(p);
}

/* Add the defined functions and objects of symbol table section SCN. */
static void add_section(struct ec_sym_table *t, Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || shdr->sh_entsize == 0)
		return;
	n = shdr->sh_size / shdr->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		struct ec_sym *s;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS || sym.st_name == 0 ||
		    (type != STT_FUNC && type != STT_OBJECT && type != STT_GNU_IFUNC))
			continue;
		name = elf_strptr(elf, shdr->sh_link, sym.st_name);
		/* The dynamic table comes first and wins: it is what the linker binds. */
		if (!name || !*name || g_hash_table_contains(t->by_name, name))
			continue;
		s = g_new0(struct ec_sym, 1);
		s->name = g_string_chunk_insert_const(t->names, name);
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->type = type;
		s->offset = ec_elf_vaddr_offset(elf, sym.st_value, 0, 0);
		g_ptr_array_add(t->syms, s);
		g_hash_table_insert(t->by_name, (gpointer)s->name, s);
	}
}

struct ec_sym_table *ec_sym_table_load(const char *path, GError **err)
{
	struct ec_sym_table *t;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd = ec_elf_begin(path, &elf, err);

	if (fd < 0)
		return NULL;
	t = g_new0(struct ec_sym_table, 1);
	t->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	t->syms = g_ptr_array_new_with_free_func(sym_free);
	t->names = g_string_chunk_new(1 << 16);
	for (int pass = 0; pass < 2; pass++) {
		Elf64_Word want = pass == 0 ? SHT_DYNSYM : SHT_SYMTAB;
		GElf_Shdr shdr;

		scn = NULL;
		while ((scn = ec_elf_next_section(elf, scn, want, &shdr))) {
			add_section(t, elf, scn, &shdr);
			if (pass == 1)
				t->has_symtab = TRUE;
		}
	}
	elf_end(elf);
	close(fd);
	return t;
}

void ec_sym_table_free(struct ec_sym_table *t)
{
	if (!t)
		return;
	g_hash_table_unref(t->by_name);
	g_ptr_array_unref(t->syms);
	g_string_chunk_free(t->names);
	g_free(t);
}

const struct ec_sym *ec_sym_find(const struct ec_sym_table *t, const char *name)
{
	return g_hash_table_lookup(t->by_name, name);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct ec_sym *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

GPtrArray *ec_sym_find_prefix(const struct ec_sym_table *t, const char *prefix)
{
	GPtrArray *out = g_ptr_array_new();
	size_t n = strlen(prefix);

	for (guint i = 0; i < t->syms->len; i++) {
		const struct ec_sym *s = t->syms->pdata[i];

		if (strncmp(s->name, prefix, n) == 0)
			g_ptr_array_add(out, (gpointer)s);
	}
	g_ptr_array_sort(out, by_name);
	return out;
}

gboolean ec_sym_table_has_symtab(const struct ec_sym_table *t)
{
	return t->has_symtab;
}
