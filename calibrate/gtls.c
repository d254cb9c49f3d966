// SPDX-License-Identifier: GPL-2.0-or-later
#include "gtls.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cert.h"
#include "report.h"

/* Public constants of gnutls/gnutls.h. */
#define GNUTLS_SERVER          1
#define GNUTLS_CLIENT          (1 << 1)
#define GNUTLS_CRD_CERTIFICATE 1
#define GNUTLS_X509_FMT_DER    0
#define GNUTLS_E_AGAIN         (-28)
#define GNUTLS_E_INTERRUPTED   (-52)
#define GNUTLS_DIG_SHA256      6
#define GNUTLS_DIG_SHA384      7
#define GNUTLS_TLS1_2          4

#define MAX_ROUNDS             64

/* The run whose key log lines are being recorded (the helper is single-threaded). */
static struct gtls_run *current;

#define BIND(fn)                                                                                   \
	do {                                                                                       \
		*(void **)&t->fn = dlsym(handle, #fn);                                             \
		if (!t->fn) {                                                                      \
			report_fail("the library has no %s", #fn);                                 \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

int gtls_bind(struct gtls *t, void *handle)
{
	gtls_datum cert = {(unsigned char *)cert_der, (unsigned int)cert_der_len};
	gtls_datum key = {(unsigned char *)key_der, (unsigned int)key_der_len};
	int rc;

	memset(t, 0, sizeof(*t));
	BIND(gnutls_check_version);
	/* early: its absence (GnuTLS < 3.6.13) is the one common, explainable failure */
	BIND(gnutls_session_set_keylog_function);
	BIND(gnutls_global_init);
	BIND(gnutls_certificate_allocate_credentials);
	BIND(gnutls_certificate_set_x509_key_mem);
	BIND(gnutls_certificate_free_credentials);
	BIND(gnutls_init);
	BIND(gnutls_deinit);
	BIND(gnutls_priority_set_direct);
	BIND(gnutls_credentials_set);
	BIND(gnutls_transport_set_int2);
	BIND(gnutls_handshake);
	BIND(gnutls_session_get_random);
	BIND(gnutls_protocol_get_version);
	BIND(gnutls_prf_hash_get);
	BIND(gnutls_record_send);
	BIND(gnutls_record_recv);
	BIND(gnutls_strerror);
	if ((rc = t->gnutls_global_init()) < 0 ||
	    (rc = t->gnutls_certificate_allocate_credentials(&t->cred)) < 0 ||
	    (rc = t->gnutls_certificate_set_x509_key_mem(t->cred, &cert, &key,
	                                                 GNUTLS_X509_FMT_DER)) < 0) {
		report_fail("GnuTLS setup failed: %s", t->gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

/* The library's key log function: "LABEL" and the secret (the client random is the run's). */
static int keylog_cb(void *session, const char *label, const gtls_datum *secret)
{
	for (int s = 0; current && s < GTLS_SIDES; s++) {
		struct gtls_line *l;

		if (current->session[s] != session || current->nlines[s] >= GTLS_MAX_LINES)
			continue;
		l = &current->lines[s][current->nlines[s]];
		if (strlen(label) >= sizeof(l->label) || secret->size > sizeof(l->secret))
			return 0;
		strcpy(l->label, label);
		memcpy(l->secret, secret->data, secret->size);
		l->len = secret->size;
		current->nlines[s]++;
	}
	return 0;
}

static bool again(int rc)
{
	return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

static int make_session(const struct gtls *t, struct gtls_run *r, int side, int fd)
{
	const char *where = NULL;
	int rc =
	    t->gnutls_init(&r->session[side], side == GTLS_CLIENT ? GNUTLS_CLIENT : GNUTLS_SERVER);

	if (rc < 0 ||
	    (rc = t->gnutls_priority_set_direct(r->session[side], r->priority, &where)) < 0 ||
	    (rc = t->gnutls_credentials_set(r->session[side], GNUTLS_CRD_CERTIFICATE, t->cred)) <
	        0) {
		report_fail("GnuTLS session (%s): %s", r->priority, t->gnutls_strerror(rc));
		return -1;
	}
	t->gnutls_transport_set_int2(r->session[side], fd, fd);
	t->gnutls_session_set_keylog_function(r->session[side], keylog_cb);
	return 0;
}

/* Handshake both ends. */
static int handshake(const struct gtls *t, struct gtls_run *r)
{
	bool done[GTLS_SIDES] = {false, false};

	for (int round = 0; round < MAX_ROUNDS && !(done[0] && done[1]); round++) {
		for (int s = 0; s < GTLS_SIDES; s++) {
			int rc;

			if (done[s])
				continue;
			rc = t->gnutls_handshake(r->session[s]);
			if (rc == 0)
				done[s] = true;
			else if (!again(rc)) {
				report_fail("GnuTLS handshake (%s): %s", r->priority,
				            t->gnutls_strerror(rc));
				return -1;
			}
		}
	}
	if (!(done[0] && done[1])) {
		report_fail("GnuTLS handshake (%s) did not finish", r->priority);
		return -1;
	}
	return 0;
}

/* Data each way (a TLS 1.3 client reads the session tickets with it). */
int gtls_exchange(const struct gtls *t, struct gtls_run *r)
{
	int got[GTLS_SIDES] = {0, 0};
	char buf[64];

	current = r;
	for (int s = 0; s < GTLS_SIDES; s++) {
		if (t->gnutls_record_send(r->session[s], "calibrate", 9) != 9) {
			report_fail("GnuTLS record_send failed");
			current = NULL;
			return -1;
		}
	}
	for (int round = 0; round < MAX_ROUNDS && !(got[0] && got[1]); round++) {
		for (int s = 0; s < GTLS_SIDES; s++) {
			ssize_t n;

			if (got[s])
				continue;
			n = t->gnutls_record_recv(r->session[s], buf, sizeof(buf));
			if (n > 0)
				got[s] = 1;
			else if (n == 0 || !again((int)n)) {
				report_fail("GnuTLS record_recv failed: %s",
				            t->gnutls_strerror((int)n));
				current = NULL;
				return -1;
			}
		}
	}
	current = NULL;
	if (!(got[0] && got[1])) {
		report_fail("GnuTLS data did not arrive");
		return -1;
	}
	return 0;
}

int gtls_run(const struct gtls *t, const char *priority, struct gtls_run *r)
{
	gtls_datum cr = {0}, sr = {0};
	int rc = -1;
	int hash;

	memset(r, 0, sizeof(*r));
	r->priority = priority;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r->fd) < 0) {
		report_fail("socketpair: %s", strerror(errno));
		r->fd[0] = r->fd[1] = -1;
		return -1;
	}
	current = r;
	if (make_session(t, r, GTLS_CLIENT, r->fd[0]) ||
	    make_session(t, r, GTLS_SERVER, r->fd[1]) || handshake(t, r))
		goto out;
	r->protocol = t->gnutls_protocol_get_version(r->session[GTLS_CLIENT]);
	hash = t->gnutls_prf_hash_get(r->session[GTLS_CLIENT]);
	r->hash_size = hash == GNUTLS_DIG_SHA256 ? 32 : hash == GNUTLS_DIG_SHA384 ? 48 : 0;
	t->gnutls_session_get_random(r->session[GTLS_CLIENT], &cr, &sr);
	/* hash_size 0: TLS < 1.2 (MD5+SHA-1 PRF), which has no single hash */
	if (cr.size != sizeof(r->client_random) ||
	    (!r->hash_size && r->protocol >= GNUTLS_TLS1_2)) {
		report_fail("GnuTLS (%s): unexpected client random or PRF hash", priority);
		goto out;
	}
	memcpy(r->client_random, cr.data, cr.size);
	rc = 0;
out:
	current = NULL;
	return rc;
}

void gtls_run_free(const struct gtls *t, struct gtls_run *r)
{
	for (int s = 0; s < GTLS_SIDES; s++) {
		if (r->session[s])
			t->gnutls_deinit(r->session[s]);
		if (r->fd[s] > 0)
			close(r->fd[s]);
	}
	memset(r, 0, sizeof(*r));
}

const struct gtls_line *gtls_line(const struct gtls_run *r, int side, const char *label)
{
	for (int i = 0; i < r->nlines[side]; i++)
		if (!strcmp(r->lines[side][i].label, label))
			return &r->lines[side][i];
	return NULL;
}
