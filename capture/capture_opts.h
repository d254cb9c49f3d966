/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a capture is asked to do: filled by the extcap front end or the CLI, read by the engine. */
#ifndef EC_CAPTURE_OPTS_H
#define EC_CAPTURE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

struct ec_capture_hooks;

/* What the capture produces. */
enum ec_output_kind {
	EC_OUT_PCAPNG, /* packets and/or records, with DSBs, as pcapng */
	EC_OUT_TEXT,   /* plaintext per connection, as text (standalone CLI) */
	EC_OUT_NONE,   /* only the key log file */
};

/* What is traced: one per extcap interface. */
enum ec_source {
	EC_SOURCE_TLS,      /* ecapture-tls: every TLS library */
	EC_SOURCE_BASH,     /* ecapture-bash: bash command lines */
	EC_SOURCE_ZSH,      /* ecapture-zsh: zsh command lines */
	EC_SOURCE_MYSQLD,   /* ecapture-mysqld: MySQL/MariaDB queries */
	EC_SOURCE_POSTGRES, /* ecapture-postgres: PostgreSQL queries */
};

/* TLS libraries (ec_capture_opts.tls_libs). */
#define EC_TLSLIB_OPENSSL (1u << 0)
#define EC_TLSLIB_GNUTLS  (1u << 1)
#define EC_TLSLIB_NSS     (1u << 2) /* NSS over NSPR (libnspr4) */
#define EC_TLSLIB_GO      (1u << 3) /* Go's crypto/tls, in Go executables */
#define EC_TLSLIB_ALL     0xffffffffu

/* Processes a capture may be limited to (the kernel's PID filter, EC_PID_FILTER_MAX). */
#define EC_CAPTURE_PIDS_MAX 1024

struct ec_capture_opts {
	enum ec_source source;
	uint32_t tls_libs; /* EC_TLSLIB_* to trace (source TLS) */
	enum ec_output_kind output_kind;
	bool packets; /* pcapng: the packets of traced connections (TC) */
	bool records; /* pcapng: plaintext records (link type 252) */
	GArray *pids; /* pid_t, each once, at most EC_CAPTURE_PIDS_MAX; empty: every process */
	bool filter_uid;
	uint32_t uid;
	char **libssl;        /* extra OpenSSL libraries (NULL-terminated), may be NULL */
	char **libgnutls;     /* extra GnuTLS libraries (NULL-terminated), may be NULL */
	char **libnspr;       /* extra NSPR libraries (NSS's PR_Read/PR_Write), may be NULL */
	char **gobin;         /* Go executables to trace besides the running ones, may be NULL */
	char **netifs;        /* interfaces to capture on; NULL/empty: every interface that is up */
	char *capture_filter; /* pcap filter applied to written packets, may be NULL */
	char *output;         /* pcapng destination: path, FIFO or "-" */
	int output_fd;        /* or an fd already open (>= 0 wins over output) */
	char *keylog;         /* also append key log lines here, may be NULL */
	unsigned int hold_ms; /* how long a new connection's packets wait for its keys */
	size_t hold_max_bytes; /* memory bound for all held packets */
	/* TLS connections no traced library gave keys for: written undecrypted (else left out) */
	bool write_unclaimed;
	size_t ringbuf_bytes; /* kernel -> user ring buffer size (power of 2) */
	bool tc_legacy;       /* clsact filters instead of tcx links */
	uint64_t duration_ms; /* stop after this long; 0: until signalled */
	/* Audit sources: the program to trace instead of those found (NULL: find them). */
	char *bash_path;
	char *readline_path; /* the libreadline bash uses, when it does not have its own */
	char *zsh_path;
	char *mysqld_path;
	char *postgres_path;
	bool failed_only; /* shells: only commands whose exit status is not 0 */
	/* Text output: the records of a connection written together (at its end). */
	bool text_group;
	/* A front end's part in the running capture (control.h); NULL: none. */
	const struct ec_capture_hooks *hooks;
};

void ec_capture_opts_init(struct ec_capture_opts *o);
void ec_capture_opts_clear(struct ec_capture_opts *o);

/* Whether the capture writes plaintext (text output or records): the probes then copy it. */
bool ec_capture_wants_plaintext(const struct ec_capture_opts *o);

#endif
