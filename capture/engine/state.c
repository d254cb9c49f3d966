// SPDX-License-Identifier: GPL-2.0-or-later
/* The handlers' state: what they read and write besides BPF, made and freed in one place. */
#include <time.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine/flows.h"
#include "probes/process_hold.h"
#include "engine/owners.h"
#include "keys/keylog_file.h"
#include "keys/keystore.h"
#include "output/pkt_filter.h"
#include "output/writer.h"

#define KEYSTORE_MAX 65536
#define OWNERS_MAX   65536
#define CMDLINES_MAX (16u << 20) /* bytes of command lines, each at most EC_CMDLINE_MAX */

/* Offset from the BPF clock (CLOCK_MONOTONIC) to the wall clock the output wants. */
static int64_t mono_to_realtime(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + ((int64_t)r.tv_nsec - m.tv_nsec);
}

void ec_engine_init(struct engine *e, const struct ec_capture_opts *opts, struct ec_writer *out,
                    const struct ec_engine_maps *maps)
{
	e->opts = opts;
	e->out = out;
	e->maps = *maps;
	e->ifs = g_array_new(FALSE, TRUE, sizeof(struct out_if));
	e->flows = ec_flows_new();
	e->keys = ec_keystore_new(KEYSTORE_MAX);
	e->owners = ec_owners_new(OWNERS_MAX, CMDLINES_MAX);
	e->holds = ec_holds_new(EC_HOLD_MAX_MS);
	/*
	 * A user's capture (the privileged copy, run by a member of the group) holds that user's
	 * processes only: stopping it, or letting its output stall, can then freeze no one else's.
	 */
	if (getuid() != 0)
		ec_holds_only_user(e->holds, getuid(), getgid());
	e->scratch = g_string_new(NULL);
	e->filter_pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	e->procs_seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	e->text = g_byte_array_new();
	e->hold_ns = (uint64_t)opts->hold_ms * 1000000ull;
	e->filter_gen = 1;
	e->sock_diag_fd = -1;
	e->mono_to_real = mono_to_realtime();
}

void ec_engine_fini(struct engine *e)
{
	ec_keylog_file_close(e->keylog);
	e->keylog = NULL;
	for (guint i = 0; e->ifs && i < e->ifs->len; i++)
		ec_pkt_filter_free(g_array_index(e->ifs, struct out_if, i).filter);
	if (e->ifs)
		g_array_unref(e->ifs);
	ec_flows_free(e->flows);
	ec_keystore_free(e->keys);
	ec_owners_free(e->owners);
	ec_holds_free(e->holds);
	e->holds = NULL;
	if (e->scratch)
		g_string_free(e->scratch, TRUE);
	if (e->holds_waiting_who)
		g_string_free(e->holds_waiting_who, TRUE);
	if (e->filter_pids)
		g_array_unref(e->filter_pids);
	if (e->procs_seen)
		g_hash_table_unref(e->procs_seen);
	e->filter_pids = NULL;
	e->procs_seen = NULL;
	if (e->text)
		g_byte_array_unref(e->text);
	ec_writer_free(e->out);
	if (e->sock_diag_fd >= 0)
		close(e->sock_diag_fd);
	if (e->kept_out)
		g_hash_table_unref(e->kept_out);
	if (e->kept_out_order)
		g_queue_free(e->kept_out_order);
	e->kept_out = NULL;
	e->kept_out_order = NULL;
	e->sock_diag_fd = -1;
	e->ifs = NULL;
	e->flows = NULL;
	e->keys = NULL;
	e->owners = NULL;
	e->scratch = NULL;
	e->text = NULL;
	e->out = NULL;
}
