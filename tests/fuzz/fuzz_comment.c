// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-packet process comment of ecapture/record.h, both ends: written by the engine
 * (output/record_writer: ec_meta_comment) from fuzzed fields and parsed back by the plugin
 * (dissector/meta_parse.c) to the same fields, escaped (output/escape.h); and the plugin's parser
 * fed the raw input, as a comment in a file may say anything.
 */
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>

#include "meta_parse.h"
#include "output/escape.h"
#include "output/record_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED 33 /* comm, pid, tid, uid, fd, whether a cmdline follows */

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void expect(bool ok)
{
	if (!ok)
		abort();
}

static void round_trip(wmem_allocator_t *scope, const uint8_t *data, size_t size)
{
	char comm[16];
	uint32_t pid = u32(data + 16), tid = u32(data + 20), uid = u32(data + 24);
	int32_t fd = (int32_t)u32(data + 28);
	g_autofree gchar *cmdline = NULL;
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GString) want_comm = g_string_new(NULL);
	g_autoptr(GString) want_cmdline = g_string_new(NULL);
	struct ec_meta m;

	memcpy(comm, data, sizeof(comm));
	if (data[32] & 1) /* a C string: up to its first NUL */
		cmdline = g_strndup((const char *)data + FIXED, size - FIXED);
	ec_meta_comment(text, comm, pid, tid, uid, fd, cmdline);
	expect(ec_meta_parse(scope, text->str, &m));
	ec_escape_append(want_comm, comm, strnlen(comm, sizeof(comm)), "");
	expect(strcmp(m.comm, want_comm->str) == 0);
	expect(m.pid == pid && m.tid == tid && m.uid == uid);
	expect(m.has_fd == (fd >= 0) && (!m.has_fd || m.fd == fd));
	/* the cmdline comes back escaped (no raw control in a comment), otherwise as it was */
	if (cmdline)
		ec_escape_append(want_cmdline, cmdline, strlen(cmdline), "");
	expect(cmdline ? m.cmdline && strcmp(m.cmdline, want_cmdline->str) == 0 : !m.cmdline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static wmem_allocator_t *scope;
	g_autofree gchar *raw = g_strndup((const char *)data, size);
	struct ec_meta m;

	if (!scope)
		scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
	if (ec_meta_parse(scope, raw, &m))
		expect(m.comm && strlen(m.comm) < size);
	if (size >= FIXED)
		round_trip(scope, data, size);
	wmem_free_all(scope);
	return 0;
}
