// SPDX-License-Identifier: GPL-2.0-or-later
/* The registry of capture modules: one line per module. */
#include "modules/module.h"

extern const struct ec_module_ops ec_mod_tls_conn;
extern const struct ec_module_ops ec_mod_openssl;
extern const struct ec_module_ops ec_mod_bash;
extern const struct ec_module_ops ec_mod_zsh;
extern const struct ec_module_ops ec_mod_mysqld;
extern const struct ec_module_ops ec_mod_postgres;
extern const struct ec_module_ops ec_mod_go;
extern const struct ec_module_ops ec_mod_gnutls;
extern const struct ec_module_ops ec_mod_nss;

const struct ec_module_ops *const ec_modules[] = {
    &ec_mod_tls_conn, /* first: the TLS modules' probes report sockets through it */
    &ec_mod_openssl,
    &ec_mod_go,
    &ec_mod_gnutls,
    &ec_mod_nss,
    &ec_mod_bash,
    &ec_mod_zsh,
    &ec_mod_mysqld,
    &ec_mod_postgres,
    NULL,
};
