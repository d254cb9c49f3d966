// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin's record dissection (dissector/), run in this process on Wireshark's own dissection
 * engine (libwireshark), as tshark runs it on a file: each part of an input (parts separated by
 * FUZZ_SEPARATOR) is one frame of link type 252 (exported PDU: tags, then an ec_record), all
 * frames dissected in order, then again as a second pass does. The plugin's sources are compiled
 * into this program with the fuzzer's instrumentation; Wireshark itself is not instrumented.
 * One epan session serves RESET_EVERY inputs: the plugin's per-connection state (conversations,
 * reassembly) carries over from input to input, frame numbers keep growing. A new session per
 * input would cost a quarter of a second, and libwireshark keeps about 15 MB of each one it
 * frees; a session kept for the whole run grows by about 1 KB per input. A crash found after
 * many inputs may need the ones before it.
 */
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <wiretap/wtap.h>
#include <wsutil/privileges.h>
#include <wsutil/wmem/wmem.h>
#include <wsutil/wslog.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

void plugin_register(void); /* dissector/plugin.c */

#define MAX_FRAMES  16
#define RESET_EVERY 100000

static epan_t *session;
static guint32 frame_num; /* of the session: frames of later inputs come after earlier ones */
static unsigned int inputs;
static nstime_t frame_ts;

/* Wireshark keeps its registrations for the life of the process: no leak checking here. */
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static const nstime_t *get_frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
	(void)prov;
	(void)frame_num;
	return &frame_ts;
}

static const char *get_interface_name(struct packet_provider_data *prov, guint32 interface_id)
{
	(void)prov;
	(void)interface_id;
	return "ecapture-plaintext";
}

static const char *get_interface_description(struct packet_provider_data *prov,
                                             guint32 interface_id)
{
	(void)prov;
	(void)interface_id;
	return NULL;
}

static wtap_block_t get_modified_block(struct packet_provider_data *prov, const frame_data *fd)
{
	(void)prov;
	(void)fd;
	return NULL;
}

static const struct packet_provider_funcs provider = {
    get_frame_ts,
    get_interface_name,
    get_interface_description,
    get_modified_block,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Every wmem allocation a malloc of its own, so the sanitizer sees its bounds. */
	setenv("WIRESHARK_DEBUG_WMEM_OVERRIDE", "simple", 1);
	init_process_policies();
	/* Wireshark reports the exceptions its dissectors catch: the malformed inputs themselves.
	 */
	ws_log_set_level(LOG_LEVEL_CRITICAL);
	wmem_init();
	wtap_init(FALSE);
	plugin_register(); /* before epan_init, which calls the registered plugins */
	if (!epan_init(NULL, NULL, FALSE)) {
		fprintf(stderr, "fuzz_dissector: epan_init failed\n");
		abort();
	}
	epan_load_settings();
	if (!find_dissector("ecapture")) {
		fprintf(stderr, "fuzz_dissector: the plugin's \"ecapture\" dissector is missing\n");
		abort();
	}
	session = epan_new(NULL, &provider);
	return 0;
}

struct frame {
	wtap_rec rec;
	frame_data fd;
	const uint8_t *data;
	size_t len;
};

static void dissect(struct frame *f, const frame_data **ref, const frame_data *prev)
{
	epan_dissect_t *edt = epan_dissect_new(session, TRUE, TRUE);
	nstime_t elapsed = NSTIME_INIT_ZERO;

	frame_data_set_before_dissect(&f->fd, &elapsed, ref, prev);
	epan_dissect_run(edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &f->rec,
	                 tvb_new_real_data(f->data, (guint)f->len, (gint)f->len), &f->fd, NULL);
	epan_dissect_free(edt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame frames[MAX_FRAMES];
	const frame_data *ref = NULL;
	size_t n = 0;

	if (++inputs % RESET_EVERY == 0) {
		epan_free(session);
		session = epan_new(NULL, &provider);
		frame_num = 0;
	}
	while (n < MAX_FRAMES && size > 0) {
		struct frame *f = &frames[n];
		const uint8_t *rest;
		size_t rest_len;

		fuzz_split(data, size, &f->data, &f->len, &rest, &rest_len);
		data = rest;
		size = rest_len;
		if (f->len == 0 || f->len > G_MAXINT)
			continue;
		wtap_rec_init(&f->rec);
		f->rec.rec_type = REC_TYPE_PACKET;
		f->rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
		f->rec.rec_header.packet_header.caplen = (guint32)f->len;
		f->rec.rec_header.packet_header.len = (guint32)f->len;
		f->rec.rec_header.packet_header.pkt_encap = WTAP_ENCAP_WIRESHARK_UPPER_PDU;
		frame_data_init(&f->fd, ++frame_num, &f->rec, 0, 0);
		n++;
	}
	/* The first pass, in order, then the second (visited), as tshark -2 and the GUI do. */
	for (size_t i = 0; i < n; i++) {
		dissect(&frames[i], &ref, i ? &frames[i - 1].fd : NULL);
		frames[i].fd.visited = 1;
	}
	for (size_t i = 0; i < n; i++)
		dissect(&frames[i], &ref, i ? &frames[i - 1].fd : NULL);
	for (size_t i = 0; i < n; i++) {
		frame_data_destroy(&frames[i].fd);
		wtap_rec_cleanup(&frames[i].rec);
	}
	return 0;
}
