// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calibrates the installed libssl with the built helper, then proves the offsets on this
 * process's own SSL objects: real TLS 1.3 and 1.2 handshakes, key log callback, and the
 * secrets read at the offsets compared with the logged ones (the TLS 1.3 handshake traffic
 * secrets derived with libcrypto's HKDF, not the helper's HMAC). Also: the helper's failure
 * modes, seen through fake helpers.
 *
 * libssl is dlopen'ed (the unit tests link libcrypto only); its prototypes come from the headers.
 */
#define _GNU_SOURCE /* memmem, unshare */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "targets/elf_info.h"
#include "layouts/ssl_layout.h"
#include "targets/ssl_version.h"

#define LIBDIR    "/usr/lib/x86_64-linux-gnu"
#define LIBSSL    LIBDIR "/libssl.so.3"
#define LIBCRYPTO LIBDIR "/libcrypto.so.3"

/* libssl, bound by hand */
static struct {
	typeof(TLS_method) *TLS_method;
	typeof(SSL_CTX_new) *SSL_CTX_new;
	typeof(SSL_CTX_free) *SSL_CTX_free;
	typeof(SSL_CTX_ctrl) *SSL_CTX_ctrl;
	typeof(SSL_CTX_set_ciphersuites) *SSL_CTX_set_ciphersuites;
	typeof(SSL_CTX_set_cipher_list) *SSL_CTX_set_cipher_list;
	typeof(SSL_CTX_use_certificate) *SSL_CTX_use_certificate;
	typeof(SSL_CTX_use_PrivateKey) *SSL_CTX_use_PrivateKey;
	typeof(SSL_CTX_set_keylog_callback) *SSL_CTX_set_keylog_callback;
	typeof(SSL_CTX_set_msg_callback) *SSL_CTX_set_msg_callback;
	typeof(SSL_new) *SSL_new;
	typeof(SSL_free) *SSL_free;
	typeof(SSL_set_bio) *SSL_set_bio;
	typeof(SSL_set_connect_state) *SSL_set_connect_state;
	typeof(SSL_set_accept_state) *SSL_set_accept_state;
	typeof(SSL_do_handshake) *SSL_do_handshake;
	typeof(SSL_get_error) *SSL_get_error;
	typeof(SSL_version) *SSL_version;
	typeof(SSL_get_session) *SSL_get_session;
	typeof(SSL_get_current_cipher) *SSL_get_current_cipher;
	typeof(SSL_CIPHER_get_id) *SSL_CIPHER_get_id;
	typeof(SSL_get_client_random) *SSL_get_client_random;
	typeof(SSL_SESSION_get_master_key) *SSL_SESSION_get_master_key;
	typeof(SSL_get_rbio) *SSL_get_rbio;
	typeof(SSL_get_wbio) *SSL_get_wbio;
} L;

static void bind_libssl(void)
{
	void *h = dlopen(LIBSSL, RTLD_NOW);

	g_assert_nonnull(h);
#define BIND(fn)                                                                                   \
	do {                                                                                       \
		L.fn = (typeof(L.fn))dlsym(h, #fn);                                                \
		g_assert_nonnull(L.fn);                                                            \
	} while (0)
	BIND(TLS_method);
	BIND(SSL_CTX_new);
	BIND(SSL_CTX_free);
	BIND(SSL_CTX_ctrl);
	BIND(SSL_CTX_set_ciphersuites);
	BIND(SSL_CTX_set_cipher_list);
	BIND(SSL_CTX_use_certificate);
	BIND(SSL_CTX_use_PrivateKey);
	BIND(SSL_CTX_set_keylog_callback);
	BIND(SSL_CTX_set_msg_callback);
	BIND(SSL_new);
	BIND(SSL_free);
	BIND(SSL_set_bio);
	BIND(SSL_set_connect_state);
	BIND(SSL_set_accept_state);
	BIND(SSL_do_handshake);
	BIND(SSL_get_error);
	BIND(SSL_version);
	BIND(SSL_get_session);
	BIND(SSL_get_current_cipher);
	BIND(SSL_CIPHER_get_id);
	BIND(SSL_get_client_random);
	BIND(SSL_SESSION_get_master_key);
	BIND(SSL_get_rbio);
	BIND(SSL_get_wbio);
#undef BIND
}

/* ---- a handshake of our own ---- */

struct side {
	SSL *ssl;
	BIO *rbio, *wbio;
	int rfd, wfd;
	GPtrArray *lines;         /* key log lines */
	GByteArray *client_hello; /* first ClientHello and ServerHello, with headers */
	GByteArray *server_hello;
};

struct tls {
	SSL_CTX *cctx, *sctx;
	struct side side[2]; /* client, server */
};

static struct tls *current;
static EVP_PKEY *key;
static X509 *cert;

static struct side *side_of(const SSL *ssl)
{
	for (int i = 0; i < 2; i++) {
		if (current && current->side[i].ssl == ssl)
			return &current->side[i];
	}
	return NULL;
}

static void keylog(const SSL *ssl, const char *line)
{
	struct side *s = side_of(ssl);

	g_assert_nonnull(s);
	g_ptr_array_add(s->lines, g_strdup(line));
}

static void msg(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                void *arg)
{
	struct side *s = side_of(ssl);
	const guint8 *m = buf;

	(void)write_p, (void)version, (void)arg;
	if (!s || content_type != SSL3_RT_HANDSHAKE || len < 4)
		return;
	if (m[0] == SSL3_MT_CLIENT_HELLO && s->client_hello->len == 0)
		g_byte_array_append(s->client_hello, buf, (guint)len);
	if (m[0] == SSL3_MT_SERVER_HELLO && s->server_hello->len == 0)
		g_byte_array_append(s->server_hello, buf, (guint)len);
}

/* A fresh self-signed P-256 certificate: nothing shared with the helper's. */
static void make_cert(void)
{
	X509_NAME *name;

	key = EVP_EC_gen("P-256");
	g_assert_nonnull(key);
	cert = X509_new();
	g_assert_nonnull(cert);
	g_assert_cmpint(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1), ==, 1);
	g_assert_nonnull(X509_gmtime_adj(X509_getm_notBefore(cert), 0));
	g_assert_nonnull(X509_gmtime_adj(X509_getm_notAfter(cert), 3600));
	g_assert_cmpint(X509_set_pubkey(cert, key), ==, 1);
	name = X509_get_subject_name(cert);
	g_assert_cmpint(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                           (const unsigned char *)"test", -1, -1, 0),
	                ==, 1);
	g_assert_cmpint(X509_set_issuer_name(cert, name), ==, 1);
	g_assert_cmpint(X509_sign(cert, key, EVP_sha256()), >, 0);
}

static SSL_CTX *new_ctx(int max_version, const char *suites, const char *ciphers, bool server)
{
	SSL_CTX *ctx = L.SSL_CTX_new(L.TLS_method());

	g_assert_nonnull(ctx);
	g_assert_cmpint(L.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL),
	                ==, 1);
	g_assert_cmpint(L.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, max_version, NULL), ==,
	                1);
	if (suites)
		g_assert_cmpint(L.SSL_CTX_set_ciphersuites(ctx, suites), ==, 1);
	if (ciphers)
		g_assert_cmpint(L.SSL_CTX_set_cipher_list(ctx, ciphers), ==, 1);
	if (server) {
		g_assert_cmpint(L.SSL_CTX_use_certificate(ctx, cert), ==, 1);
		g_assert_cmpint(L.SSL_CTX_use_PrivateKey(ctx, key), ==, 1);
	}
	L.SSL_CTX_set_keylog_callback(ctx, keylog);
	L.SSL_CTX_set_msg_callback(ctx, msg);
	return ctx;
}

static struct tls *handshake(int version, const char *suites, const char *ciphers)
{
	struct tls *t = g_new0(struct tls, 1);
	int sv[2];
	bool done[2] = {false, false};

	t->cctx = new_ctx(version, suites, ciphers, false);
	t->sctx = new_ctx(version, suites, ciphers, true);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
	for (int i = 0; i < 2; i++) {
		struct side *s = &t->side[i];

		s->ssl = L.SSL_new(i == 0 ? t->cctx : t->sctx);
		s->rfd = sv[i];
		s->wfd = dup(sv[i]);
		s->rbio = BIO_new_socket(s->rfd, BIO_NOCLOSE);
		s->wbio = BIO_new_socket(s->wfd, BIO_NOCLOSE);
		g_assert_true(s->ssl && s->wfd >= 0 && s->rbio && s->wbio);
		L.SSL_set_bio(s->ssl, s->rbio, s->wbio);
		s->lines = g_ptr_array_new_with_free_func(g_free);
		s->client_hello = g_byte_array_new();
		s->server_hello = g_byte_array_new();
	}
	L.SSL_set_connect_state(t->side[0].ssl);
	L.SSL_set_accept_state(t->side[1].ssl);
	current = t;
	for (int round = 0; round < 50 && !(done[0] && done[1]); round++) {
		for (int i = 0; i < 2; i++) {
			int rc, e;

			if (done[i])
				continue;
			rc = L.SSL_do_handshake(t->side[i].ssl);
			if (rc == 1) {
				done[i] = true;
				continue;
			}
			e = L.SSL_get_error(t->side[i].ssl, rc);
			g_assert_true(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
		}
	}
	current = NULL;
	g_assert_true(done[0] && done[1]);
	return t;
}

static void tls_free(struct tls *t)
{
	for (int i = 0; i < 2; i++) {
		L.SSL_free(t->side[i].ssl);
		close(t->side[i].rfd);
		close(t->side[i].wfd);
		g_ptr_array_free(t->side[i].lines, TRUE);
		g_byte_array_free(t->side[i].client_hello, TRUE);
		g_byte_array_free(t->side[i].server_hello, TRUE);
	}
	L.SSL_CTX_free(t->cctx);
	L.SSL_CTX_free(t->sctx);
	g_free(t);
}

/* The key log line LABEL of S, split: random and secret as bytes. */
static gboolean logged(const struct side *s, const char *label, GBytes **random, GBytes **secret)
{
	for (guint i = 0; i < s->lines->len; i++) {
		gchar **f = g_strsplit(s->lines->pdata[i], " ", 3);
		gboolean hit = g_strv_length(f) == 3 && strcmp(f[0], label) == 0;

		if (hit) {
			long n1 = 0, n2 = 0;
			guint8 *r = OPENSSL_hexstr2buf(f[1], &n1),
			       *k = OPENSSL_hexstr2buf(f[2], &n2);

			g_assert_true(r && k);
			*random = g_bytes_new(r, (gsize)n1);
			*secret = g_bytes_new(k, (gsize)n2);
			OPENSSL_free(r);
			OPENSSL_free(k);
		}
		g_strfreev(f);
		if (hit)
			return TRUE;
	}
	return FALSE;
}

static GBytes *secret_of(const struct side *s, const char *label)
{
	GBytes *random = NULL, *secret = NULL;

	if (!logged(s, label, &random, &secret))
		g_error("the key log has no %s", label);
	g_bytes_unref(random);
	return secret;
}

/* HKDF-Expand-Label with libcrypto's HKDF (expand only), independent of the helper's HMAC. */
static void expand_label(const char *md, const guint8 *secret, gsize len, const char *label,
                         const guint8 *hash, guint8 *out)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	GByteArray *info = g_byte_array_new();
	guint8 b[2] = {(guint8)(len >> 8), (guint8)len}, n;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[5];

	g_byte_array_append(info, b, 2);
	n = (guint8)(6 + strlen(label));
	g_byte_array_append(info, &n, 1);
	g_byte_array_append(info, (const guint8 *)"tls13 ", 6);
	g_byte_array_append(info, (const guint8 *)label, (guint)strlen(label));
	n = (guint8)len;
	g_byte_array_append(info, &n, 1);
	g_byte_array_append(info, hash, (guint)len);
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info->data, info->len);
	params[4] = OSSL_PARAM_construct_end();
	g_assert_cmpint(EVP_KDF_derive(ctx, out, len, params), ==, 1);
	g_byte_array_free(info, TRUE);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

#define AT(base, off) ((const guint8 *)(base) + (off))

static const void *ptr_at(const void *base, int off)
{
	const void *p;

	g_assert_cmpint(off, >=, 0);
	memcpy(&p, AT(base, off), sizeof(p));
	return p;
}

static void assert_bytes_at(const void *base, int off, GBytes *want)
{
	gsize n;
	const void *w = g_bytes_get_data(want, &n);

	g_assert_cmpint(off, >=, 0);
	g_assert_cmpmem(AT(base, off), n, w, n);
}

static void check_tls13(const struct ec_ssl_layout *l, const struct side *s)
{
	GBytes *chts = secret_of(s, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
	GBytes *shts = secret_of(s, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
	GBytes *cats = secret_of(s, "CLIENT_TRAFFIC_SECRET_0");
	GBytes *sats = secret_of(s, "SERVER_TRAFFIC_SECRET_0");
	GBytes *ems = secret_of(s, "EXPORTER_SECRET");
	gsize len = g_bytes_get_size(chts);
	const char *md = len == 48 ? "SHA384" : "SHA256";
	guint8 hash[EVP_MAX_MD_SIZE], out[EVP_MAX_MD_SIZE];
	GByteArray *transcript = g_byte_array_new();
	unsigned int hash_len = 0;

	g_assert_true(len == 32 || len == 48);
	g_byte_array_append(transcript, s->client_hello->data, s->client_hello->len);
	g_byte_array_append(transcript, s->server_hello->data, s->server_hello->len);
	g_assert_cmpint(EVP_Digest(transcript->data, transcript->len, hash, &hash_len,
	                           EVP_get_digestbyname(md), NULL),
	                ==, 1);
	g_assert_cmpuint(hash_len, ==, len);
	g_assert_cmpmem(AT(s->ssl, l->handshake_traffic_hash), len, hash, len);

	/* what the engine will do: derive both handshake traffic secrets from the object */
	expand_label(md, AT(s->ssl, l->handshake_secret), len, "c hs traffic",
	             AT(s->ssl, l->handshake_traffic_hash), out);
	g_assert_cmpmem(out, len, g_bytes_get_data(chts, NULL), len);
	expand_label(md, AT(s->ssl, l->handshake_secret), len, "s hs traffic",
	             AT(s->ssl, l->handshake_traffic_hash), out);
	g_assert_cmpmem(out, len, g_bytes_get_data(shts, NULL), len);

	assert_bytes_at(s->ssl, l->client_app_traffic_secret, cats);
	assert_bytes_at(s->ssl, l->server_app_traffic_secret, sats);
	assert_bytes_at(s->ssl, l->exporter_master_secret, ems);
	g_byte_array_free(transcript, TRUE);
	g_bytes_unref(chts);
	g_bytes_unref(shts);
	g_bytes_unref(cats);
	g_bytes_unref(sats);
	g_bytes_unref(ems);
}

/* Everything readable through the offsets from both of T's SSL objects is right. */
static void check_layout(const struct ec_ssl_layout *l, const struct tls *t, int want_version)
{
	for (int i = 0; i < 2; i++) {
		const struct side *s = &t->side[i];
		const SSL_SESSION *sess = L.SSL_get_session(s->ssl);
		const SSL_CIPHER *cipher = L.SSL_get_current_cipher(s->ssl);
		guint8 random[32];
		uint32_t id = L.SSL_CIPHER_get_id(cipher);
		int version = L.SSL_version(s->ssl);
		int fd = -1;

		g_assert_cmpint(version, ==, want_version);
		g_assert_cmpmem(AT(s->ssl, l->version), sizeof(int), &version, sizeof(int));
		g_assert_cmpuint(L.SSL_get_client_random(s->ssl, random, sizeof(random)), ==, 32);
		g_assert_cmpmem(AT(s->ssl, l->client_random), 32, random, 32);
		g_assert_true(ptr_at(s->ssl, l->session) == sess);
		g_assert_true(ptr_at(sess, l->session_cipher) == cipher);
		g_assert_cmpmem(AT(cipher, l->cipher_id), sizeof(id), &id, sizeof(id));
		g_assert_true(ptr_at(s->ssl, l->rbio) == s->rbio);
		g_assert_true(ptr_at(s->ssl, l->wbio) == s->wbio);
		g_assert_cmpint(BIO_get_fd(s->rbio, &fd), ==, s->rfd);
		g_assert_cmpmem(AT(s->rbio, l->bio_num), sizeof(int), &s->rfd, sizeof(int));
		g_assert_cmpmem(AT(s->wbio, l->bio_num), sizeof(int), &s->wfd, sizeof(int));

		if (version == TLS1_2_VERSION) {
			GBytes *rnd = NULL, *mk = NULL;
			guint8 master[SSL_MAX_MASTER_KEY_LENGTH];
			size_t n = L.SSL_SESSION_get_master_key(sess, master, sizeof(master));

			g_assert_true(logged(s, "CLIENT_RANDOM", &rnd, &mk));
			g_assert_cmpmem(g_bytes_get_data(rnd, NULL), 32, random, 32);
			assert_bytes_at(sess, l->session_master_key, mk);
			g_assert_cmpmem(AT(sess, l->session_master_key), n, master, n);
			g_bytes_unref(rnd);
			g_bytes_unref(mk);
		} else {
			check_tls13(l, s);
		}
	}
}

/* ---- the tests ---- */

static void calibrate_installed(struct ec_ssl_layout *l, gchar **text)
{
	GError *err = NULL;
	int rc = ec_ssl_layout_calibrate(LIBSSL, l, text, &err);

	g_assert_no_error(err);
	g_assert_cmpint(rc, ==, 0);
}

static void test_installed(void)
{
	struct ec_ssl_layout l;
	gchar *text = NULL, *desc;
	gint64 t0 = g_get_monotonic_time();

	calibrate_installed(&l, &text);
	g_test_message("calibrated in %.1f ms", (g_get_monotonic_time() - t0) / 1000.0);
	g_assert_cmpstr(text, ==, OpenSSL_version(OPENSSL_VERSION));
	desc = ec_ssl_layout_describe(&l);
	g_test_message("%s: %s", text, desc);
	g_free(desc);
	g_free(text);

	struct {
		int version;
		const char *suites, *ciphers;
	} runs[] = {
	    {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", NULL},
	    {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", NULL},
	    {TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", NULL},
	    {TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256"},
	    {TLS1_2_VERSION, NULL, "ECDHE-ECDSA-CHACHA20-POLY1305"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(runs); i++) {
		struct tls *t = handshake(runs[i].version, runs[i].suites, runs[i].ciphers);

		check_layout(&l, t, runs[i].version);
		tls_free(t);
	}
}

/* The offsets found by hand for Debian 12's 3.0.22 (shared/FACTS.md). */
static void test_facts(void)
{
	const struct ec_ssl_layout facts = {
	    .version = 0x0,
	    .client_random = 0x160,
	    .session = 0x918,
	    .session_master_key = 0x50,
	    .session_cipher = 0x2f8,
	    .cipher_id = 0x18,
	    .handshake_secret = 0x584,
	    .handshake_traffic_hash = 0x704,
	    .client_app_traffic_secret = 0x744,
	    .server_app_traffic_secret = 0x784,
	    .exporter_master_secret = 0x7c4,
	    .rbio = 0x10,
	    .wbio = 0x18,
	    .bio_num = 0x38,
	};
	struct ec_ssl_layout l;
	gchar *text = NULL, *got, *want;

	calibrate_installed(&l, &text);
	if (!g_str_has_prefix(text, "OpenSSL 3.0.22 ")) {
		g_test_message("%s is not 3.0.22: nothing to compare with", text);
		g_free(text);
		return;
	}
	got = ec_ssl_layout_describe(&l);
	want = ec_ssl_layout_describe(&facts);
	g_assert_cmpstr(got, ==, want);
	g_free(got);
	g_free(want);
	g_free(text);
}

static void test_cached(void)
{
	struct ec_ssl_layout a, b;
	gint64 t0;

	calibrate_installed(&a, NULL);
	t0 = g_get_monotonic_time();
	calibrate_installed(&b, NULL);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 5000); /* no helper run: microseconds */
	g_assert_cmpmem(&a, sizeof(a), &b, sizeof(b));
}

static void test_describe(void)
{
	struct ec_ssl_layout l;
	gchar *s;

	ec_ssl_layout_init_absent(&l);
	l.client_random = 0x160;
	s = ec_ssl_layout_describe(&l);
	g_assert_cmpstr(s, ==,
	                "version=- client_random=0x160 session=- session_master_key=- "
	                "session_cipher=- cipher_id=- handshake_secret=- handshake_traffic_hash=- "
	                "client_app_traffic_secret=- server_app_traffic_secret=- "
	                "exporter_master_secret=- rbio=- wbio=- bio_num=- s3=-");
	g_free(s);
}

/* The helper run directly: sandboxed (as nobody when we are root), and quick. */
static void test_helper_direct(void)
{
	gchar *helper =
	    g_build_filename(g_getenv("ECAPTURE_HELPER_DIR"), "ecapture-calibrate", NULL);
	gchar *argv[] = {helper, "openssl", LIBSSL, LIBCRYPTO, NULL};
	gchar *out = NULL, *uid, *elapsed;
	GError *err = NULL;
	gint status = -1;

	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
	                           NULL, &status, &err));
	g_assert_no_error(err);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_assert_true(g_str_has_suffix(out, "\nstatus=ok\n"));
	uid = g_strdup_printf("\nsandbox_uid=%u\n", geteuid() == 0 ? 65534 : getuid());
	g_assert_nonnull(strstr(out, uid));
	/* in its sandbox: a session of its own, namespaces, an empty root, seccomp */
	g_test_message("%s", strstr(out, "\nsandbox="));
	g_assert_nonnull(strstr(out, "\nsandbox=session "));
	g_assert_nonnull(strstr(out, " seccomp\nsandbox_missing="));
	if (strstr(out, "\nsandbox_missing=\n")) { /* else the kernel refused them: it says so */
		g_assert_nonnull(strstr(out, " pidns mntns netns ipcns utsns "));
		g_assert_nonnull(strstr(out, " emptyroot "));
	}
	elapsed = strstr(out, "\nelapsed_us=");
	g_assert_nonnull(elapsed);
	g_test_message("helper: %ld us", atol(elapsed + 12));
	g_assert_cmpint(atol(elapsed + 12), <, 2000000);

	/* a usage error */
	argv[1] = "gnutls";
	g_free(out);
	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
	                           NULL, &status, &err));
	g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	g_assert_true(g_str_has_prefix(out, "status=error\nerror=usage: "));
	g_free(uid);
	g_free(out);
	g_free(helper);
}

static void expect_failure(const char *path, GQuark domain, gint code, const char *needle)
{
	struct ec_ssl_layout l;
	gchar *text = (gchar *)"untouched";
	GError *err = NULL;

	g_assert_cmpint(ec_ssl_layout_calibrate(path, &l, &text, &err), ==, -1);
	g_assert_error(err, domain, code);
	g_test_message("%s", err->message);
	g_assert_nonnull(strstr(err->message, needle));
	g_assert_null(text);
	g_assert_cmpint(l.client_random, ==, -1);
	g_assert_cmpint(l.version, ==, -1);
	g_clear_error(&err);
}

/*
 * A private copy of a library that the cache takes for another build: the cache knows a build
 * by its build-id and size, so each copy gets a few more bytes after the end of the ELF file
 * than the last (the same code; nothing reads past the section headers).
 */
static gchar *copy_lib(const char *src, const char *dir)
{
	gchar *data = NULL, *dst = g_build_filename(dir, "libssl.so.3", NULL);
	gsize len = 0;

	static gsize copies;
	gsize extra = ++copies; /* each copy its own size */

	g_assert_true(g_file_get_contents(src, &data, &len, NULL));
	data = g_realloc(data, len + extra);
	memset(data + len, 0, extra);
	g_assert_true(g_file_set_contents(dst, data, (gssize)(len + extra), NULL));
	g_free(data);
	return dst;
}

static void test_bad_paths(void)
{
	gchar *dir = g_dir_make_tmp("ec-layout-XXXXXX", NULL), *path, *msg;

	expect_failure("/nonexistent/libssl.so.3", G_FILE_ERROR, G_FILE_ERROR_NOENT,
	               "/nonexistent/libssl.so.3");
	path = g_build_filename(dir, "libssl.so.3", NULL);
	g_assert_true(g_file_set_contents(path, "no ELF here", -1, NULL));
	expect_failure(path, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF, "not an ELF file");
	g_unlink(path);
	g_free(path);

	/* an OpenSSL library that is no libssl: the helper's reason in the message */
	msg = g_strdup_printf("%s at %s: layout could not be calibrated: not a libssl",
	                      OpenSSL_version(OPENSSL_VERSION), LIBCRYPTO);
	expect_failure(LIBCRYPTO, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_FAILED, msg);
	g_free(msg);

	/* a copy elsewhere still calibrates, with the system libcrypto; also when only root may
	 * read it (the helper drops to nobody before loading it) */
	path = copy_lib(LIBSSL, dir);
	g_assert_cmpint(g_chmod(path, 0600), ==, 0);
	{
		struct ec_ssl_layout a, b;
		GError *err = NULL;

		calibrate_installed(&a, NULL);
		g_assert_cmpint(ec_ssl_layout_calibrate(path, &b, NULL, &err), ==, 0);
		g_assert_no_error(err);
		g_assert_cmpmem(&a, sizeof(a), &b, sizeof(b));
	}
	g_unlink(path);
	g_free(path);
	g_rmdir(dir);
	g_free(dir);
}

/* A fake helper printing SCRIPT's output, run on a fresh copy of libssl. */
static void with_fake_helper(const char *script, GQuark domain, gint code, const char *needle)
{
	gchar *dir = g_dir_make_tmp("ec-fake-helper-XXXXXX", NULL);
	gchar *helper = g_build_filename(dir, "ecapture-calibrate", NULL);
	gchar *body = g_strdup_printf("#!/bin/sh\n%s\n", script);
	gchar *lib = copy_lib(LIBSSL, dir);
	gchar *saved = g_strdup(g_getenv("ECAPTURE_HELPER_DIR"));

	g_assert_true(g_file_set_contents(helper, body, -1, NULL));
	g_assert_cmpint(g_chmod(helper, 0755), ==, 0);
	g_setenv("ECAPTURE_HELPER_DIR", dir, TRUE);
	expect_failure(lib, domain, code, needle);
	g_setenv("ECAPTURE_HELPER_DIR", saved, TRUE);
	/* failures are cached too: the real helper is not asked again for this file */
	expect_failure(lib, domain, code, needle);
	g_unlink(lib);
	g_unlink(helper);
	g_rmdir(dir);
	g_free(saved);
	g_free(lib);
	g_free(body);
	g_free(helper);
	g_free(dir);
}

#define FIELDS_BUT_HS                                                                              \
	"echo version=0; echo client_random=352; echo session=2328; "                              \
	"echo session_master_key=80; echo session_cipher=760; echo cipher_id=24; "                 \
	"echo handshake_traffic_hash=1796; "                                                       \
	"echo client_app_traffic_secret=1860; echo server_app_traffic_secret=1924; "               \
	"echo exporter_master_secret=1988; echo rbio=16; echo wbio=24; echo bio_num=56; "          \
	"echo s3=-1; "
#define GOOD_FIELDS FIELDS_BUT_HS "echo handshake_secret=1412; "

static void test_fake_helpers(void)
{
	gchar *good_text =
	    g_strdup_printf("echo 'version_text=%s'; ", OpenSSL_version(OPENSSL_VERSION));
	gchar *s;

	with_fake_helper("echo status=error; echo 'error=unsupported: testing'; exit 1",
	                 EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_FAILED,
	                 "layout could not be calibrated: unsupported: testing");
	with_fake_helper("echo status=ok", EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
	                 "no offset for version");
	with_fake_helper("echo status=ok; echo status=ok", EC_LAYOUT_ERROR,
	                 EC_LAYOUT_ERROR_BAD_OUTPUT, "status twice");
	s = g_strconcat(good_text, FIELDS_BUT_HS "echo handshake_secret=-1; echo status=ok", NULL);
	with_fake_helper(s, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
	                 "without the required handshake_secret");
	g_free(s);
	s = g_strconcat("echo version_text=OpenSSL 9.9.9 1 Jan 2000; ",
	                GOOD_FIELDS "echo status=ok", NULL);
	with_fake_helper(s, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
	                 "the loaded library reports");
	g_free(s);
	s = g_strconcat(good_text, "echo version=0; echo client_random=99999; echo status=ok",
	                NULL);
	with_fake_helper(s, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT,
	                 "an invalid offset for client_random");
	g_free(s);
	with_fake_helper("echo crashing >&2; kill -SEGV $$", EC_LAYOUT_ERROR,
	                 EC_LAYOUT_ERROR_HELPER, "killed by signal 11");
	with_fake_helper("echo half=; exit 3", EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
	                 "exited with code 3");
	g_free(good_text);
}

static void test_timeout(void)
{
	gint64 t0 = g_get_monotonic_time();

	with_fake_helper("exec sleep 60", EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_HELPER,
	                 "did not finish within 10 s");
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 15 * G_USEC_PER_SEC);
}

/*
 * A fake container: a root directory holding libssl and a libcrypto whose version text is
 * patched, behind an absolute symlink (which the kernel would resolve on OUR root), and a
 * process chrooted into it. Calibrating through /proc/PID/root must use the container's files.
 */
#define FAKE_TEXT "OpenSSL 3.0.77 1 Jan 2030"

static gchar *make_root(void)
{
	gchar *root = g_dir_make_tmp("ec-container-XXXXXX", NULL);
	gchar *libdir = g_build_filename(root, "usr/lib/x86_64-linux-gnu", NULL);
	gchar *lib = g_build_filename(root, "lib", NULL);
	gchar *crypto = g_build_filename(libdir, "libcrypto.so.3.0", NULL);
	gchar *link = g_build_filename(libdir, "libcrypto.so.3", NULL);
	gchar *data = NULL, *at;
	const char *text = OpenSSL_version(OPENSSL_VERSION);
	gsize len = 0;

	g_assert_cmpint(g_mkdir_with_parents(libdir, 0755), ==, 0);
	g_assert_cmpint(symlink("usr/lib", lib), ==, 0);
	g_free(copy_lib(LIBSSL, libdir));
	g_assert_true(g_file_get_contents(LIBCRYPTO, &data, &len, NULL));
	at = memmem(data, len, text, strlen(text) + 1);
	g_assert_nonnull(at);
	g_assert_cmpuint(strlen(FAKE_TEXT), <=, strlen(text));
	memset(at, 0, strlen(text));
	memcpy(at, FAKE_TEXT, strlen(FAKE_TEXT));
	g_assert_true(g_file_set_contents(crypto, data, (gssize)len, NULL));
	g_assert_cmpint(symlink("/lib/x86_64-linux-gnu/libcrypto.so.3.0", link), ==, 0);
	g_free(data);
	g_free(link);
	g_free(crypto);
	g_free(lib);
	g_free(libdir);
	return root;
}

/* A child process whose root is ROOT; it waits to be killed. */
static pid_t jail(const char *root)
{
	int ready[2];
	char ok = 0;
	pid_t pid;

	g_assert_cmpint(pipe(ready), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		/* not root: a user namespace gives CAP_SYS_CHROOT */
		if (chroot(root) < 0 && (unshare(CLONE_NEWUSER) < 0 || chroot(root) < 0))
			_exit(1);
		if (chdir("/") < 0 || write(ready[1], "y", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	g_assert_cmpint(read(ready[0], &ok, 1), ==, 1);
	close(ready[0]);
	return pid;
}

static void test_container_root(void)
{
	gchar *root = make_root();
	pid_t pid = jail(root);
	gchar *inside = g_strdup_printf("/proc/%d/root/usr/lib/x86_64-linux-gnu/libssl.so.3", pid);
	gchar *crypto =
	    g_strdup_printf("/proc/%d/root/usr/lib/x86_64-linux-gnu/libcrypto.so.3.0", pid);
	struct ec_openssl_version v;
	struct ec_ssl_layout got, want;
	gchar *text = NULL;
	GError *err = NULL;
	int status;

	g_assert_cmpint(ec_openssl_version_detect(inside, &v, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(v.text, ==, FAKE_TEXT);
	g_assert_cmpstr(v.libcrypto_path, ==, crypto);
	ec_openssl_version_clear(&v);

	/* the helper loaded the container's libcrypto too: it reports the patched text */
	g_assert_cmpint(ec_ssl_layout_calibrate(inside, &got, &text, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(text, ==, FAKE_TEXT);
	calibrate_installed(&want, NULL);
	g_assert_cmpmem(&got, sizeof(got), &want, sizeof(want));

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	{
		gchar *argv[] = {"rm", "-rf", root, NULL};

		g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
		                           NULL, &status, NULL));
	}
	g_free(text);
	g_free(crypto);
	g_free(inside);
	g_free(root);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* ctest sets it; by hand, the build directory this test was configured in */
	g_setenv("ECAPTURE_HELPER_DIR", TEST_BINARY_DIR, FALSE);
	bind_libssl();
	make_cert();
	g_test_add_func("/ssl_layout/installed", test_installed);
	g_test_add_func("/ssl_layout/facts", test_facts);
	g_test_add_func("/ssl_layout/cached", test_cached);
	g_test_add_func("/ssl_layout/describe", test_describe);
	g_test_add_func("/ssl_layout/helper_direct", test_helper_direct);
	g_test_add_func("/ssl_layout/bad_paths", test_bad_paths);
	g_test_add_func("/ssl_layout/container_root", test_container_root);
	g_test_add_func("/ssl_layout/fake_helpers", test_fake_helpers);
	g_test_add_func("/ssl_layout/timeout", test_timeout);
	return g_test_run();
}
