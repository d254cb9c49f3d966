/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Searching our own live objects for known values, never reading past what is mapped. */
#ifndef CAL_SCAN_H
#define CAL_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCAN_MAX 16384 /* bytes of an object searched at most */

/*
 * Keeps /proc/self/maps open (before the sandbox's root is emptied): later reads of our
 * mappings go through this descriptor. 0, or -1 with errno.
 */
int scan_keep_maps(void);

/* Our mappings, as /proc/self/maps reads now (fclose), or NULL. */
FILE *scan_open_maps(void);

/* Readable bytes at P: up to the end of its mapping, and at most CAP. */
size_t scan_bound_mapped(const void *p, size_t cap);

/* As scan_bound_mapped, also within the malloc block P starts (P must come from malloc). */
size_t scan_bound_heap(const void *p, size_t cap);

struct offsets {
	int n;                 /* matches found (may exceed the stored ones) */
	int off[SCAN_MAX / 8]; /* the first ones */
};

/* Offsets in OBJ[0..LEN) that are multiples of ALIGN where NEEDLE[0..NLEN) starts. */
void scan_find(const void *obj, size_t len, const void *needle, size_t nlen, size_t align,
               struct offsets *out);

/* Adds OFF to OUT (for matches decided by other means than a byte compare). */
void offsets_add(struct offsets *out, int off);

#endif
