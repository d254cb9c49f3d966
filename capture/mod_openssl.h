/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenSSL side of a capture: find the libssl files, measure each one's struct layout, and
 * put uprobes on the calls after which its TLS secrets can be read (bpf/openssl.bpf.c).
 */
#ifndef EC_MOD_OPENSSL_H
#define EC_MOD_OPENSSL_H

#include <glib.h>

#include "bpf_shared.h"
#include "capture_opts.h"

struct ec_openssl;

/*
 * Discover and calibrate the libraries and load the programs. A library the user named that
 * cannot be traced is an error; a discovered one is skipped with a warning. Having no library
 * at all to trace is an error.
 */
struct ec_openssl *ec_openssl_load(struct ec_bpf_shared *shared, const struct ec_capture_opts *o,
                                   GError **err);

/* Put the uprobes on the libraries (only in the filtered processes, with a PID filter). */
int ec_openssl_attach(struct ec_openssl *s, const struct ec_capture_opts *o, GError **err);

/* How many libraries are traced. */
guint ec_openssl_n_libs(const struct ec_openssl *s);

void ec_openssl_destroy(struct ec_openssl *s);

#endif
