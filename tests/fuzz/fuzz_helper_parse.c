// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calibration helper's answer (layouts/helper_run.c, ec_helper_parse): KEY=VALUE lines
 * printed by a process that ran the measured library's code, so anything a library may write on
 * stdout. An input is that stdout, read up to its first NUL as the engine reads it. The table
 * holds only what the lines say (a key without '=' or a newline, a value without a newline, one
 * entry per line at most); a repeated key is refused with a reason, never half an answer.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "layouts/helper_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FUZZ_INIT_LOGS_ONLY()

/* LINE is a whole line of TEXT: at its start or after a '\n', ending at a '\n' or its end. */
static bool is_line_of(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, len) && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

static size_t count_lines(const char *text)
{
	size_t n = 1;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = g_malloc(size + 1);
	GError *err = NULL;
	GHashTable *kv;
	GHashTableIter it;
	gpointer key, value;

	memcpy(text, data, size);
	text[size] = '\0';
	kv = ec_helper_parse(text, &err);
	if (!kv) {
		if (!err || !strstr(err->message, "printed") || !strstr(err->message, "twice"))
			abort(); /* a refusal always says why */
		g_error_free(err);
		return 0;
	}
	if (err)
		abort(); /* an answer is never also an error */
	if (g_hash_table_size(kv) > count_lines(text))
		abort();
	g_hash_table_iter_init(&it, kv);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const char *k = key, *v = value;
		g_autofree gchar *line = g_strconcat(k, "=", v, NULL);

		if (strchr(k, '=') || strchr(k, '\n') || strchr(v, '\n'))
			abort();
		if (!is_line_of(text, line))
			abort(); /* every entry is a line of the text */
	}
	g_hash_table_destroy(kv);
	return 0;
}
