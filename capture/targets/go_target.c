// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/go_target.h"

#include <string.h>
#include <linux/types.h>

#include "targets/disasm.h"
#include "ec_error.h"
#include "ecapture/events.h"
#include "targets/elf_info.h"
#include "targets/go_elf.h"

#define FN_KEYLOG "crypto/tls.(*Config).writeKeyLog"
#define FN_WRITE  "crypto/tls.(*Conn).writeRecordLocked"
#define FN_READ   "crypto/tls.(*Conn).Read"
#define MAX_CODE  (1u << 20) /* no crypto/tls function is near this long */

void ec_go_target_clear(struct ec_go_target *t)
{
	g_free(t->version);
	if (t->offsets)
		g_array_unref(t->offsets);
	if (t->kinds)
		g_array_unref(t->kinds);
	memset(t, 0, sizeof(*t));
}

static void add_point(struct ec_go_target *t, uint64_t offset, uint32_t kind)
{
	if (t->abi == EC_GO_ABI_STACK)
		kind |= EC_GO_STACK_ABI;
	g_array_append_val(t->offsets, offset);
	g_array_append_val(t->kinds, kind);
}

/* The code of F (g_free), capped at MAX_CODE. */
static uint8_t *code_of(struct ec_go_file *g, const struct ec_go_func *f, size_t *len, GError **err)
{
	*len = MIN(f->size, MAX_CODE);
	return ec_go_read_code(g, f->offset, *len, err);
}

/* Entry probe at the body (after the stack check), and RET probes when RET_KIND is not 0. */
static int add_func(struct ec_go_target *t, struct ec_go_file *g, const struct ec_go_func *f,
                    uint32_t entry_kind, uint32_t ret_kind, GError **err)
{
	size_t len;
	g_autofree uint8_t *code = code_of(g, f, &len, err);
	g_autoptr(GArray) rets = NULL;
	int64_t body;

	if (!code)
		return -1;
	body = ec_disasm_go_body(code, len, f->vaddr, err);
	if (body < 0)
		return -1;
	if (ret_kind) {
		rets = ec_disasm_rets(code, len, f->vaddr, err);
		if (!rets)
			return -1;
		if (rets->len == 0) {
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
			            "no RET instruction found in a function of %zu bytes", len);
			return -1;
		}
	}
	add_point(t, f->offset + (uint64_t)body, entry_kind);
	for (guint i = 0; rets && i < rets->len; i++)
		add_point(t, f->offset + g_array_index(rets, uint64_t, i), ret_kind);
	return 0;
}

struct calls_ctx {
	struct ec_go_file *g;
	uint64_t target;
	int calls;
};

static gboolean count_calls(const char *name, const struct ec_go_func *f, void *user)
{
	struct calls_ctx *c = user;
	size_t len;
	g_autofree uint8_t *code = NULL;
	int n;

	(void)name;
	code = code_of(c->g, f, &len, NULL);
	if (!code)
		return TRUE;
	n = ec_disasm_count_calls(code, len, f->vaddr, c->target, NULL);
	if (n > 0)
		c->calls += n;
	return TRUE;
}

/*
 * writeKeyLog is only useful if the handshakes really call it: an inlined copy would run
 * without our probe. Count the direct calls to it in crypto/tls.
 */
static int keylog_calls(struct ec_go_file *g, const struct ec_go_func *keylog)
{
	struct calls_ctx c = {.g = g, .target = keylog->vaddr};

	ec_go_foreach_func(g, "crypto/tls.", count_calls, &c);
	return c.calls;
}

int ec_go_target_plan(const char *path, struct ec_go_target *t, GError **err)
{
	g_autoptr(GError) oerr = NULL;
	struct ec_go_file *g = ec_go_open(path, &oerr);
	struct ec_go_func keylog, wr, rd;
	bool have_keylog, have_data;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (!g) {
		if (g_error_matches(oerr, EC_ELF_ERROR, EC_ELF_ERROR_NOT_FOUND) ||
		    g_error_matches(oerr, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF))
			return 0;
		g_propagate_error(err, g_steal_pointer(&oerr));
		return -1;
	}
	have_keylog = ec_go_find_func(g, FN_KEYLOG, &keylog);
	have_data = ec_go_find_func(g, FN_WRITE, &wr) && ec_go_find_func(g, FN_READ, &rd);
	if (!have_keylog && !have_data) {
		ec_go_close(g);
		return 0; /* no crypto/tls in this program */
	}
	t->version = g_strdup(ec_go_version(g));
	t->abi = ec_go_abi(g, err);
	if (t->abi < 0)
		goto out;
	t->offsets = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	t->kinds = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	if (have_keylog && keylog_calls(g, &keylog) == 0) {
		if (!have_data) {
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
			            "%s: %s is never called (inlined?) and %s or %s is missing: "
			            "nothing to probe",
			            path, FN_KEYLOG, FN_WRITE, FN_READ);
			goto out;
		}
		g_warning("%s: %s is never called (inlined?): no keys from this program", path,
		          FN_KEYLOG);
		have_keylog = false;
	}
	if (have_keylog) {
		if (add_func(t, g, &keylog, EC_GO_KEYLOG, 0, err))
			goto prefix;
		t->keys = true;
	}
	if (have_data) {
		if (add_func(t, g, &wr, EC_GO_WRITE, EC_GO_WRITE_RET, err) ||
		    add_func(t, g, &rd, EC_GO_READ, EC_GO_READ_RET, err))
			goto prefix;
		t->data = true;
	}
	rc = 1;
	goto out;
prefix:
	g_prefix_error(err, "%s: ", path);
out:
	if (rc < 0)
		ec_go_target_clear(t);
	ec_go_close(g);
	return rc;
}
