/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GnuTLS, loaded into the helper: the few API functions the calibration needs (bound with dlsym,
 * the public ABI of gnutls.h), and one handshake of the library with itself over a non-blocking
 * socketpair, with the secrets its key log function reports.
 */
#ifndef CAL_GTLS_H
#define CAL_GTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GTLS_MAX_LINES 16

typedef struct {
	unsigned char *data;
	unsigned int size;
} gtls_datum;

struct gtls {
	const char *(*gnutls_check_version)(const char *);
	int (*gnutls_global_init)(void);
	int (*gnutls_certificate_allocate_credentials)(void **);
	int (*gnutls_certificate_set_x509_key_mem)(void *, const gtls_datum *, const gtls_datum *,
	                                           int);
	void (*gnutls_certificate_free_credentials)(void *);
	int (*gnutls_init)(void **, unsigned int);
	void (*gnutls_deinit)(void *);
	int (*gnutls_priority_set_direct)(void *, const char *, const char **);
	int (*gnutls_credentials_set)(void *, int, void *);
	void (*gnutls_transport_set_int2)(void *, int, int);
	int (*gnutls_handshake)(void *);
	void (*gnutls_session_set_keylog_function)(void *, int (*)(void *, const char *,
	                                                           const gtls_datum *));
	void (*gnutls_session_get_random)(void *, gtls_datum *, gtls_datum *);
	int (*gnutls_protocol_get_version)(void *);
	int (*gnutls_prf_hash_get)(void *);
	ssize_t (*gnutls_record_send)(void *, const void *, size_t);
	ssize_t (*gnutls_record_recv)(void *, void *, size_t);
	const char *(*gnutls_strerror)(int);
	void *cred;
};

struct gtls_line {
	char label[40];
	uint8_t secret[64];
	size_t len;
};

enum { GTLS_CLIENT, GTLS_SERVER, GTLS_SIDES };

struct gtls_run {
	const char *priority;
	int protocol;  /* negotiated, gnutls_protocol_t */
	int hash_size; /* of the PRF hash */
	void *session[GTLS_SIDES];
	int fd[GTLS_SIDES];
	uint8_t client_random[32];
	struct gtls_line lines[GTLS_SIDES][GTLS_MAX_LINES];
	int nlines[GTLS_SIDES];
};

/* Binds the API in HANDLE and sets up the credentials. 0, or -1 after report_fail(). */
int gtls_bind(struct gtls *t, void *handle);

/*
 * Handshakes a client and a server with PRIORITY over a socketpair (kept in R until
 * gtls_run_free). 0, or -1 after report_fail().
 */
int gtls_run(const struct gtls *t, const char *priority, struct gtls_run *r);

/* After gtls_run: a little application data each way. 0, or -1 after report_fail(). */
int gtls_exchange(const struct gtls *t, struct gtls_run *r);
void gtls_run_free(const struct gtls *t, struct gtls_run *r);

/* The secret of LABEL on SIDE, or NULL. */
const struct gtls_line *gtls_line(const struct gtls_run *r, int side, const char *label);

#endif
