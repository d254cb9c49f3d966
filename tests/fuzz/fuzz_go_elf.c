// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Go readers: build info and the .gopclntab function table (targets/go_elf), and the probe
 * plan built from them (targets/go_target: function lookup, code read back, disassembly).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "targets/go_elf.h"
#include "targets/go_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VISITS 4096 /* functions looked at per input: a table may claim millions */

FUZZ_INIT_LOGS_ONLY()

struct visit {
	const struct ec_go_file *g;
	uint64_t file_size;
	unsigned int n;
};

static gboolean visit(const char *name, const struct ec_go_func *f, void *user)
{
	struct visit *v = user;
	GError *err = NULL;
	uint8_t *code;

	(void)strlen(name);
	if (f->size == 0)
		abort(); /* a function ends after it starts */
	/* The code of a function the table places inside the file can be read back. */
	code = ec_go_read_code(v->g, f->offset, (size_t)MIN(f->size, 64), &err);
	if (!code && f->offset + MIN(f->size, 64) <= v->file_size)
		abort();
	g_free(code);
	g_clear_error(&err);
	return ++v->n < MAX_VISITS;
}

static void plan(const char *path)
{
	struct ec_go_target t;
	GError *err = NULL;
	int rc = ec_go_target_plan(path, &t, &err);

	if ((rc < 0) != (err != NULL))
		abort(); /* an error exactly when it fails */
	g_clear_error(&err);
	if (rc == 1) {
		if (!t.offsets || t.offsets->len != t.kinds->len || (!t.keys && !t.data))
			abort();
		ec_go_target_clear(&t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *path = fuzz_write_file("input", data, size);
	g_autofree gchar *text = g_strndup((const char *)data, MIN(size, 32));
	GError *err = NULL;
	struct ec_go_func f;
	struct ec_go_file *g;
	struct visit v = {.file_size = size};

	(void)ec_go_minor_version(text);
	g = ec_go_open(path, &err);
	if (!g) {
		if (!err)
			abort();
		g_error_free(err);
		return 0;
	}
	(void)ec_go_minor_version(ec_go_version(g));
	(void)ec_go_abi(g, &err);
	g_clear_error(&err);
	v.g = g;
	ec_go_foreach_func(g, "", visit, &v);
	if (ec_go_find_func(g, "crypto/tls.(*Conn).Read", &f) && f.size == 0)
		abort();
	ec_go_close(g);
	plan(path);
	return 0;
}
