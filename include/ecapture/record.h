/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The on-file format of what ecapturedump writes besides packets, shared by the writer
 * (capture/) and the Wireshark plugin (dissector/). Plain C, no GLib, no kernel types.
 *
 * 1. Per-packet process metadata: the EPB comment (opt_comment) of a packet of a traced
 *    connection reads
 *        <comm> pid=<pid> tid=<tid> uid=<uid>[ fd=<fd>][ cmdline="<cmdline>"]
 *    e.g. `curl pid=1234 tid=1234 uid=0 fd=5 cmdline="curl -sk https://127.0.0.1/"`.
 *    comm is the kernel's task name (may contain spaces; it ends where " pid=" starts; its
 *    control characters and bytes that are not UTF-8 are written as \xNN). In the
 *    cmdline, arguments are separated by single spaces; '"' and '\' are escaped with '\'.
 *    Both are escaped by ecapture/escape.h first (controls, bidirectional controls and
 *    bytes that are not UTF-8 as \xNN): a comment holds no raw control byte.
 *    The process is the one that owns the local socket the packet was sent from or, for a
 *    packet received from a remote host, delivered to.
 *
 * 2. Records that are not packets (TLS plaintext; later shell commands and SQL queries): EPBs
 *    on an interface of link type 252 (LINKTYPE_WIRESHARK_UPPER_PDU). Each starts with
 *    Wireshark's exported-PDU tags (big-endian type u16, length u16, value padded to 4 bytes;
 *    the length counts the padding, as readers skip that many bytes):
 *    EC_EXP_PDU_TAG_DISSECTOR_NAME = "ecapture", the 5-tuple when known (IPv4/IPv6 source and
 *    destination, port type TCP, ports; the source is the end that sent the data), then the end
 *    tag; then one ec_record:
 *
 *      offset size  field (all integers big-endian)
 *      0      2     magic "EC"
 *      2      1     version (EC_RECORD_VERSION)
 *      3      1     type (enum ec_record_type)
 *      4      4     pid
 *      8      4     tid
 *      12     4     uid
 *      16     4     fd (int32, -1 unknown)
 *      20     1     direction (enum ec_record_dir)
 *      21     1     source library or program (enum ec_record_source)
 *      22     2     flags (EC_RECORDF_*)
 *      24     4     length of the data as the process saw it (more than follows if truncated)
 *      28     8     connection id: stable for one connection of one process (e.g. its SSL *)
 *      36     16    comm, NUL-padded, as the kernel has it (readers escape it)
 *      52     2     cmdline length N (bytes; the cmdline's arguments joined by spaces)
 *      54     N     cmdline, escaped as in the comment (ecapture/escape.h)
 *      54+N   ...   data (TLS plaintext: exactly what SSL_write sent or SSL_read returned)
 *
 * 3. The data of a shell command (EC_RECORD_SHELL) or a database query (EC_RECORD_SQL):
 *
 *      offset size  field (big-endian)
 *      0      4     status: the command's exit status, or the query's result (0 success, else
 *                   the server's error code); EC_RECORD_STATUS_UNKNOWN when not known
 *      4      1     subtype (enum ec_record_sql_kind for SQL, 0 for shells)
 *      5      3     reserved, 0
 *      8      ...   the command line or the query text, as the program had it
 *
 *    The direction is EC_RECORD_DIR_RECEIVED (the process received the command or query);
 *    the length field counts all of the data (8 + the text's real length).
 */
#ifndef EC_RECORD_H
#define EC_RECORD_H

#include <stddef.h>

#define EC_RECORD_MAGIC0    'E'
#define EC_RECORD_MAGIC1    'C'
#define EC_RECORD_VERSION   1
#define EC_RECORD_FIXED_LEN 54 /* bytes before the cmdline */

/* Wireshark's exported-PDU tags (epan/exported_pdu.h), as written in the file. */
#define EC_EXP_PDU_TAG_END            0
#define EC_EXP_PDU_TAG_DISSECTOR_NAME 12
#define EC_EXP_PDU_TAG_IPV4_SRC       20
#define EC_EXP_PDU_TAG_IPV4_DST       21
#define EC_EXP_PDU_TAG_IPV6_SRC       22
#define EC_EXP_PDU_TAG_IPV6_DST       23
#define EC_EXP_PDU_TAG_PORT_TYPE      24
#define EC_EXP_PDU_TAG_SRC_PORT       25
#define EC_EXP_PDU_TAG_DST_PORT       26
#define EC_EXP_PDU_TAG_COL_PROT_TEXT  33
#define EC_EXP_PDU_PT_TCP             2 /* port_type PT_TCP */

/* The name the plugin registers its record dissector under (tag 12). */
#define EC_RECORD_DISSECTOR "ecapture"

enum ec_record_type {
	EC_RECORD_TLS_DATA = 1, /* plaintext of a TLS connection */
	EC_RECORD_SHELL = 2,    /* a command line a shell ran */
	EC_RECORD_SQL = 3,      /* a query a database server executed */
};

enum ec_record_dir {
	EC_RECORD_DIR_SENT = 0,     /* the process wrote it (SSL_write) */
	EC_RECORD_DIR_RECEIVED = 1, /* the process read it (SSL_read) */
};

enum ec_record_source {
	EC_RECORD_SRC_UNKNOWN = 0,
	EC_RECORD_SRC_OPENSSL = 1,
	EC_RECORD_SRC_GNUTLS = 2,
	EC_RECORD_SRC_NSS = 3,
	EC_RECORD_SRC_GO = 4,
	EC_RECORD_SRC_BASH = 16,
	EC_RECORD_SRC_ZSH = 17,
	EC_RECORD_SRC_MYSQL = 32,
	EC_RECORD_SRC_MARIADB = 33,
	EC_RECORD_SRC_POSTGRES = 34,
};

#define EC_RECORD_SRC_MAX EC_RECORD_SRC_POSTGRES

/* What a source is called, wherever it is shown: the one table of source names. */
struct ec_record_source_names {
	const char *name;       /* for people: "OpenSSL", "Go crypto/tls", "MySQL" (SQL dialect) */
	const char *short_name; /* the text output's: the library, or the audited program */
	const char *call_sent;  /* TLS: what the process called to send, and to receive */
	const char *call_received;
	const char *records_if; /* the pcapng interface its records are written on */
	const char *records_if_desc;
};

/* The names of SOURCE; a source not in the table gets those of EC_RECORD_SRC_UNKNOWN. */
static inline const struct ec_record_source_names *ec_record_source_names(unsigned int source)
{
#define EC_TLS_IF "ecapture-plaintext", "TLS plaintext from the traced processes"
#define EC_SQL_IF "ecapture-mysqld", "MySQL/MariaDB queries"
	static const struct ec_record_source_names names[EC_RECORD_SRC_MAX + 1] = {
	    [EC_RECORD_SRC_UNKNOWN] = {"Unknown", "?", NULL, NULL, EC_TLS_IF},
	    [EC_RECORD_SRC_OPENSSL] = {"OpenSSL", "OpenSSL", "SSL_write", "SSL_read", EC_TLS_IF},
	    [EC_RECORD_SRC_GNUTLS] = {"GnuTLS", "GnuTLS", "gnutls_record_send", "gnutls_record_recv",
	                              EC_TLS_IF},
	    [EC_RECORD_SRC_NSS] = {"NSS", "NSS", "PR_Write", "PR_Read", EC_TLS_IF},
	    [EC_RECORD_SRC_GO] = {"Go crypto/tls", "Go", "tls.Conn.Write", "tls.Conn.Read",
	                          EC_TLS_IF},
	    [EC_RECORD_SRC_BASH] = {"bash", "bash", NULL, NULL, "ecapture-bash",
	                            "bash command lines"},
	    [EC_RECORD_SRC_ZSH] = {"zsh", "zsh", NULL, NULL, "ecapture-zsh", "zsh command lines"},
	    [EC_RECORD_SRC_MYSQL] = {"MySQL", "mysqld", NULL, NULL, EC_SQL_IF},
	    [EC_RECORD_SRC_MARIADB] = {"MariaDB", "mariadbd", NULL, NULL, EC_SQL_IF},
	    [EC_RECORD_SRC_POSTGRES] = {"PostgreSQL", "postgres", NULL, NULL, "ecapture-postgres",
	                                "PostgreSQL queries"},
	};
#undef EC_TLS_IF
#undef EC_SQL_IF

	if (source > EC_RECORD_SRC_MAX || !names[source].name)
		source = EC_RECORD_SRC_UNKNOWN;
	return &names[source];
}

/* Whether SOURCE is in the table. */
static inline int ec_record_source_known(unsigned int source)
{
	return source != EC_RECORD_SRC_UNKNOWN &&
	       ec_record_source_names(source) != ec_record_source_names(EC_RECORD_SRC_UNKNOWN);
}

static inline const char *ec_record_source_short_name(unsigned int source)
{
	return ec_record_source_names(source)->short_name;
}

#define EC_RECORD_STATUS_UNKNOWN 0x80000000u
#define EC_RECORD_AUDIT_HDR_LEN  8 /* status, subtype, reserved: before the text */

enum ec_record_sql_kind {
	EC_SQL_SIMPLE = 1,   /* a query sent as text: COM_QUERY, PostgreSQL's simple protocol */
	EC_SQL_EXTENDED = 2, /* PostgreSQL's extended protocol (Parse/Bind/Execute) */
	EC_SQL_PREPARE = 3,  /* a statement prepared for later execution (COM_STMT_PREPARE) */
};

#define EC_RECORDF_TRUNCATED (1u << 0) /* fewer data bytes follow than the length says */

/*
 * PostgreSQL's status is its SQLSTATE as the server packs it (MAKE_SQLSTATE: six bits per
 * character, the first one lowest); 0 is "00000", success. STATE gets the five characters.
 */
static inline void ec_pg_sqlstate(unsigned int code, char state[6])
{
	for (int i = 0; i < 5; i++)
		state[i] = (char)(((code >> (6 * i)) & 0x3f) + '0');
	state[5] = '\0';
}

#endif /* EC_RECORD_H */
