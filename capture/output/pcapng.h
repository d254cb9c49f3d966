/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng block encoders, used by pcapng_writer.c. Each appends one complete block to a
 * GByteArray (the output's batch buffer). Blocks are in native byte order (the
 * SHB's byte-order magic tells readers which). No allocation beyond the array's growth.
 */
#ifndef EC_PCAPNG_H
#define EC_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "ecapture/linktype.h"

/* The direction bits (0-1) of the epb_flags option. */
enum ec_pcapng_dir {
	EC_PCAPNG_DIR_UNKNOWN = 0, /* no epb_flags option written */
	EC_PCAPNG_DIR_INBOUND = 1,
	EC_PCAPNG_DIR_OUTBOUND = 2,
};

/* Section Header Block, section length -1 (unknown). Each string may be NULL (option left out). */
void ec_pcapng_shb(GByteArray *out, const char *hardware, const char *os, const char *userappl);

/*
 * Interface Description Block with if_tsresol = 9 (timestamps in nanoseconds); if_name and
 * if_description when non-NULL. Interfaces are numbered in IDB order from 0 within a section.
 */
void ec_pcapng_idb(GByteArray *out, uint16_t linktype, uint32_t snaplen, const char *name,
                   const char *description);

/*
 * Enhanced Packet Block: CAPLEN bytes of DATA out of ORIGLEN on the wire, at TS_NS nanoseconds
 * since the Unix epoch. epb_flags only when DIR is known; opt_comment only when COMMENT is a
 * non-empty string (cut at 65535 bytes, like every string option); epb_dropcount only when DROPS
 * (packets of this interface lost since the one before: Wireshark's frame.drop_count) is not 0.
 * ORIGLEN below CAPLEN is raised to CAPLEN; data beyond 16 MiB - 1 KiB is left out (no reader
 * takes larger blocks).
 */
void ec_pcapng_epb(GByteArray *out, uint32_t if_id, uint64_t ts_ns, const void *data,
                   uint32_t caplen, uint32_t origlen, enum ec_pcapng_dir dir, const char *comment,
                   uint64_t drops);

/*
 * Decryption Secrets Block holding LEN bytes of TLS key log text (NSS format, whole lines).
 * Beyond 16 MiB - 1 KiB nothing is written (a g_warning says so): split such text.
 */
void ec_pcapng_dsb(GByteArray *out, const char *keylog, size_t len);

/* What an Interface Statistics Block says of one interface (times in ns since the Unix epoch). */
struct ec_pcapng_isb_stats {
	uint64_t start_ns; /* isb_starttime: the capture started */
	uint64_t end_ns;   /* the block's timestamp and isb_endtime */
	uint64_t ifrecv;   /* isb_ifrecv */
	uint64_t ifdrop;   /* isb_ifdrop */
	uint64_t osdrop;   /* isb_osdrop */
};

/* Interface Statistics Block of interface IF_ID, with opt_comment when COMMENT is non-empty. */
void ec_pcapng_isb(GByteArray *out, uint32_t if_id, const struct ec_pcapng_isb_stats *s,
                   const char *comment);

#endif
