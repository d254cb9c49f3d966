// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bash and zsh modules (bpf/shell.bpf.c): every interactive command line and its exit
 * status. The probed functions and the status variable are found by name in the shell's symbol
 * tables (Debian's bash and zsh export them all); readline may be in bash itself (Debian) or in
 * libreadline.so.
 */
#include <errno.h>
#include <glib.h>
#include <unistd.h>

#include "targets/libraries.h"
#include "targets/target_file.h"
#include "modules/audit_family.h"
#include "ec_error.h"
#include "user_rights.h"
#include "ecapture/record.h"
#include "modules/module.h"
#include "shell.skel.h"

/* How one shell names what the probes need. */
struct shell_kind {
	const char *what; /* "bash" */
	enum ec_source source;
	uint8_t record_source;
	const char *parse;  /* the top-level parser */
	const char *line;   /* the line editor's entry */
	bool line_entry;    /* the line function's entry is probed too (zsh: its command) */
	const char *exec;   /* runs a parsed command */
	const char *exit;   /* exits the shell with a status (optional) */
	const char *status; /* the variable holding $? */
};

static const char *const bash_paths[] = {"/usr/bin/bash", "/bin/bash", "/usr/local/bin/bash", NULL};
static const char *const bash_names[] = {"bash", NULL};
static const char *const zsh_paths[] = {"/usr/bin/zsh", "/bin/zsh", "/usr/local/bin/zsh", NULL};
static const char *const zsh_names[] = {"zsh", NULL};

static const struct shell_kind bash_kind = {
    .what = "bash",
    .source = EC_SOURCE_BASH,
    .record_source = EC_RECORD_SRC_BASH,
    .parse = "parse_command",
    .line = "readline",
    .exec = "execute_command",
    .exit = "exit_shell",
    .status = "last_command_exit_value",
};

static const struct shell_kind zsh_kind = {
    .what = "zsh",
    .source = EC_SOURCE_ZSH,
    .record_source = EC_RECORD_SRC_ZSH,
    .parse = "parse_event",
    .line = "zleentry",
    .line_entry = true,
    .exec = "execode",
    .exit = "zexit",
    .status = "lastval",
};

/* Pending command texts kept at once (64 KiB each): shells between a line and its end. */
#define LINES_IN_FLIGHT 64

static int probe(struct ec_audit_plan *plan, int id, const char *path,
                 const struct ec_sym_table *syms, const char *name, uint32_t kind, bool entry,
                 bool ret, GError **err)
{
	const struct ec_sym *s = ec_sym_find(syms, name);

	if (!s) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "%s has no symbol %s", path, name);
		return -1;
	}
	return ec_audit_plan_probe(plan, id, path, s, kind, entry, ret, err);
}

/* Where readline is for bash at PATH: bash itself, the user's library, or its libreadline. */
static char *readline_file(const char *path, const struct ec_sym_table *syms,
                           const struct ec_capture_opts *o, GError **err)
{
	char *lib;

	if (o->readline_path && *o->readline_path)
		return ec_user_may_access("readline library", o->readline_path, R_OK, err)
		           ? NULL
		           : g_strdup(o->readline_path);
	if (ec_sym_find(syms, "readline"))
		return g_strdup(path);
	lib = ec_find_needed_lib(path, "libreadline.so");
	if (!lib)
		g_set_error(err, EC_ERROR, EC_ERROR_NOT_FOUND,
		            "%s has no readline and no libreadline.so was found "
		            "(name one with --readline)",
		            path);
	return lib;
}

/* Plan the probes of the shell at PATH as a new target. */
static int plan_shell(struct ec_audit_plan *plan, const char *path, const void *data,
                      const struct ec_capture_opts *o, GError **err)
{
	const struct shell_kind *k = data;
	g_autoptr(GError) lerr = NULL;
	struct ec_sym_table *syms = ec_sym_table_load(path, err);
	g_autofree char *line_path = NULL;
	struct ec_sym_table *line_syms = NULL;
	const struct ec_sym *status;
	struct ec_audit_target *t;
	int id, rc = -1;

	if (!syms)
		return -1;
	status = ec_sym_find(syms, k->status);
	if (!status || (status->size != 4 && status->size != 8)) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED,
		            "%s has no %s variable (not %s, or without its symbols)", path,
		            k->status, k->what);
		goto out;
	}
	if (k->source == EC_SOURCE_BASH) {
		line_path = readline_file(path, syms, o, err);
		if (!line_path)
			goto out;
	} else {
		line_path = g_strdup(path);
	}
	line_syms = strcmp(line_path, path) ? ec_sym_table_load(line_path, err) : syms;
	if (!line_syms)
		goto out;
	id = ec_audit_plan_add_target(plan, path, path);
	if (id < 0) {
		g_set_error(err, EC_ERROR, EC_ERROR_UNSUPPORTED, "too many %s executables",
		            k->what);
		goto out;
	}
	t = ec_audit_plan_target(plan, id);
	t->status_vaddr = status->value;
	t->status_size = (uint8_t)status->size;
	t->source = k->record_source;
	t->flags = o->failed_only ? EC_AUDIT_TGT_FAILED_ONLY : 0;
	if (probe(plan, id, path, syms, k->parse, EC_AFN_SHELL_PARSE, true, true, err) ||
	    probe(plan, id, path, syms, k->exec, EC_AFN_SHELL_EXEC, true, true, err) ||
	    probe(plan, id, line_path, line_syms, k->line, EC_AFN_SHELL_LINE, k->line_entry, true,
	          err))
		goto out;
	/* Without it, the line that exits the shell is not recorded. */
	if (probe(plan, id, path, syms, k->exit, EC_AFN_SHELL_EXIT, true, false, &lerr))
		g_info("%s: the exit command will not be recorded: %s", path, lerr->message);
	if (line_syms != syms)
		g_message("%s: readline in %s", path, line_path);
	rc = 0;
out:
	if (line_syms && line_syms != syms)
		ec_sym_table_free(line_syms);
	ec_sym_table_free(syms);
	return rc;
}

static const struct ec_bpf_map_size shell_sizes[] = {{"ec_shell_lines", LINES_IN_FLIGHT}};

/* What bash and zsh share: one BPF object, planned by plan_shell. */
#define SHELL_OBJECT                                                                               \
	.unit = "executable",                                                                      \
	.object = {.what = "shell",                                                                \
	           .name = "shell",                                                                \
	           .elf_bytes = shell_bpf__elf_bytes,                                              \
	           .entry = "ec_shell_entry",                                                      \
	           .ret = "ec_shell_return",                                                       \
	           .sizes = shell_sizes,                                                           \
	           .n_sizes = G_N_ELEMENTS(shell_sizes)},                                          \
	.plan = plan_shell

static const struct ec_audit_module_desc bash_desc = {
    .program = "bash",
    .std_paths = bash_paths,
    .names = bash_names,
    .label = "bash",
    SHELL_OBJECT,
    .data = &bash_kind,
};

static const struct ec_audit_module_desc zsh_desc = {
    .program = "zsh",
    .std_paths = zsh_paths,
    .names = zsh_names,
    .label = "zsh",
    SHELL_OBJECT,
    .data = &zsh_kind,
};

EC_AUDIT_MODULE(ec_mod_bash, "bash", bash_desc, EC_SOURCE_BASH, bash_path);
EC_AUDIT_MODULE(ec_mod_zsh, "zsh", zsh_desc, EC_SOURCE_ZSH, zsh_path);
