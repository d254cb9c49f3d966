/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writers for the formats of ecapture/record.h: the exported-PDU payload of a record (link type
 * 252) and the per-packet process comment. Both append to a caller's buffer; nothing else
 * allocates.
 */
#ifndef EC_RECORD_WRITER_H
#define EC_RECORD_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Everything a record says besides its data. */
struct ec_record_meta {
	uint8_t type;      /* enum ec_record_type */
	uint8_t direction; /* enum ec_record_dir */
	uint8_t source;    /* enum ec_record_source */
	uint16_t flags;    /* EC_RECORDF_* */
	uint32_t pid, tid, uid;
	int32_t fd;        /* -1: unknown */
	uint32_t data_len; /* as the process saw it; more than is appended when truncated */
	uint64_t conn_id;
	char comm[16];       /* NUL-padded; need not be NUL-terminated */
	const char *cmdline; /* may be NULL */
	int family;          /* 0 unknown, AF_INET, AF_INET6: then the 5-tuple below is written */
	uint8_t src_addr[16], dst_addr[16]; /* the sender and the receiver of the data */
	uint16_t src_port, dst_port;        /* host order */
};

/*
 * Append the complete link-type-252 packet of one record to OUT: the exported-PDU tags
 * (dissector name, the 5-tuple when M->family is set, end), the ec_record header, the cmdline
 * (EC_CMDLINE_MAX from ec_cmdline_read; any other cut at 65535 bytes) and LEN bytes of DATA.
 */
void ec_record_append(GByteArray *out, const struct ec_record_meta *m, const void *data,
                      size_t len);

/*
 * Append the EPB comment text of ecapture/record.h to OUT:
 * `<comm> pid=<pid> tid=<tid> uid=<uid>[ fd=<fd>][ cmdline="<cmdline>"]`. COMM is read up to
 * its NUL or 16 bytes; FD < 0 and a NULL CMDLINE are left out.
 */
void ec_meta_comment(GString *out, const char *comm, uint32_t pid, uint32_t tid, uint32_t uid,
                     int32_t fd, const char *cmdline);

/* "a.b.c.d:PORT" or "[v6]:PORT" for ADDR of FAMILY (AF_INET, AF_INET6), into OUT. */
void ec_append_endpoint(GString *out, int family, const uint8_t *addr, uint16_t port);

/*
 * A command line is kept and written up to EC_CMDLINE_MAX bytes, counted as the process comment
 * writes them (a '"' or '\\' counts two); a longer one is cut there, at a character boundary, and
 * ends with EC_CMDLINE_CUT (within the bound).
 */
#define EC_CMDLINE_MAX 4096
#define EC_CMDLINE_CUT " [truncated]"

/*
 * /proc/PID/cmdline into OUT (EC_CMDLINE_MAX + 1 bytes) with its NUL separators turned into
 * spaces, trailing NULs dropped, escaped (output/escape.h: no control or invalid byte stays raw)
 * and cut as above (never inside a character or an escape); at most EC_CMDLINE_MAX + 2 bytes are read,
 * whatever its length. Returns its length: 0 when it cannot be read or is empty (kernel threads,
 * zombies).
 */
size_t ec_cmdline_read(uint32_t pid, char *out);

#endif
