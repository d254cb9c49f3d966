/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files a library needs, read before the sandbox is entered: the library, the libcrypto
 * named with it, and every shared object they need (DT_NEEDED, recursively) that the helper has
 * not loaded itself, each copied into a memfd, in the order they must be loaded (dependencies
 * first). Inside the sandbox nothing is looked up by path: the loader finds each needed object
 * already loaded, by its soname.
 */
#ifndef CAL_DEPS_H
#define CAL_DEPS_H

#include <stdbool.h>

#define DEPS_MAX 32

struct dep {
	int fd;           /* memfd holding the file's bytes */
	bool global;      /* dlopen'ed RTLD_GLOBAL (every object but the one asked for) */
	char soname[256]; /* DT_SONAME, else the file's base name */
	char path[4096];  /* where it was read, for messages */
	char load[64];    /* what dlopen is given in the sandbox (set by confine_enter) */
	void *handle;     /* once loaded */
};

struct deps {
	struct dep d[DEPS_MAX];
	int n;
};

/*
 * Adds PATH and what it needs that is not in D yet. GLOBAL: whether PATH itself is loaded
 * RTLD_GLOBAL. Dependencies are searched in PATH's directory, then in the directories of
 * $ECAPTURE_LIBRARY_PATH (colon-separated), else the system's. 0, or -1 after report_fail().
 */
int deps_add(struct deps *d, const char *path, bool global);

/* The entry added for PATH (NULL if none). */
struct dep *deps_find(struct deps *d, const char *path);

/*
 * The sonames an ELF file (IMAGE[0..LEN)) needs, into NEEDED (at most MAX, each up to 255
 * bytes), and its own soname into SONAME ("" if none). Pure: a unit-tested parser of untrusted
 * bytes. The number of names, or -1 with a reason in WHY for a file that is not a 64-bit ELF
 * shared object we can read.
 */
int deps_elf_needed(const unsigned char *image, unsigned long len, char needed[][256], int max,
                    char soname[256], const char **why);

void deps_close(struct deps *d);

#endif
