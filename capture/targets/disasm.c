// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets/disasm.h"

#include <capstone.h>

#include "ec_error.h"

static int open_x86(csh *h, bool detail, GError **err)
{
	cs_err e = cs_open(CS_ARCH_X86, CS_MODE_64, h);

	if (e != CS_ERR_OK) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "capstone: %s", cs_strerror(e));
		return -1;
	}
	if (detail)
		cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	return 0;
}

/*
 * Walks CODE one instruction at a time, calling FN on each; a byte that does not decode ends the
 * walk with an error, unless only int3/zero padding is left (between Go functions).
 */
static int walk(csh h, const uint8_t *code, size_t len, uint64_t vaddr,
                void (*fn)(const cs_insn *insn, uint64_t off, void *user), void *user, GError **err)
{
	cs_insn *insn = cs_malloc(h);
	const uint8_t *p = code;
	size_t left = len;
	uint64_t addr = vaddr;

	if (!insn) {
		g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "capstone: out of memory");
		return -1;
	}
	while (left > 0) {
		if (!cs_disasm_iter(h, &p, &left, &addr, insn)) {
			bool padding = true;

			for (size_t i = 0; i < left; i++)
				padding &= p[i] == 0xcc || p[i] == 0x00;
			cs_free(insn, 1);
			if (padding)
				return 0;
			g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
			            "undecodable instruction at 0x%llx", (unsigned long long)addr);
			return -1;
		}
		fn(insn, insn->address - vaddr, user);
	}
	cs_free(insn, 1);
	return 0;
}

static void collect_ret(const cs_insn *insn, uint64_t off, void *user)
{
	if (insn->id == X86_INS_RET)
		g_array_append_val((GArray *)user, off);
}

GArray *ec_disasm_rets(const uint8_t *code, size_t len, uint64_t vaddr, GError **err)
{
	GArray *rets = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	csh h;
	int rc;

	if (open_x86(&h, false, err)) {
		g_array_unref(rets);
		return NULL;
	}
	rc = walk(h, code, len, vaddr, collect_ret, rets, err);
	cs_close(&h);
	if (rc) {
		g_array_unref(rets);
		return NULL;
	}
	return rets;
}

#define PROLOGUE_MAX_INSNS  6
#define MORESTACK_MAX_INSNS 32

/* Whether the code at TARGET (inside CODE) jumps back to the entry within a few instructions. */
static bool jumps_back(csh h, const uint8_t *code, size_t len, uint64_t vaddr, uint64_t target)
{
	const uint8_t *p = code + (target - vaddr);
	size_t left = len - (target - vaddr);
	uint64_t addr = target;
	cs_insn *insn = cs_malloc(h);
	bool found = false;

	for (int i = 0; insn && i < MORESTACK_MAX_INSNS && left > 0; i++) {
		const cs_x86 *x;

		if (!cs_disasm_iter(h, &p, &left, &addr, insn))
			break;
		x = &insn->detail->x86;
		if (insn->id == X86_INS_JMP) {
			found = x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
			        (uint64_t)x->operands[0].imm == vaddr;
			break;
		}
		if (insn->id == X86_INS_RET)
			break;
	}
	if (insn)
		cs_free(insn, 1);
	return found;
}

int64_t ec_disasm_go_body(const uint8_t *code, size_t len, uint64_t vaddr, GError **err)
{
	const uint8_t *p = code;
	size_t left = len;
	uint64_t addr = vaddr;
	int64_t body = 0;
	cs_insn *insn;
	csh h;

	if (open_x86(&h, true, err))
		return -1;
	insn = cs_malloc(h);
	for (int i = 0; insn && i < PROLOGUE_MAX_INSNS && left > 0; i++) {
		const cs_x86 *x;

		if (!cs_disasm_iter(h, &p, &left, &addr, insn))
			break;
		x = &insn->detail->x86;
		if (insn->id == X86_INS_RET || insn->id == X86_INS_CALL || insn->id == X86_INS_JMP)
			break;
		/* The check's target is the morestack block, inside the function, after here. */
		if (insn->id == X86_INS_JBE && x->op_count == 1 &&
		    x->operands[0].type == X86_OP_IMM &&
		    (uint64_t)x->operands[0].imm > insn->address &&
		    (uint64_t)x->operands[0].imm < vaddr + len &&
		    jumps_back(h, code, len, vaddr, (uint64_t)x->operands[0].imm)) {
			body = (int64_t)(insn->address + insn->size - vaddr);
			break;
		}
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&h);
	return body;
}

struct calls {
	uint64_t target;
	int n;
};

static void count_call(const cs_insn *insn, uint64_t off, void *user)
{
	struct calls *c = user;
	const cs_x86 *x = &insn->detail->x86;

	(void)off;
	if (insn->id == X86_INS_CALL && x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
	    (uint64_t)x->operands[0].imm == c->target)
		c->n++;
}

int ec_disasm_count_calls(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t target,
                          GError **err)
{
	struct calls c = {.target = target};
	csh h;
	int rc;

	if (open_x86(&h, true, err))
		return -1;
	rc = walk(h, code, len, vaddr, count_call, &c, err);
	cs_close(&h);
	return rc ? -1 : c.n;
}
