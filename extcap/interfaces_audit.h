/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --extcap-config of the audit interfaces (ecapture-bash, -zsh, -mysqld, -postgres). */
#ifndef EC_INTERFACES_AUDIT_H
#define EC_INTERFACES_AUDIT_H

#include <stdio.h>

/* The link type of their records: LINKTYPE_WIRESHARK_UPPER_PDU. */
#define EC_AUDIT_DLT      252
#define EC_AUDIT_DLT_NAME "WIRESHARK_UPPER_PDU"

void ec_print_bash_config(FILE *out);
void ec_print_zsh_config(FILE *out);
void ec_print_mysqld_config(FILE *out);
void ec_print_postgres_config(FILE *out);

#endif
