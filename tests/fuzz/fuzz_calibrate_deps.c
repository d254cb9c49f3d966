// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The helper's DT_NEEDED reader (calibrate/deps.c): it reads a file anyone may have planted,
 * before the sandbox is entered. Every answer may be an error with a reason; none may crash or
 * read outside the image.
 */
#include <stdlib.h>
#include <string.h>

#include "deps.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char needed[8][256];
	char soname[256];
	const char *why = NULL;
	/* the helper reads a page-aligned mapping; malloc's alignment is enough for ELF's */
	unsigned char *image = malloc(size ? size : 1);
	int n;

	if (!image)
		return 0;
	memcpy(image, data, size);
	n = deps_elf_needed(image, size, needed, 8, soname, &why);
	if (n < 0 && !why)
		abort(); /* a failure always says why */
	for (int i = 0; i < n; i++)
		if (strlen(needed[i]) == 0 || strlen(needed[i]) > 255 || strchr(needed[i], '/'))
			abort();
	if (strlen(soname) > 255)
		abort();
	free(image);
	return 0;
}
