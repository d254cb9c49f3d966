// SPDX-License-Identifier: GPL-2.0-or-later
#include "scan.h"

#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int maps_fd = -1;

int scan_keep_maps(void)
{
	if (maps_fd < 0)
		maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	return maps_fd < 0 ? -1 : 0;
}

FILE *scan_open_maps(void)
{
	int fd;
	FILE *f;

	if (maps_fd < 0)
		return fopen("/proc/self/maps", "re");
	fd = fcntl(maps_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return NULL;
	/* the copy shares the offset: back to the start, which reads the mappings anew */
	if (lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	return f;
}

size_t scan_bound_mapped(const void *p, size_t cap)
{
	uintptr_t a = (uintptr_t)p;
	size_t bound = 0;
	char line[512];
	FILE *f;

	if (!p)
		return 0;
	f = scan_open_maps();
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		char perms[5];

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) != 3)
			continue;
		if (a >= lo && a < hi) {
			if (perms[0] == 'r')
				bound = hi - a;
			break;
		}
	}
	fclose(f);
	return bound < cap ? bound : cap;
}

size_t scan_bound_heap(const void *p, size_t cap)
{
	size_t bound = scan_bound_mapped(p, cap);
	size_t usable;

	if (bound == 0)
		return 0;
	/* the object is one malloc block: its fields all lie inside it */
	usable = malloc_usable_size((void *)p);
	return usable < bound ? usable : bound;
}

void offsets_add(struct offsets *out, int off)
{
	if (out->n < (int)(sizeof(out->off) / sizeof(out->off[0])))
		out->off[out->n] = off;
	out->n++;
}

void scan_find(const void *obj, size_t len, const void *needle, size_t nlen, size_t align,
               struct offsets *out)
{
	const unsigned char *b = obj;

	out->n = 0;
	if (nlen == 0 || nlen > len)
		return;
	for (size_t i = 0; i + nlen <= len; i += align) {
		if (b[i] == *(const unsigned char *)needle && memcmp(b + i, needle, nlen) == 0)
			offsets_add(out, (int)i);
	}
}
