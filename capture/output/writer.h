/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a capture writes, whatever the format. The engine's handlers call these and never ask
 * which format it is: pcapng_writer.c writes pcapng (interfaces, packets, Decryption Secrets
 * Blocks, records), text_writer.c writes records as text for a terminal, null_writer.c (keys
 * only) writes nothing. Everything is formatted into the output's buffer and goes out with
 * ec_writer_flush(): one write() per batch of events.
 */
#ifndef EC_WRITER_H
#define EC_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "capture_opts.h"
#include "output/output.h"
#include "output/record_writer.h"

/* A shell command or a database query, besides what ec_record_meta says. */
struct ec_audit_text {
	int32_t status;      /* exit status or result; EC_STATUS_UNKNOWN when not known */
	uint8_t subtype;     /* enum ec_record_sql_kind for SQL, 0 for shells */
	uint32_t real_len;   /* the text's real length as the probe saw it (before unmetafying) */
	const uint8_t *text; /* as the program meant it (zsh's metafied bytes turned back) */
	size_t len;
};

/* What became of an interface's packets or records over the capture, written at its end. */
struct ec_if_stats {
	bool records;        /* the records' interface (IF_ID is then unused) */
	uint32_t if_id;      /* as add_interface returned it */
	uint64_t start_ns;   /* the capture started (wall clock) */
	uint64_t end_ns;     /* it ended */
	uint64_t recv;       /* packets (records) the probes took */
	uint64_t drop;       /* of those, lost anywhere before the output */
	uint64_t os_drop;    /* of those, lost in the kernel */
	const char *comment; /* every kind of loss, named; may be NULL */
};

struct ec_writer;

/* Every operation may be NULL: that writer has nothing to say about it. */
struct ec_writer_ops {
	/* The start of the stream: written before anything else, even if the setup then fails. */
	void (*header)(struct ec_writer *w);
	/* Declare a network interface; returns the id its packets are written with. */
	uint32_t (*add_interface)(struct ec_writer *w, uint16_t linktype, uint32_t snaplen,
	                          const char *name, const char *desc);
	/* Declare the interface of the records; records are dropped until it is declared. */
	void (*add_records_interface)(struct ec_writer *w, const char *name, const char *desc);
	/*
	 * A packet at TS_NS (wall clock), with its process in COMMENT (may be NULL); DROPS packets
	 * of its interface were lost since the one written before it (0: none).
	 */
	void (*packet)(struct ec_writer *w, uint32_t if_id, uint64_t ts_ns, const uint8_t *data,
	               uint32_t caplen, uint32_t len, bool inbound, const char *comment,
	               uint64_t drops);
	/* Key log lines, written before any packet of their sessions. */
	void (*secrets)(struct ec_writer *w, const char *keylog, size_t len);
	/*
	 * LEN bytes of TLS plaintext at TS_NS (wall clock), described by M; DROPS records (of any
	 * kind) were lost since the one written before it (0: none).
	 */
	void (*tls_data)(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
	                 const uint8_t *data, uint32_t len, uint64_t drops);
	/* A shell command or database query at TS_NS (wall clock); DROPS as for tls_data. */
	void (*audit)(struct ec_writer *w, uint64_t ts_ns, const struct ec_record_meta *m,
	              const struct ec_audit_text *a, uint64_t drops);
	/*
	 * An interface's statistics, once, at the end of the capture: Wireshark shows an
	 * interface's drops only when it has exactly one statistics block.
	 */
	void (*stats)(struct ec_writer *w, const struct ec_if_stats *s);
	/* The capture ends: write out what is held (before the last flush). */
	void (*end)(struct ec_writer *w);
	/* Free what the implementation added to struct ec_writer (not the output). */
	void (*free)(struct ec_writer *w);
};

/* Implementations start with this. */
struct ec_writer {
	const struct ec_writer_ops *ops;
	struct ec_output out;
};

struct ec_writer *ec_pcapng_writer_new(void);
/* GROUP: the records of a connection are written together (text_conns.h). */
struct ec_writer *ec_text_writer_new(bool group);
struct ec_writer *ec_null_writer_new(void);

/* The writer O asks for (its output_kind), not yet on any output. */
struct ec_writer *ec_writer_new(const struct ec_capture_opts *o);

/* Point W at PATH ("-": stdout; a FIFO; a file, truncated), or at FD (not closed by us). */
int ec_writer_open(struct ec_writer *w, const char *path, GError **err);
void ec_writer_use_fd(struct ec_writer *w, int fd);

/* Write out what is formatted. 0, or -errno (-EPIPE: the reader closed its end). */
int ec_writer_flush(struct ec_writer *w);

/*
 * The capture has started: a regular output file is truncated and written from now on (until
 * then its old content stays; see ec_output_open). 0, or -1 with ERR set.
 */
int ec_writer_commit(struct ec_writer *w, GError **err);

/* Close the output (unless it was given as an fd) and free W; NULL is fine. */
void ec_writer_free(struct ec_writer *w);

/*
 * The shortest valid pcapng stream, a section header and nothing else, written to FD: a reader
 * waiting for our stream gets one even when the capture could not start. -1 with ERR set.
 */
int ec_writer_empty_pcapng(int fd, GError **err);

static inline void ec_writer_header(struct ec_writer *w)
{
	if (w->ops->header)
		w->ops->header(w);
}

static inline uint32_t ec_writer_add_interface(struct ec_writer *w, uint16_t linktype,
                                               uint32_t snaplen, const char *name, const char *desc)
{
	return w->ops->add_interface ? w->ops->add_interface(w, linktype, snaplen, name, desc) : 0;
}

static inline void ec_writer_add_records_interface(struct ec_writer *w, const char *name,
                                                   const char *desc)
{
	if (w->ops->add_records_interface)
		w->ops->add_records_interface(w, name, desc);
}

static inline void ec_writer_packet(struct ec_writer *w, uint32_t if_id, uint64_t ts_ns,
                                    const uint8_t *data, uint32_t caplen, uint32_t len,
                                    bool inbound, const char *comment, uint64_t drops)
{
	if (w->ops->packet)
		w->ops->packet(w, if_id, ts_ns, data, caplen, len, inbound, comment, drops);
}

static inline void ec_writer_secrets(struct ec_writer *w, const char *keylog, size_t len)
{
	if (w->ops->secrets)
		w->ops->secrets(w, keylog, len);
}

static inline void ec_writer_tls_data(struct ec_writer *w, uint64_t ts_ns,
                                      const struct ec_record_meta *m, const uint8_t *data,
                                      uint32_t len, uint64_t drops)
{
	if (w->ops->tls_data)
		w->ops->tls_data(w, ts_ns, m, data, len, drops);
}

static inline void ec_writer_audit(struct ec_writer *w, uint64_t ts_ns,
                                   const struct ec_record_meta *m, const struct ec_audit_text *a,
                                   uint64_t drops)
{
	if (w->ops->audit)
		w->ops->audit(w, ts_ns, m, a, drops);
}

static inline void ec_writer_stats(struct ec_writer *w, const struct ec_if_stats *s)
{
	if (w->ops->stats)
		w->ops->stats(w, s);
}

static inline void ec_writer_end(struct ec_writer *w)
{
	if (w->ops->end)
		w->ops->end(w);
}

#endif
