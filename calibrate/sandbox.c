// SPDX-License-Identifier: GPL-2.0-or-later
#include "sandbox.h"

#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "deps.h"
#include "report.h"

/* DIR/libcrypto<rest> for DIR/libssl<rest>; 0 if that file exists. */
static int sibling_crypto(const char *ssl_path, char *out, size_t len)
{
	char copy[4096], copy2[4096];
	const char *base;
	int n;

	if (snprintf(copy, sizeof(copy), "%s", ssl_path) >= (int)sizeof(copy))
		return -1;
	memcpy(copy2, copy, sizeof(copy));
	base = basename(copy2);
	if (strncmp(base, "libssl", 6) != 0)
		return -1;
	n = snprintf(out, len, "%s/libcrypto%s", dirname(copy), base + 6);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return access(out, R_OK) == 0 ? 0 : -1;
}

int sandbox_load(const char *ssl_path, const char *crypto_path, struct sandbox *sb)
{
	struct deps d = {.n = 0};
	struct dep *ssl, *crypto = NULL;
	int rc = -1;

	memset(sb, 0, sizeof(*sb));
	if (crypto_path)
		snprintf(sb->crypto_path, sizeof(sb->crypto_path), "%s", crypto_path);
	else if (sibling_crypto(ssl_path, sb->crypto_path, sizeof(sb->crypto_path)) < 0)
		sb->crypto_path[0] = '\0';

	/*
	 * libcrypto first: glibc then satisfies libssl's DT_NEEDED libcrypto.so.N with it (a
	 * loaded object matches by soname) instead of searching the host's directories.
	 */
	if (sb->crypto_path[0] && deps_add(&d, sb->crypto_path, true) < 0)
		goto out;
	if (deps_add(&d, ssl_path, false) < 0)
		goto out;
	if (confine_enter(&d, &sb->confined) < 0)
		goto out;
	sb->uid = geteuid();

	for (int i = 0; i < d.n; i++) {
		d.d[i].handle =
		    dlopen(d.d[i].load, RTLD_NOW | (d.d[i].global ? RTLD_GLOBAL : RTLD_LOCAL));
		if (!d.d[i].handle) {
			report_fail("cannot load %s: %s", d.d[i].path, dlerror());
			goto out;
		}
	}
	ssl = deps_find(&d, ssl_path);
	if (sb->crypto_path[0])
		crypto = deps_find(&d, sb->crypto_path);
	sb->ssl = ssl->handle;
	if (!crypto) {
		sb->crypto = sb->ssl; /* dlsym on libssl also searches its dependencies */
	} else {
		sb->crypto = crypto->handle;
		if (dlsym(sb->ssl, "ERR_get_error") != dlsym(sb->crypto, "ERR_get_error")) {
			report_fail("%s did not bind to %s (different soname?)", ssl_path,
			            sb->crypto_path);
			goto out;
		}
	}
	rc = 0;
out:
	deps_close(&d);
	return rc;
}
