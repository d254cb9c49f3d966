/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading an untrusted TLS library: read the files and everything they need while still
 * privileged (they may be in a container, /proc/PID/root/...) into memfds, enter the sandbox
 * (confine.h: nobody, no capabilities, namespaces, an empty root, seccomp), then load them.
 */
#ifndef CAL_SANDBOX_H
#define CAL_SANDBOX_H

#include <sys/types.h>

#include "confine.h"

#define SANDBOX_UID 65534 /* nobody */
#define SANDBOX_GID 65534 /* nogroup */

struct sandbox {
	void *crypto;           /* dlopen handle of libcrypto (== ssl when the loader chose it) */
	void *ssl;              /* dlopen handle of libssl */
	uid_t uid;              /* the uid the library runs as */
	char crypto_path[4096]; /* what was preloaded, or "" if left to the loader */
	struct confine_report confined; /* what the sandbox has, and what the kernel refused */
};

/*
 * CRYPTO_PATH may be NULL: then libcrypto* next to libssl is used if there, else the one libssl
 * needs. Returns 0 (inside the sandbox), or -1 after report_fail().
 */
int sandbox_load(const char *ssl_path, const char *crypto_path, struct sandbox *sb);

#endif
