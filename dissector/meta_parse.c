// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Comment parsing. The comm may contain anything, " pid=" included, so each " pid=" is tried in
 * turn and the first from which the rest of the string parses completely wins.
 */
#include "meta_parse.h"

#include <string.h>

/* KEY, then a decimal number that fits in 32 bits (negative when SIGNED); NULL if not there. */
static const char *number(const char *p, const char *key, bool is_signed, int64_t *out)
{
	size_t klen = strlen(key);
	bool neg = false;
	int64_t v = 0;
	int digits = 0;

	if (strncmp(p, key, klen) != 0)
		return NULL;
	p += klen;
	if (is_signed && *p == '-') {
		neg = true;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		v = v * 10 + (*p - '0');
		if (digits >= 10 || v > (int64_t)UINT32_MAX)
			return NULL;
	}
	if (!digits)
		return NULL;
	if (neg)
		v = -v;
	if (is_signed && (v < INT32_MIN || v > INT32_MAX))
		return NULL;
	*out = v;
	return p;
}

/* `"..."` with \" and \\ escapes (a backslash takes the next byte as it is), at the end of S. */
static bool quoted_tail(wmem_allocator_t *scope, const char *p, char **out)
{
	wmem_strbuf_t *b;

	if (*p++ != '"')
		return false;
	b = wmem_strbuf_new(scope, "");
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && !*++p)
			return false;
		wmem_strbuf_append_c(b, *p);
	}
	if (*p != '"' || p[1] != '\0')
		return false;
	*out = wmem_strbuf_finalize(b);
	return true;
}

/* Everything from " pid=" on. */
static bool parse_rest(wmem_allocator_t *scope, const char *p, struct ec_meta *m)
{
	int64_t pid, tid, uid, fd;

	if (!(p = number(p, " pid=", false, &pid)) || !(p = number(p, " tid=", false, &tid)) ||
	    !(p = number(p, " uid=", false, &uid)))
		return false;
	m->pid = (uint32_t)pid;
	m->tid = (uint32_t)tid;
	m->uid = (uint32_t)uid;
	m->has_fd = false;
	m->cmdline = NULL;
	if (strncmp(p, " fd=", 4) == 0) {
		if (!(p = number(p, " fd=", true, &fd)))
			return false;
		m->has_fd = true;
		m->fd = (int32_t)fd;
	}
	if (strncmp(p, " cmdline=", 9) == 0)
		return quoted_tail(scope, p + 9, &m->cmdline);
	return *p == '\0';
}

bool ec_meta_parse(wmem_allocator_t *scope, const char *s, struct ec_meta *m)
{
	for (const char *at = strstr(s, " pid="); at; at = strstr(at + 1, " pid=")) {
		if (parse_rest(scope, at, m)) {
			m->comm = wmem_strndup(scope, s, (size_t)(at - s));
			return true;
		}
	}
	return false;
}
