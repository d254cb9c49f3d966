#!/usr/bin/env bash
# Small real ELF files for the elf_info, sym_table, ssl_version and calibrate_deps corpora: stand-ins for a libssl
# and its libcrypto (SONAME, DT_NEEDED, RUNPATH, symbol versions, build-id, the version text in
# .rodata), a program with a full symbol table, and an object file. A few KB each.
# Usage: make_elf_seeds.sh CORPUS_DIR (the folder that holds elf_info/, sym_table/, ssl_version/,
# calibrate_deps/)
set -euo pipefail
out=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
flags=(-Os -fno-asynchronous-unwind-tables -Wl,--build-id -Wl,-z,max-page-size=0x1000
	-Wl,-z,noseparate-code -nostdlib)

cat >crypto.c <<'C'
const char version_text[] = "OpenSSL 3.0.99 1 Jan 2030";
int CRYPTO_malloc(int n) { return n; }
C
cat >crypto.map <<'C'
OPENSSL_3.0.0 { global: CRYPTO_malloc; local: *; };
C
cat >ssl.c <<'C'
extern int CRYPTO_malloc(int n);
int SSL_write(int n) { return CRYPTO_malloc(n); }
int SSL_read(int n) { return n; }
int SSL_write_old(int n) { return n; }
__asm__(".symver SSL_write_old,SSL_write@OPENSSL_1_1_0");
C
cat >ssl.map <<'C'
OPENSSL_1_1_0 { global: SSL_write_old; };
OPENSSL_3.0.0 { global: SSL_write; SSL_read; local: *; } OPENSSL_1_1_0;
C
cat >prog.c <<'C'
static int helper(int n) { return n * 3; }
int counter;
int _start(void) { return helper(counter); }
C
cat >static_ssl.c <<'C'
const char text[] = "OpenSSL 1.1.1w  11 Sep 2023";
int SSL_write(int n) { return n; }
C

gcc -shared -fPIC "${flags[@]}" -Wl,-soname,libcrypto.so.3 -Wl,--version-script=crypto.map \
	crypto.c -o libcrypto.so.3
gcc -shared -fPIC "${flags[@]}" -Wl,-soname,libssl.so.3 -Wl,--version-script=ssl.map \
	-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib:/opt/ssl/lib' ssl.c -L. -l:libcrypto.so.3 \
	-o libssl.so.3
gcc -shared -fPIC "${flags[@]}" -Wl,-soname,libssl.so.1.1 static_ssl.c -o libssl_static.so
gcc "${flags[@]}" -no-pie prog.c -o prog
gcc -c -Os prog.c -o prog.o
strip --strip-unneeded libcrypto.so.3 libssl.so.3 libssl_static.so

mkdir -p "$out/elf_info" "$out/sym_table" "$out/ssl_version" "$out/calibrate_deps"
for f in libcrypto.so.3 libssl.so.3 libssl_static.so prog prog.o; do
	cp "$f" "$out/elf_info/$f"
	cp "$f" "$out/sym_table/$f"
done
# ssl_version inputs: a libssl, or a libssl, the separator and the libcrypto next to it
cp libssl_static.so "$out/ssl_version/static_libssl"
{ cat libssl.so.3; printf '\n--ecfuzz--\n'; cat libcrypto.so.3; } >"$out/ssl_version/libssl_libcrypto"
cp libssl.so.3 "$out/ssl_version/libssl_alone"
# the helper's DT_NEEDED reader: shared objects with and without needed libraries
cp libssl.so.3 libcrypto.so.3 "$out/calibrate_deps/"
