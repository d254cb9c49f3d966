/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one rule for text that comes from other processes (program names, command lines,
 * commands, queries, paths, versions) on its way to a terminal, a log, a pcapng comment or a
 * Wireshark field: which bytes stay as they are and which are written as \xNN. Shared by the
 * capture (capture/output/escape.c appends to a GString) and the Wireshark plugin (dissector/),
 * so both escape the same bytes. Plain C, no GLib.
 *
 * Escaped, each byte as \xNN (lower-case hex):
 *  - C0 controls (0x00-0x1f) but those the caller keeps ("\n\t" for multi-line text), and DEL;
 *  - C1 controls, both as raw bytes 0x80-0x9f (then they are not UTF-8) and as UTF-8
 *    U+0080-U+009F (0xc2 0x80 - 0xc2 0x9f; a terminal may take either as CSI, OSC...);
 *  - Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069:
 *    they reorder what follows, "Trojan Source") and the line and paragraph separators
 *    (U+2028, U+2029: a line break to some viewers);
 *  - every byte that does not belong to valid UTF-8 (overlong forms, surrogates, code points
 *    above U+10FFFF, cut sequences), one byte at a time.
 * Everything else, printable ASCII and UTF-8 text included, stays as it is.
 */
#ifndef EC_ESCAPE_SHARED_H
#define EC_ESCAPE_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The longest escaped form of one unit: four bytes as \xNN. */
#define EC_ESCAPE_UNIT_MAX 16

/* Code point CP, decoded from valid UTF-8, is one of those escaped. */
static inline bool ec_escape_codepoint(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
	       cp == 0x2029;
}

/*
 * The length of the valid UTF-8 sequence at S (LEN bytes left, LEN > 0, S[0] >= 0x80) and its
 * code point in *CP; 0 when the bytes there are not one.
 */
static inline size_t ec_escape_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	*cp = v;
	return n;
}

/*
 * The next unit of TEXT (LEN > 0 bytes left): *N, the bytes it takes (1 to 4); true when they
 * are to be written escaped (each as \xNN), false when as they are. KEEP names the C0 controls
 * that stay raw ("" none, "\n\t"); NUL is always escaped.
 */
static inline bool ec_escape_next(const char *text, size_t len, const char *keep, size_t *n)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t cp;

	*n = 1;
	if (s[0] < 0x20)
		return s[0] == 0 || !strchr(keep, s[0]);
	if (s[0] < 0x7f)
		return false;
	if (s[0] == 0x7f)
		return true;
	*n = ec_escape_utf8(s, len, &cp);
	if (!*n) {
		*n = 1; /* one byte at a time: a valid sequence may start right after it */
		return true;
	}
	return ec_escape_codepoint(cp);
}

/* Write the escaped form of the N bytes at TEXT (\xNN each) to OUT: 4 * N characters, no NUL. */
static inline size_t ec_escape_hex(char *out, const char *text, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)text[i];

		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = hex[b >> 4];
		out[4 * i + 3] = hex[b & 0xf];
	}
	return 4 * n;
}

#endif
