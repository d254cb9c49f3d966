// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interactive shell commands (bash, zsh): the line the user entered, read by the line editor
 * (readline, zle), and its exit status ($?), one record per top-level command.
 *
 * A shell reads a command in its parser (bash parse_command, zsh parse_event), which asks the
 * line editor for one or more lines (continuation lines), then runs it (bash execute_command,
 * zsh execode "toplevel"). The same functions also run nested: PROMPT_COMMAND and traps parse
 * and execute inside the parser, functions and `eval` inside a command. The top-level calls are
 * told apart by their stack pointer (the top-level frames are the outermost ones) and, for zsh,
 * by execode's context argument. A top-level execution's return sends the record with the
 * status variable's value; a line that was never executed (a syntax error, a comment) is sent
 * when the next top-level read begins; the shell's exit function sends the line that exits.
 * Nothing is kept for a shell until its parser runs, and the text only once it reads a line,
 * so scripts (which never call the line editor) cost one map update per command.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "audit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EC_SOURCE_ZSH 17 /* EC_RECORD_SRC_ZSH */
#define ZLE_CMD_READ  1  /* zsh: zleentry(ZLE_CMD_READ, ...) reads a line */

/* Where a shell is in its read-execute loop. */
struct shell_state {
	__u64 bias;         /* load bias of the shell's executable */
	__u64 top_parse_sp; /* the outermost parser entry seen (stack pointer) */
	__u64 parse_sp;     /* the current top-level read's entry; 0: not known */
	__u64 top_exec_sp;  /* the outermost execution entry seen */
	__u64 exec_sp;      /* the current top-level execution's entry */
	__u32 target;
	__u8 have_bias;
	__u8 in_parse;  /* a top-level read is under way */
	__u8 executing; /* a top-level command is running */
	__u8 line_call; /* zsh: the zleentry under way reads a line */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tid */
	__type(value, struct shell_state);
} ec_shell_states SEC(".maps");

/*
 * The text of the command being read or run. Twice EC_AUDIT_MAX of room: a continuation line is
 * appended at a variable offset, and the verifier must see a whole read fit.
 */
struct shell_line {
	struct ec_audit_event ev;
	__u8 data[2 * EC_AUDIT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64); /* sized by userspace */
	__type(key, __u32);
	__type(value, struct shell_line);
} ec_shell_lines SEC(".maps");

/* All zeros: the initial value of a new line (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct shell_line);
} ec_shell_zero SEC(".maps");

static __always_inline __s32 read_status(const struct shell_state *s,
                                         const struct ec_audit_target *t)
{
	__s64 v = 0;

	if (!s->have_bias || !t->status_vaddr)
		return EC_STATUS_UNKNOWN;
	if (bpf_probe_read_user(&v, t->status_size == 8 ? 8 : 4,
	                        ec_target_addr(s->bias, t->status_vaddr)))
		return EC_STATUS_UNKNOWN;
	if (t->status_size != 8)
		v = (__s32)v;
	return (__s32)v;
}

/* Send the pending command of TID, if any, with STATUS; forget it either way. */
static __always_inline void flush(__u32 tid, const struct ec_audit_target *t, __s32 status)
{
	struct shell_line *l = bpf_map_lookup_elem(&ec_shell_lines, &tid);

	if (!l)
		return;
	/* An empty line (just Enter) is no command. */
	if (l->ev.len && !((t->flags & EC_AUDIT_TGT_FAILED_ONLY) && status == 0)) {
		l->ev.status = status;
		ec_audit_send(&l->ev);
	}
	bpf_map_delete_elem(&ec_shell_lines, &tid);
}

/* A line the line editor returned: append it to the command being read. */
static __always_inline void on_line(__u32 tid, const struct ec_audit_target *t,
                                    struct shell_state *s, const char *line)
{
	__u32 zero = 0, off, copied, len;
	struct shell_line *l;

	if (!line || !s->in_parse || s->executing)
		return; /* end of input, or a line read by a command (bash `read -e`) */
	l = bpf_map_lookup_elem(&ec_shell_lines, &tid);
	if (!l) {
		struct shell_line *z = bpf_map_lookup_elem(&ec_shell_zero, &zero);

		if (!z || bpf_map_update_elem(&ec_shell_lines, &tid, z, BPF_ANY))
			return;
		l = bpf_map_lookup_elem(&ec_shell_lines, &tid);
		if (!l)
			return;
		/* The time the command was entered, the first line's. */
		ec_audit_init(&l->ev, EC_REC_SHELL, t->source, 0);
	} else {
		/* A continuation line: joined with a newline, as typed. */
		off = l->ev.data_len;
		if (off < EC_AUDIT_MAX) {
			l->data[off & (EC_AUDIT_MAX - 1)] = '\n';
			l->ev.data_len = off + 1;
		}
		l->ev.len += 1;
	}
	off = l->ev.data_len;
	if (off > EC_AUDIT_MAX)
		off = EC_AUDIT_MAX;
	len = ec_copy_user_str(l->data, off, line, &copied);
	/* zsh hands the lexer its lines with the newline that ended them. */
	if (t->source == EC_SOURCE_ZSH && copied && len == copied &&
	    l->data[(off + copied - 1) & (2 * EC_AUDIT_MAX - 1)] == '\n') {
		copied--;
		len--;
	}
	l->ev.data_len = off + copied;
	l->ev.len += len;
}

/* The parser starts reading: a top-level read begins unless nested in something. */
static __always_inline void on_parse_entry(struct pt_regs *ctx, __u32 tid,
                                           const struct ec_audit_target *t, __u32 target)
{
	struct shell_state *s = bpf_map_lookup_elem(&ec_shell_states, &tid);
	__u64 sp = PT_REGS_SP(ctx);

	if (!s) {
		struct shell_state n = {.target = target};

		if (!ec_proc_allowed())
			return;
		bpf_map_update_elem(&ec_shell_states, &tid, &n, BPF_ANY);
		s = bpf_map_lookup_elem(&ec_shell_states, &tid);
		if (!s)
			return;
	}
	/*
	 * The top-level parser is always entered from the same frame of the main loop; anything
	 * deeper is nested: PROMPT_COMMAND, a trap, `eval` or `source` inside a command.
	 */
	if (sp < s->top_parse_sp)
		return;
	if (!s->have_bias)
		s->have_bias = ec_load_bias(ctx, t->fn_vaddr[EC_AFN_SHELL_PARSE], &s->bias);
	/* Whatever is still pending was not executed (or its execution was cut short). */
	flush(tid, t, read_status(s, t));
	s->top_parse_sp = sp;
	s->parse_sp = sp;
	s->in_parse = 1;
	s->executing = 0;
}

static __always_inline void on_parse_return(struct pt_regs *ctx, struct shell_state *s)
{
	__u64 sp = PT_REGS_SP(ctx) - EC_RET_SP_DELTA;

	if (s->in_parse && sp == s->parse_sp)
		s->in_parse = 0;
}

/* zsh runs its top-level commands with execode(prog, 0, 0, "toplevel"). */
static __always_inline bool zsh_toplevel(struct pt_regs *ctx)
{
	char c[9] = {};

	if (bpf_probe_read_user_str(c, sizeof(c), (const void *)PT_REGS_PARM4(ctx)) != 9)
		return false;
	return c[0] == 't' && c[1] == 'o' && c[2] == 'p' && c[3] == 'l' && c[4] == 'e' &&
	       c[5] == 'v' && c[6] == 'e' && c[7] == 'l';
}

static __always_inline void on_exec_entry(struct pt_regs *ctx, __u32 tid,
                                          const struct ec_audit_target *t, struct shell_state *s)
{
	__u64 sp = PT_REGS_SP(ctx);

	if (s->in_parse)
		return; /* PROMPT_COMMAND, a trap while reading */
	if (t->source == EC_SOURCE_ZSH && !zsh_toplevel(ctx))
		return; /* hooks (preexec), functions */
	if (sp < s->top_exec_sp)
		return; /* nested in the command, or in something else */
	if (s->executing)
		/* The last top-level command never returned (longjmp): its status is $?. */
		flush(tid, t, read_status(s, t));
	if (!s->have_bias)
		s->have_bias = ec_load_bias(ctx, t->fn_vaddr[EC_AFN_SHELL_EXEC], &s->bias);
	s->top_exec_sp = sp;
	s->exec_sp = sp;
	s->executing = 1;
}

static __always_inline void on_exec_return(struct pt_regs *ctx, __u32 tid,
                                           const struct ec_audit_target *t, struct shell_state *s)
{
	__u64 sp = PT_REGS_SP(ctx) - EC_RET_SP_DELTA;

	if (!s->executing || sp != s->exec_sp)
		return;
	s->executing = 0;
	flush(tid, t, read_status(s, t));
}

SEC("uprobe")
int BPF_KPROBE(ec_shell_entry)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 target = EC_COOKIE_LIB(cookie), kind = EC_COOKIE_KIND(cookie);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct ec_audit_target *t = bpf_map_lookup_elem(&ec_audit_targets, &target);
	struct shell_state *s;

	if (!t)
		return 0;
	if (kind == EC_AFN_SHELL_PARSE) {
		on_parse_entry(ctx, tid, t, target);
		return 0;
	}
	s = bpf_map_lookup_elem(&ec_shell_states, &tid);
	if (!s)
		return 0; /* not a shell, or one whose parser has not run since we attached */
	switch (kind) {
	case EC_AFN_SHELL_LINE:
		s->line_call = (int)PT_REGS_PARM1(ctx) == ZLE_CMD_READ;
		break;
	case EC_AFN_SHELL_EXEC:
		on_exec_entry(ctx, tid, t, s);
		break;
	case EC_AFN_SHELL_EXIT:
		/* `exit N`, end of input: the line that exits has N as its status. */
		flush(tid, t, (__s32)PT_REGS_PARM1(ctx));
		bpf_map_delete_elem(&ec_shell_states, &tid);
		break;
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ec_shell_return)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 target = EC_COOKIE_LIB(cookie), kind = EC_COOKIE_KIND(cookie);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct ec_audit_target *t = bpf_map_lookup_elem(&ec_audit_targets, &target);
	struct shell_state *s = bpf_map_lookup_elem(&ec_shell_states, &tid);

	if (!t || !s)
		return 0;
	switch (kind) {
	case EC_AFN_SHELL_PARSE:
		on_parse_return(ctx, s);
		break;
	case EC_AFN_SHELL_LINE:
		/* bash: readline's result; zsh: zleentry's, when it read a line */
		if (t->source == EC_SOURCE_ZSH) {
			if (!s->line_call)
				break;
			s->line_call = 0;
		}
		on_line(tid, t, s, (const char *)PT_REGS_RC(ctx));
		break;
	case EC_AFN_SHELL_EXEC:
		on_exec_return(ctx, tid, t, s);
		break;
	}
	return 0;
}
