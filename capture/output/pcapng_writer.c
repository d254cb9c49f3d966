// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pcapng stream: a section header, one IDB per network interface and one for the records
 * (link type 252), packets as EPBs, keys as DSBs, records as EPBs on the records' interface.
 */
#include "output/writer.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/utsname.h>
#include <linux/types.h>

#include "ecapture/events.h"
#include "ecapture/record.h"
#include "output/pcapng.h"

/* Room for the exported-PDU tags and the record header besides the captured bytes. */
#define RECORDS_SNAPLEN (EC_SNAPLEN + 4096)

struct pcapng_writer {
	struct ec_writer w;
	uint32_t n_ifs;
	bool have_records_if;
	uint32_t records_if;
	GByteArray *record; /* one record being built: reused, never freed per event */
	GByteArray *audit;  /* an audit record's data (header and text) being built */
};

static struct pcapng_writer *pw(struct ec_writer *w)
{
	return (struct pcapng_writer *)w;
}

static void header(struct ec_writer *w)
{
	struct utsname u;
	g_autofree char *os = NULL;
	bool have_uname = uname(&u) == 0;

	if (have_uname)
		os = g_strdup_printf("%s %s", u.sysname, u.release);
	ec_pcapng_shb(w->out.buf, have_uname ? u.machine : NULL, os,
	              "ecapturedump " ECAPTURE_VERSION);
}

static uint32_t add_interface(struct ec_writer *w, uint16_t linktype, uint32_t snaplen,
                              const char *name, const char *desc)
{
	ec_pcapng_idb(w->out.buf, linktype, snaplen, name, desc);
	return pw(w)->n_ifs++;
}

static void add_records_interface(struct ec_writer *w, const char *name, const char *desc)
{
	pw(w)->records_if =
	    add_interface(w, EC_LINKTYPE_WIRESHARK_UPPER_PDU, RECORDS_SNAPLEN, name, desc);
	pw(w)->have_records_if = true;
}

static void packet(struct ec_writer *w, uint32_t if_id, uint64_t ts_ns, const uint8_t *data,
                   uint32_t caplen, uint32_t len, bool inbound, const char *comment, uint64_t drops)
{
	ec_pcapng_epb(w->out.buf, if_id, ts_ns, data, caplen, len,
	              inbound ? EC_PCAPNG_DIR_INBOUND : EC_PCAPNG_DIR_OUTBOUND, comment, drops);
}

static void secrets(struct ec_writer *w, const char *keylog, size_t len)
{
	ec_pcapng_dsb(w->out.buf, keylog, len);
}

/* Interface Statistics Block: isb_ifdrop counts every loss (Wireshark shows it as dropped). */
static void stats(struct ec_writer *w, const struct ec_if_stats *s)
{
	struct ec_pcapng_isb_stats isb = {
	    .start_ns = s->start_ns,
	    .end_ns = s->end_ns,
	    .ifrecv = s->recv,
	    .ifdrop = s->drop,
	    .osdrop = s->os_drop,
	};

	if (s->records && !pw(w)->have_records_if)
		return;
	ec_pcapng_isb(w->out.buf, s->records ? pw(w)->records_if : s->if_id, &isb, s->comment);
}

/* One record (ecapture/record.h) as an EPB on the records' interface. */
static void put_record(struct pcapng_writer *p, uint64_t ts_ns, const struct ec_record_meta *m,
                       const void *data, size_t len, uint64_t drops)
{
	if (!p->have_records_if)
		return;
	g_byte_array_set_size(p->record, 0);
	ec_record_append(p->record, m, data, len);
	ec_pcapng_epb(
	    p->w.out.buf, p->records_if, ts_ns, p->record->data, p->record->len, p->record->len,
	    m->direction == EC_RECORD_DIR_SENT ? EC_PCAPNG_DIR_OUTBOUND : EC_PCAPNG_DIR_INBOUND,
	    NULL, drops);
}

static void tls_data(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
                     const uint8_t *data, uint32_t len, uint64_t drops)
{
	put_record(pw(w), ts_ns, m, data, len, drops);
}

/* The audit header (ecapture/record.h section 3), then the text: one block of record data. */
static void audit(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
                  const struct ec_audit_text *a, uint64_t drops)
{
	struct pcapng_writer *p = pw(w);
	uint8_t hdr[EC_RECORD_AUDIT_HDR_LEN] = {0};
	uint32_t status_be = htonl((uint32_t)a->status);

	memcpy(hdr, &status_be, sizeof(status_be));
	hdr[4] = a->subtype;
	g_byte_array_set_size(p->audit, 0);
	g_byte_array_append(p->audit, hdr, sizeof(hdr));
	g_byte_array_append(p->audit, a->text, (guint)a->len);
	put_record(p, ts_ns, m, p->audit->data, p->audit->len, drops);
}

static void free_writer(struct ec_writer *w)
{
	g_byte_array_unref(pw(w)->record);
	g_byte_array_unref(pw(w)->audit);
}

static const struct ec_writer_ops pcapng_ops = {
    .header = header,
    .add_interface = add_interface,
    .add_records_interface = add_records_interface,
    .packet = packet,
    .secrets = secrets,
    .tls_data = tls_data,
    .audit = audit,
    .stats = stats,
    .free = free_writer,
};

struct ec_writer *ec_pcapng_writer_new(void)
{
	struct pcapng_writer *p = g_new0(struct pcapng_writer, 1);

	p->w.ops = &pcapng_ops;
	p->w.out.fd = -1;
	p->record = g_byte_array_new();
	p->audit = g_byte_array_new();
	return &p->w;
}
