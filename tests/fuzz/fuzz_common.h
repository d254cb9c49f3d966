/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets share: inputs written as files (the ELF readers take paths) into a
 * private directory on a memory file system, and GLib's log made part of the verdict (a
 * critical is a bug, a warning about a hostile input is noise).
 */
#ifndef EC_FUZZ_COMMON_H
#define EC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/*
 * Write LEN bytes of DATA as NAME in this process's scratch directory, replacing what was
 * there; the path (g_free). Aborts if the file cannot be written: the run would test nothing.
 */
gchar *fuzz_write_file(const char *name, const uint8_t *data, size_t len);

/* Warnings and messages dropped, criticals and errors abort (a crash libFuzzer reports). */
void fuzz_init_logs(void);

/* The initialization of a target that needs nothing but fuzz_init_logs(). */
#define FUZZ_INIT_LOGS_ONLY()                                                                      \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                                         \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		fuzz_init_logs();                                                                  \
		return 0;                                                                          \
	}

/*
 * The next part of an input made of several, separated by FUZZ_SEPARATOR: *DATA and *LEN are
 * the part, *REST and *REST_LEN what follows the separator (0 bytes when there is none).
 */
#define FUZZ_SEPARATOR     "\n--ecfuzz--\n"
#define FUZZ_SEPARATOR_LEN (sizeof(FUZZ_SEPARATOR) - 1)
void fuzz_split(const uint8_t *in, size_t in_len, const uint8_t **part, size_t *part_len,
                const uint8_t **rest, size_t *rest_len);

#endif
