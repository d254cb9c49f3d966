// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng blocks (draft-ietf-opsawg-pcapng). Every encoder sizes its block first, grows the array
 * once and writes in place: one reallocation at most, no temporary buffers.
 */
#include "output/pcapng.h"

#include <string.h>

#define BT_SHB             0x0A0D0D0Au
#define BT_IDB             0x00000001u
#define BT_EPB             0x00000006u
#define BT_DSB             0x0000000Au
#define BT_ISB             0x00000005u

#define BYTE_ORDER_MAGIC   0x1A2B3C4Du
#define SECRETS_TLS_KEYLOG 0x544c534bu /* "TLSK" */

#define OPT_ENDOFOPT       0
#define OPT_COMMENT        1
#define SHB_HARDWARE       2
#define SHB_OS             3
#define SHB_USERAPPL       4
#define IF_NAME            2
#define IF_DESCR           3
#define IF_TSRESOL         9
#define EPB_FLAGS          2
#define EPB_DROPCOUNT      4
#define ISB_STARTTIME      2
#define ISB_ENDTIME        3
#define ISB_IFRECV         4
#define ISB_IFDROP         5
#define ISB_OSDROP         7

/* Option values carry a 16-bit length; longer strings are cut. */
#define OPT_MAX_LEN 0xFFFFu

/*
 * Bigger packets or secrets than any reader accepts (Wireshark refuses blocks over 16 MiB):
 * packet data beyond this is left out (caplen < origlen says so), larger DSBs are not written.
 */
#define MAX_BODY (16u * 1024u * 1024u - 1024u)

static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* An option of LEN value bytes takes this much room in a block. */
static inline size_t opt_size(size_t len)
{
	return 4 + pad4(len);
}

/* Length of an optional string option, capped; 0 when absent. */
static inline size_t str_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > OPT_MAX_LEN ? OPT_MAX_LEN : n;
}

/* Grow OUT by N bytes and return where they start. */
static inline uint8_t *reserve(GByteArray *out, size_t n)
{
	guint at = out->len;

	g_byte_array_set_size(out, at + (guint)n);
	return out->data + at;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

/* LEN bytes of DATA, then zeros up to the next multiple of 4. */
static inline uint8_t *put_padded(uint8_t *p, const void *data, size_t len)
{
	size_t padded = pad4(len);

	if (len)
		memcpy(p, data, len);
	memset(p + len, 0, padded - len);
	return p + padded;
}

static inline uint8_t *put_opt(uint8_t *p, uint16_t code, const void *val, size_t len)
{
	uint16_t hdr[2] = {code, (uint16_t)len};

	memcpy(p, hdr, sizeof(hdr));
	return put_padded(p + sizeof(hdr), val, len);
}

/* A string option if S is present (LEN from str_len()). */
static inline uint8_t *put_str_opt(uint8_t *p, uint16_t code, const char *s, size_t len)
{
	return s && len ? put_opt(p, code, s, len) : p;
}

/* opt_endofopt when any option was written, then the trailing block length. */
static inline void finish(uint8_t *p, size_t opts, uint32_t total)
{
	if (opts)
		p = put_opt(p, OPT_ENDOFOPT, NULL, 0);
	put32(p, total);
}

void ec_pcapng_shb(GByteArray *out, const char *hardware, const char *os, const char *userappl)
{
	size_t hw = str_len(hardware), osl = str_len(os), ua = str_len(userappl);
	size_t opts = (hw ? opt_size(hw) : 0) + (osl ? opt_size(osl) : 0) + (ua ? opt_size(ua) : 0);
	uint32_t total = (uint32_t)(28 + opts + (opts ? 4 : 0));
	uint16_t version[2] = {1, 0};
	int64_t section_len = -1;
	uint8_t *p = reserve(out, total);

	p = put32(p, BT_SHB);
	p = put32(p, total);
	p = put32(p, BYTE_ORDER_MAGIC);
	memcpy(p, version, sizeof(version));
	p += sizeof(version);
	memcpy(p, &section_len, sizeof(section_len));
	p += sizeof(section_len);
	p = put_str_opt(p, SHB_HARDWARE, hardware, hw);
	p = put_str_opt(p, SHB_OS, os, osl);
	p = put_str_opt(p, SHB_USERAPPL, userappl, ua);
	finish(p, opts, total);
}

void ec_pcapng_idb(GByteArray *out, uint16_t linktype, uint32_t snaplen, const char *name,
                   const char *description)
{
	size_t nl = str_len(name), dl = str_len(description);
	size_t opts = opt_size(1) + (nl ? opt_size(nl) : 0) + (dl ? opt_size(dl) : 0);
	uint32_t total = (uint32_t)(20 + opts + 4);
	uint16_t lt[2] = {linktype, 0};
	uint8_t tsresol = 9; /* 10^-9 s */
	uint8_t *p = reserve(out, total);

	p = put32(p, BT_IDB);
	p = put32(p, total);
	memcpy(p, lt, sizeof(lt));
	p += sizeof(lt);
	p = put32(p, snaplen);
	p = put_opt(p, IF_TSRESOL, &tsresol, 1);
	p = put_str_opt(p, IF_NAME, name, nl);
	p = put_str_opt(p, IF_DESCR, description, dl);
	finish(p, opts, total);
}

void ec_pcapng_epb(GByteArray *out, uint32_t if_id, uint64_t ts_ns, const void *data,
                   uint32_t caplen, uint32_t origlen, enum ec_pcapng_dir dir, const char *comment,
                   uint64_t drops)
{
	size_t cl = str_len(comment);
	size_t opts = (cl ? opt_size(cl) : 0) + (dir != EC_PCAPNG_DIR_UNKNOWN ? opt_size(4) : 0) +
	              (drops ? opt_size(8) : 0);
	uint32_t total, flags = (uint32_t)dir & 3u;
	uint8_t *p;

	if (caplen > MAX_BODY)
		caplen = MAX_BODY;
	if (origlen < caplen)
		origlen = caplen; /* caplen > len is malformed: Wireshark flags the frame */
	total = (uint32_t)(28 + pad4(caplen) + opts + (opts ? 4 : 0) + 4);
	p = reserve(out, total);
	p = put32(p, BT_EPB);
	p = put32(p, total);
	p = put32(p, if_id);
	p = put32(p, (uint32_t)(ts_ns >> 32));
	p = put32(p, (uint32_t)ts_ns);
	p = put32(p, caplen);
	p = put32(p, origlen);
	p = put_padded(p, data, caplen);
	p = put_str_opt(p, OPT_COMMENT, comment, cl);
	if (dir != EC_PCAPNG_DIR_UNKNOWN)
		p = put_opt(p, EPB_FLAGS, &flags, sizeof(flags));
	if (drops)
		p = put_opt(p, EPB_DROPCOUNT, &drops, sizeof(drops));
	finish(p, opts, total);
}

void ec_pcapng_dsb(GByteArray *out, const char *keylog, size_t len)
{
	uint32_t total;
	uint8_t *p;

	if (len > MAX_BODY) {
		g_warning("pcapng: %zu bytes of key log text is too large for one block", len);
		return;
	}
	total = (uint32_t)(16 + pad4(len) + 4);
	p = reserve(out, total);
	p = put32(p, BT_DSB);
	p = put32(p, total);
	p = put32(p, SECRETS_TLS_KEYLOG);
	p = put32(p, (uint32_t)len);
	p = put_padded(p, keylog, len);
	put32(p, total);
}

/* A timestamp option's value: high 32 bits, then low 32 bits (like an EPB's). */
static inline uint8_t *put_ts_opt(uint8_t *p, uint16_t code, uint64_t ts_ns)
{
	uint32_t v[2] = {(uint32_t)(ts_ns >> 32), (uint32_t)ts_ns};

	return put_opt(p, code, v, sizeof(v));
}

void ec_pcapng_isb(GByteArray *out, uint32_t if_id, const struct ec_pcapng_isb_stats *s,
                   const char *comment)
{
	size_t cl = str_len(comment);
	size_t opts = 5 * opt_size(8) + (cl ? opt_size(cl) : 0);
	uint32_t total = (uint32_t)(24 + opts + 4);
	uint8_t *p = reserve(out, total);

	p = put32(p, BT_ISB);
	p = put32(p, total);
	p = put32(p, if_id);
	p = put32(p, (uint32_t)(s->end_ns >> 32));
	p = put32(p, (uint32_t)s->end_ns);
	p = put_str_opt(p, OPT_COMMENT, comment, cl);
	p = put_ts_opt(p, ISB_STARTTIME, s->start_ns);
	p = put_ts_opt(p, ISB_ENDTIME, s->end_ns);
	p = put_opt(p, ISB_IFRECV, &s->ifrecv, 8);
	p = put_opt(p, ISB_IFDROP, &s->ifdrop, 8);
	p = put_opt(p, ISB_OSDROP, &s->osdrop, 8);
	finish(p, opts, total);
}
