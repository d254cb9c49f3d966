// SPDX-License-Identifier: GPL-2.0-or-later
#include "interfaces.h"

#include <string.h>
#include <glib.h>

#include "config_args.h"
#include "interfaces_audit.h"
#include "toolbar.h"
#include "targets/netif.h"

/* The network interfaces, as multicheck values; none checked means "every one that is up". */
static void print_netif_values(FILE *out, int arg)
{
	g_autoptr(GArray) ifs = ec_netif_list(NULL);

	for (guint i = 0; ifs && i < ifs->len; i++) {
		const struct ec_netif *n = &g_array_index(ifs, struct ec_netif, i);

		if (!n->supported)
			continue;
		fprintf(out, "value {arg=%d}{value=%s}{display=%s%s%s}{default=false}\n", arg,
		        n->name, n->name, n->loopback ? " (loopback)" : "", n->up ? "" : " (down)");
	}
}

/* Which TLS libraries to trace (all checked by default), and paths the discovery cannot find. */
static void print_tls_libs_config(FILE *out, int first)
{
	fprintf(out,
	        "arg {number=%d}{call=--tls-libs}{display=TLS libraries}{type=multicheck}"
	        "{tooltip=The TLS libraries to trace, wherever they are found; none checked: "
	        "all}{group=Libraries}\n"
	        "value {arg=%d}{value=openssl}{display=OpenSSL}{default=true}\n"
	        "value {arg=%d}{value=gnutls}{display=GnuTLS}{default=true}\n"
	        "value {arg=%d}{value=nss}{display=NSS (NSPR)}{default=true}\n"
	        "value {arg=%d}{value=go}{display=Go crypto/tls}{default=true}\n",
	        first, first, first, first, first);
	fprintf(out,
	        "arg {number=%d}{call=--libgnutls}{display=Extra GnuTLS library}"
	        "{type=fileselect}{mustexist=true}{tooltip=A libgnutls.so to trace besides the "
	        "system's and those of running processes}{group=Libraries}\n"
	        "arg {number=%d}{call=--libnspr}{display=Extra NSPR library}{type=fileselect}"
	        "{mustexist=true}{tooltip=A libnspr4.so (NSS programs) to trace besides the "
	        "system's and those of running processes}{group=Libraries}\n"
	        "arg {number=%d}{call=--gobin}{display=Go program}{type=fileselect}"
	        "{mustexist=true}{tooltip=A Go executable to trace, also when it starts after the "
	        "capture (running Go programs are found by themselves)}{group=Libraries}\n",
	        first + 1, first + 2, first + 3);
}

static void print_tls_config(FILE *out)
{
	ec_print_filter_args(out);
	fprintf(out,
	        "arg {number=2}{call=--libssl}{display=Extra OpenSSL library}{type=fileselect}"
	        "{mustexist=true}{tooltip=A libssl.so to trace besides the system's and those "
	        "of running processes}{group=Libraries}\n"
	        "arg {number=3}{call=--netif}{display=Network interfaces}{type=multicheck}"
	        "{tooltip=Where to capture the packets; none checked: every interface that is up}"
	        "{group=Capture}\n");
	print_netif_values(out, 3);
	fprintf(out,
	        "arg {number=4}{call=--hold-ms}{display=Key wait (ms)}{type=unsigned}"
	        "{range=100,60000}{default=3000}"
	        "{tooltip=How long a new connection's packets wait for its keys before they are "
	        "written undecrypted or dropped}{group=Capture}\n");
	fprintf(out,
	        "arg {number=5}{call=--mode}{display=Capture}{type=selector}"
	        "{tooltip=Packets with their keys (Wireshark decrypts them), records of the "
	        "plaintext the processes read and wrote (shown by the eCapture plugin), both, or "
	        "only the keys (no packets: save them with File > Export TLS Session Keys)}"
	        "{group=Capture}\n"
	        "value {arg=5}{value=packets}{display=Packets and keys}{default=true}\n"
	        "value {arg=5}{value=plaintext}{display=Plaintext records}{default=false}\n"
	        "value {arg=5}{value=both}{display=Both}{default=false}\n"
	        "value {arg=5}{value=keys}{display=Keys only}{default=false}\n");
	ec_print_log_args(out, 6);
	print_tls_libs_config(out, 8);
	fprintf(out,
	        "arg {number=12}{call=--unclaimed}{display=Keep connections without keys}"
	        "{type=boolflag}{default=false}{tooltip=Also write the TLS connections no "
	        "traced library gave keys for, undecrypted, their first packets commented with "
	        "why (they are always counted and named in the log)}{group=Capture}\n");
	fprintf(out,
	        "arg {number=20}{call=--text-group}{display=Text output grouping}{type=selector}"
	        "{tooltip=For ecapturedump's text output (no -w): records as they come, or the "
	        "records of each connection together, when it ends or at the end of the capture "
	        "(at most 256 KiB of a connection held). Wireshark's pcapng is not affected}"
	        "{group=Text output}\n"
	        "value {arg=20}{value=none}{display=As they come}{default=true}\n"
	        "value {arg=20}{value=connection}{display=Per connection}{default=false}\n");
}

static const struct ec_extcap_iface ifaces[] = {
    {
        .source = EC_SOURCE_TLS,
        .name = "ecapture-tls",
        .display = "eCapture TLS",
        .dlt = 1,
        .dlt_name = "EN10MB",
        .dlt_display = "Ethernet, with TLS keys",
        .print_config = print_tls_config,
    },
    {
        .source = EC_SOURCE_BASH,
        .name = "ecapture-bash",
        .display = "eCapture bash commands",
        .dlt = EC_AUDIT_DLT,
        .dlt_name = EC_AUDIT_DLT_NAME,
        .dlt_display = "bash command lines (eCapture records)",
        .print_config = ec_print_bash_config,
    },
    {
        .source = EC_SOURCE_ZSH,
        .name = "ecapture-zsh",
        .display = "eCapture zsh commands",
        .dlt = EC_AUDIT_DLT,
        .dlt_name = EC_AUDIT_DLT_NAME,
        .dlt_display = "zsh command lines (eCapture records)",
        .print_config = ec_print_zsh_config,
    },
    {
        .source = EC_SOURCE_MYSQLD,
        .name = "ecapture-mysqld",
        .display = "eCapture MySQL/MariaDB queries",
        .dlt = EC_AUDIT_DLT,
        .dlt_name = EC_AUDIT_DLT_NAME,
        .dlt_display = "MySQL/MariaDB queries (eCapture records)",
        .print_config = ec_print_mysqld_config,
    },
    {
        .source = EC_SOURCE_POSTGRES,
        .name = "ecapture-postgres",
        .display = "eCapture PostgreSQL queries",
        .dlt = EC_AUDIT_DLT,
        .dlt_name = EC_AUDIT_DLT_NAME,
        .dlt_display = "PostgreSQL queries (eCapture records)",
        .print_config = ec_print_postgres_config,
    },
};

const struct ec_extcap_iface *ec_extcap_iface_find(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(ifaces); i++)
		if (strcmp(ifaces[i].name, name) == 0)
			return &ifaces[i];
	return NULL;
}

void ec_extcap_print_interfaces(FILE *out)
{
	/* DISPLAY names the interface toolbar (View > Interface Toolbars). */
	fprintf(out, "extcap {version=%s}{display=eCapture}{help=%s}\n", ECAPTURE_VERSION,
	        ECAPTURE_DOC_URL);
	for (size_t i = 0; i < G_N_ELEMENTS(ifaces); i++)
		fprintf(out, "interface {value=%s}{display=%s}\n", ifaces[i].name,
		        ifaces[i].display);
	ec_toolbar_print_controls(out);
}

void ec_extcap_print_dlts(FILE *out, const struct ec_extcap_iface *iface)
{
	fprintf(out, "dlt {number=%u}{name=%s}{display=%s}\n", iface->dlt, iface->dlt_name,
	        iface->dlt_display);
}

void ec_extcap_print_config(FILE *out, const struct ec_extcap_iface *iface)
{
	iface->print_config(out);
}
