/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin is written against the Wireshark API of 4.2 and later (Debian 13 has 4.4, whose
 * older names are deprecated or gone); on 4.0 (Debian 12) these give the new names.
 */
#ifndef EC_WS_COMPAT_H
#define EC_WS_COMPAT_H

#include <ws_version.h>
#include <epan/tvbuff.h>
#include <wsutil/wmem/wmem_strbuf.h>

#if WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR < 2
static inline uint8_t tvb_get_uint8(tvbuff_t *tvb, const int offset)
{
	return tvb_get_guint8(tvb, offset);
}

static inline wmem_strbuf_t *wmem_strbuf_new_sized(wmem_allocator_t *allocator, size_t alloc_size)
{
	return wmem_strbuf_sized_new(allocator, alloc_size, 0);
}
#endif

#endif
