/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link-layer header types (the tcpdump.org LINKTYPE_* registry) this project writes.
 * Interface discovery picks one per network interface, the capture filter compiles
 * against it and the pcapng writer records it; none of them owns the numbers.
 */
#ifndef EC_LINKTYPE_H
#define EC_LINKTYPE_H

#define EC_LINKTYPE_ETHERNET            1
#define EC_LINKTYPE_RAW                 101 /* raw IPv4/IPv6, no link header */
#define EC_LINKTYPE_WIRESHARK_UPPER_PDU 252 /* exported PDUs: decrypted data, audit records */

#endif
