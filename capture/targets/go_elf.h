/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a Go executable says about itself, read from the file: the Go version from its build
 * info, and its functions (name, address, size) from the runtime's own function table,
 * .gopclntab, which Go keeps in stripped binaries too (the runtime needs it for stack traces and
 * garbage collection). The symbol table is not needed. Malformed files give an error, never a
 * crash.
 */
#ifndef EC_GO_ELF_H
#define EC_GO_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* How a Go function gets its arguments (amd64). */
enum ec_go_abi {
	EC_GO_ABI_STACK, /* Go < 1.17: on the stack, after the return address */
	EC_GO_ABI_REG, /* Go >= 1.17: ABIInternal, integers in RAX RBX RCX RDI RSI R8 R9 R10 R11 */
};

struct ec_go_file;

/* A Go function: where its code is in the file and in the address space the file describes. */
struct ec_go_func {
	uint64_t vaddr;  /* entry, as linked */
	uint64_t size;   /* up to the next function's entry */
	uint64_t offset; /* file offset of the entry (what uprobes take) */
};

/*
 * Opens PATH; fails with EC_ELF_ERROR_NOT_FOUND when it is an ELF file but not a Go program
 * (no build info and no function table).
 */
struct ec_go_file *ec_go_open(const char *path, GError **err);
void ec_go_close(struct ec_go_file *g);

/* "go1.19.8" from the build info; NULL if the build info is missing or unreadable. */
const char *ec_go_version(const struct ec_go_file *g);

/*
 * The calling convention of the Go functions, from the version (or the table format when the
 * version is not there); -1 with ERR when it cannot be told (e.g. a Go 1.16/1.17 table without a
 * version) or the machine is not x86-64.
 */
int ec_go_abi(const struct ec_go_file *g, GError **err);

/* The function named NAME (e.g. "crypto/tls.(*Conn).Read"); FALSE if there is none. */
gboolean ec_go_find_func(const struct ec_go_file *g, const char *name, struct ec_go_func *out);

/* Calls FN for every function whose name starts with PREFIX, until FN returns FALSE. */
void ec_go_foreach_func(const struct ec_go_file *g, const char *prefix,
                        gboolean (*fn)(const char *name, const struct ec_go_func *f, void *user),
                        void *user);

/* The LEN bytes of code at file offset OFFSET (g_free); NULL with ERR if they cannot be read. */
uint8_t *ec_go_read_code(const struct ec_go_file *g, uint64_t offset, size_t len, GError **err);

/* Parses a Go version "go1.19.8" / "go1.20rc1" into its minor number (19, 20); -1 if not one. */
int ec_go_minor_version(const char *version);

#endif
