// SPDX-License-Identifier: GPL-2.0-or-later
#include "capture_opts.h"

#include <string.h>

void ec_capture_opts_init(struct ec_capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	o->output_fd = -1;
	o->source = EC_SOURCE_TLS;
	o->tls_libs = EC_TLSLIB_ALL;
	o->output_kind = EC_OUT_PCAPNG;
	o->packets = true;
	o->hold_ms = 3000;
	o->hold_max_bytes = 64u << 20;
	o->ringbuf_bytes = 16u << 20;
}

bool ec_capture_wants_plaintext(const struct ec_capture_opts *o)
{
	return o->output_kind == EC_OUT_TEXT || o->records;
}

void ec_capture_opts_clear(struct ec_capture_opts *o)
{
	if (o->pids)
		g_array_unref(o->pids);
	g_strfreev(o->libssl);
	g_strfreev(o->libgnutls);
	g_strfreev(o->libnspr);
	g_strfreev(o->gobin);
	g_strfreev(o->netifs);
	g_free(o->capture_filter);
	g_free(o->output);
	g_free(o->keylog);
	g_free(o->bash_path);
	g_free(o->readline_path);
	g_free(o->zsh_path);
	g_free(o->mysqld_path);
	g_free(o->postgres_path);
	memset(o, 0, sizeof(*o));
	o->output_fd = -1;
}
