/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86-64 machine code read with the capstone disassembler: where a function returns, and whom
 * it calls. Go code must never get uretprobes (they rewrite the return address on a stack the
 * Go runtime may move, which crashes the program), so its returns are probed at each RET
 * instruction instead; finding them takes a real decoder, since x86 instructions have no fixed
 * length and a 0xc3 byte inside another instruction is no return.
 */
#ifndef EC_DISASM_H
#define EC_DISASM_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/*
 * Offsets (uint64_t, from the start of CODE) of every RET instruction in CODE[0..LEN), which
 * was linked at VADDR; decoding goes front to back over the whole function (Go puts no data in
 * its code). NULL with ERR if capstone cannot be opened or a byte does not decode.
 */
GArray *ec_disasm_rets(const uint8_t *code, size_t len, uint64_t vaddr, GError **err);

/*
 * Where the body of a Go function starts: the instruction after its stack-bound check (a
 * compare with the goroutine's stack guard and a JBE to the code that calls runtime.morestack
 * and jumps back to the entry). When the stack must grow, the entry runs twice, the body once,
 * so probes that must fire once per call go there. 0 (the entry) for functions without the
 * check. -1 with ERR on failure.
 */
int64_t ec_disasm_go_body(const uint8_t *code, size_t len, uint64_t vaddr, GError **err);

/* How many direct CALLs in CODE (linked at VADDR) go to TARGET; -1 with ERR on failure. */
int ec_disasm_count_calls(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t target,
                          GError **err);

#endif
