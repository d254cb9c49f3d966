// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecapture-calibrate: measures struct ec_ssl_layout of one OpenSSL build by loading it and
 * handshaking with itself. Prints "key=value" lines, ending with status=ok, or status=error
 * and error=<reason> (exit code 1; 2 for a usage error).
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "gtls.h"
#include "ecapture/gnutls_layout_fields.h"
#include "gtls_measure.h"
#include "measure.h"
#include "ossl.h"
#include "report.h"
#include "sandbox.h"
#include "verify.h"

#define SELF_TIMEOUT_S 8    /* the caller gives up at 10 s anyway */
#define FD_NEEDED      1024 /* room for the distinctive fd numbers (731 ...) */

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Prints S with anything but printable ASCII replaced: the output is line-based. */
static void print_value(const char *key, const char *s)
{
	printf("%s=", key);
	for (; s && *s; s++)
		putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
	putchar('\n');
}

static int finish(int code)
{
	const char *reason = report_reason();

	if (reason) {
		printf("status=error\n");
		print_value("error", reason);
		code = code ? code : 1;
	} else {
		printf("status=ok\n");
	}
	fflush(stdout);
	/* skip the library's exit handlers: it is untrusted and its work is done */
	_exit(code);
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FD_NEEDED) {
		rl.rlim_cur = rl.rlim_max < FD_NEEDED ? rl.rlim_max : FD_NEEDED;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* What the sandbox has ("session nobody pidns ..."), and what the kernel refused, with why. */
static void print_sandbox(const struct sandbox *sb)
{
	printf("sandbox_uid=%u\n", (unsigned int)sb->uid);
	print_value("sandbox", sb->confined.have);
	print_value("sandbox_missing", sb->confined.missing);
}

/* ecapture-calibrate gnutls <libgnutls path> */
static void main_gnutls(const char *path)
{
	struct ec_gnutls_layout l;
	struct sandbox sb;
	struct gtls t;
	long long t0 = now_us();
	const char *v;

	print_value("libgnutls", path);
	if (sandbox_load(path, NULL, &sb) < 0)
		finish(1);
	print_sandbox(&sb);
	if (gtls_bind(&t, sb.ssl) < 0)
		finish(1);
	v = t.gnutls_check_version(NULL);
	print_value("version_text", v ? v : "");
	memset(&l, 0xff, sizeof(l));
	gtls_calibrate(&t, &l);
#define PRINT_FIELD(f, req) printf("%s=%d\n", #f, l.f);
	EC_GNUTLS_LAYOUT_FIELDS(PRINT_FIELD)
#undef PRINT_FIELD
	printf("elapsed_us=%lld\n", now_us() - t0);
	finish(0);
}

#ifdef EC_UNDER_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

int main(int argc, char **argv)
{
	struct ec_ssl_layout layout;
	struct sandbox sb;
	struct ossl o;
	long long t0 = now_us();
	const char *text;

	if (argc == 3 && strcmp(argv[1], "gnutls") == 0) {
		alarm(SELF_TIMEOUT_S);
		main_gnutls(argv[2]);
	}
	if (argc < 3 || argc > 4 || strcmp(argv[1], "openssl") != 0) {
		fprintf(stderr,
		        "usage: %s openssl <libssl path> [<libcrypto path>] | gnutls <libgnutls "
		        "path>\n",
		        argv[0]);
		report_fail("usage: ecapture-calibrate openssl <libssl path> [<libcrypto path>] | "
		            "gnutls <libgnutls path>");
		finish(2);
	}
	alarm(SELF_TIMEOUT_S);
	raise_fd_limit();
	print_value("libssl", argv[2]);
	if (sandbox_load(argv[2], argc == 4 ? argv[3] : NULL, &sb) < 0)
		finish(1);
	print_value("libcrypto", sb.crypto_path[0] ? sb.crypto_path : "(chosen by the loader)");
	print_sandbox(&sb);

	if (ossl_bind_version(&o, sb.crypto) < 0)
		finish(1);
	text = o.OpenSSL_version(0);
	print_value("version_text", text);
	printf("version_num=0x%lx\n", o.OpenSSL_version_num());
	if (!text || strncmp(text, "OpenSSL ", 8) != 0) {
		report_fail("not OpenSSL but %s: its structures are not supported",
		            text ? text : "(no version text)");
		finish(1);
	}
	if (ossl_bind(&o, sb.crypto, sb.ssl) < 0)
		finish(1);
	if (o.OPENSSL_init_ssl(ABI_OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
		report_fail("OPENSSL_init_ssl failed: %s", ossl_errors(&o));
		finish(1);
	}

	memset(&layout, 0xff, sizeof(layout));
	if (measure_layout(&o, &layout) == 0)
		verify_layout(&o, &layout);
	for (int i = 0; i < layout_field_count; i++)
		printf("%s=%d\n", layout_field_names[i], *layout_field(&layout, i));
	printf("elapsed_us=%lld\n", now_us() - t0);
	finish(0);
}
