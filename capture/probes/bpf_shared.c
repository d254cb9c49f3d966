// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/bpf_shared.h"

#include "ec_error.h"
#include "user_rights.h"

#include <errno.h>
#include <unistd.h>

static const char *const map_names[EC_MAP_COUNT] = {
    [EC_MAP_EVENTS] = "ec_events",   [EC_MAP_FLOWS] = "ec_flows",
    [EC_MAP_CONFIG] = "ec_config",   [EC_MAP_FILTER_PIDS] = "ec_filter_pids",
    [EC_MAP_STATS] = "ec_stats",     [EC_MAP_TLS_CALLS] = "ec_tls_calls",
    [EC_MAP_TLS_FDS] = "ec_tls_fds",
};

/*
 * ECAPTURE_TEST_RINGBUF_KIB=N (a power of two, at least a page) shrinks the ring buffer, so the
 * tests can force loss and check that it is reported exactly. Not a user option.
 */
static size_t test_ringbuf_bytes(size_t dflt)
{
	const char *v = ec_env_get("ECAPTURE_TEST_RINGBUF_KIB");
	guint64 kib;
	size_t bytes;

	if (!v || !g_ascii_string_to_unsigned(v, 10, 4, 1u << 20, &kib, NULL))
		return dflt;
	bytes = (size_t)kib << 10;
	if (bytes & (bytes - 1) || bytes < (size_t)sysconf(_SC_PAGESIZE))
		return dflt;
	g_message("test setting: a ring buffer of %zu KiB", bytes >> 10);
	return bytes;
}

void ec_bpf_shared_init(struct ec_bpf_shared *s, size_t ringbuf_bytes)
{
	for (int i = 0; i < EC_MAP_COUNT; i++)
		s->fd[i] = -1;
	s->ringbuf_bytes = test_ringbuf_bytes(ringbuf_bytes);
}

int ec_bpf_shared_prepare(struct ec_bpf_shared *s, struct bpf_object *obj, GError **err)
{
	for (int i = 0; i < EC_MAP_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, map_names[i]);
		int ret = 0;

		if (!map)
			continue;
		if (s->fd[i] >= 0)
			ret = bpf_map__reuse_fd(map, s->fd[i]);
		else if (i == EC_MAP_EVENTS)
			ret = bpf_map__set_max_entries(map, s->ringbuf_bytes);
		if (ret) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "BPF map %s: %s", map_names[i],
			            g_strerror(-ret));
			return -1;
		}
	}
	return 0;
}

int ec_bpf_shared_adopt(struct ec_bpf_shared *s, struct bpf_object *obj, GError **err)
{
	for (int i = 0; i < EC_MAP_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, map_names[i]);

		if (!map || s->fd[i] >= 0)
			continue;
		/* Our own reference: the map outlives the object that created it. */
		s->fd[i] = dup(bpf_map__fd(map));
		if (s->fd[i] < 0) {
			g_set_error(err, EC_ERROR, EC_ERROR_FAILED, "dup map fd: %s",
			            g_strerror(errno));
			return -1;
		}
	}
	return 0;
}

void ec_bpf_shared_close(struct ec_bpf_shared *s)
{
	for (int i = 0; i < EC_MAP_COUNT; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}
