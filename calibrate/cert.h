/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The embedded test certificate and EC private key the calibration handshakes use. */
#ifndef CAL_CERT_H
#define CAL_CERT_H

#include <stddef.h>

extern const unsigned char cert_der[];
extern const size_t cert_der_len;
extern const unsigned char key_der[];
extern const size_t key_der_len;

#endif
