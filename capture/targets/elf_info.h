/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small read-only questions about an ELF file on disk (libelf): build-id, dynamic section
 * entries, dynamic symbols, symbol version definitions, strings in read-only data. Malformed
 * files give an error, never a crash.
 */
#ifndef EC_ELF_INFO_H
#define EC_ELF_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gelf.h>

#define EC_ELF_ERROR (ec_elf_error_quark())
GQuark ec_elf_error_quark(void);

enum ec_elf_error {
	EC_ELF_ERROR_OPEN,      /* the file could not be opened or read */
	EC_ELF_ERROR_NOT_ELF,   /* not an ELF file */
	EC_ELF_ERROR_MALFORMED, /* an ELF file libelf could not parse */
	EC_ELF_ERROR_NOT_FOUND, /* well-formed, but the thing asked for is not there */
};

struct ec_elf;

struct ec_elf_symbol {
	uint64_t value;  /* st_value: the virtual address in the file's own address space */
	uint64_t size;   /* st_size */
	uint64_t offset; /* file offset of value (what uprobes take); UINT64_MAX if not loaded */
	int type;        /* STT_FUNC, STT_OBJECT, STT_GNU_IFUNC, ... */
};

struct ec_elf *ec_elf_open(const char *path, GError **err);

/*
 * The first step of every ELF reader here: PATH opened read-only, a regular file (O_NONBLOCK,
 * so a FIFO named by mistake cannot hang us), handed to libelf in ELF_C_READ mode (reads on
 * demand with bounds checks; no mmap, so no SIGBUS if the file is truncated). Returns the
 * descriptor, *ELF set to an ELF_K_ELF handle (elf_end then close), or -1 with ERR set.
 */
struct Elf;
int ec_elf_begin(const char *path, struct Elf **elf, GError **err);
void ec_elf_close(struct ec_elf *elf);
const char *ec_elf_path(const struct ec_elf *elf);

/* The GNU build-id note as lowercase hex. */
gchar *ec_elf_build_id(struct ec_elf *elf, GError **err);

/* DT_NEEDED entries in file order (NULL-terminated; empty if none). */
gchar **ec_elf_needed(struct ec_elf *elf, GError **err);

/* Directories of DT_RUNPATH, or of DT_RPATH when there is no RUNPATH, unexpanded ($ORIGIN). */
gchar **ec_elf_runpath(struct ec_elf *elf, GError **err);

/* DT_SONAME; NULL with EC_ELF_ERROR_NOT_FOUND if the file has none. */
gchar *ec_elf_soname(struct ec_elf *elf, GError **err);

/*
 * Whether the dynamic symbol table defines NAME (any version). FALSE with
 * EC_ELF_ERROR_NOT_FOUND when it is absent or only referenced.
 */
gboolean ec_elf_find_symbol(struct ec_elf *elf, const char *name, struct ec_elf_symbol *sym,
                            GError **err);

/* Names of the symbol versions the file defines, without the base (soname) entry. */
gchar **ec_elf_version_defs(struct ec_elf *elf, GError **err);

/*
 * The first NUL-terminated printable string in the .rodata* sections that matches the
 * regular expression PATTERN (GRegex syntax). NULL with EC_ELF_ERROR_NOT_FOUND if none does.
 */
gchar *ec_elf_find_rodata_string(struct ec_elf *elf, const char *pattern, GError **err);

/*
 * Helpers on a libelf handle, for every ELF reader here (elf_info, sym_table, go_elf): the one
 * way each of these is done.
 *
 * The file offset of virtual address VADDR, through the PT_LOAD segment whose file bytes hold
 * it and the LEN bytes from it (0: VADDR alone), among the segments with all of NEED_FLAGS (PF_X,
 * ...; 0: any); UINT64_MAX if none does (not loaded, only in memory, or unreadable headers).
 */
uint64_t ec_elf_vaddr_offset(Elf *elf, uint64_t vaddr, uint64_t len, uint32_t need_flags);

/*
 * The next section after AFTER (NULL: from the first) whose header reads (into *SHDR) and is of
 * TYPE; NULL when there is none left.
 */
Elf_Scn *ec_elf_next_section(Elf *elf, Elf_Scn *after, Elf64_Word type, GElf_Shdr *shdr);

/*
 * The next section after AFTER (NULL: from the first) that has file bytes (not SHT_NOBITS) and
 * is named one of NAMES (NULL-terminated), or, with PREFIX, has a name starting with one; its
 * header in *SHDR. NULL when there is none left, or when the section names cannot be read.
 */
Elf_Scn *ec_elf_next_named_section(Elf *elf, Elf_Scn *after, const char *const *names, bool prefix,
                                   GElf_Shdr *shdr);

#endif
