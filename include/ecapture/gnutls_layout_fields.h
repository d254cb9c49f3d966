/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fields of struct ec_gnutls_layout in declaration order, as an X-macro X(name, required):
 * the helper prints "name=offset" lines, the engine parses them back (capture/gnutls_layout.c).
 */
#ifndef EC_GTLS_FIELDS_H
#define EC_GTLS_FIELDS_H

#define EC_GNUTLS_LAYOUT_FIELDS(X)                                                                 \
	X(client_random, 1)                                                                        \
	X(master_secret, 1)                                                                        \
	X(version_ptr, 1)                                                                          \
	X(version_id, 1)                                                                           \
	X(hash_ptr, 1)                                                                             \
	X(hash_size, 1)                                                                            \
	X(hs_ckey, 1)                                                                              \
	X(hs_skey, 1)                                                                              \
	X(ap_ckey, 1)                                                                              \
	X(ap_skey, 1)                                                                              \
	X(ap_expkey, 0)

#endif
