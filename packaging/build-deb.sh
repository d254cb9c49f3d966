#!/usr/bin/env bash
# Builds the Debian package ecapture-wireshark_VERSION_ARCH.deb into OUTDIR:
#   packaging/build-deb.sh OUTDIR            here, with this machine's build dependencies
#                                            (those of debian/control; quickstart.sh installs them)
#   packaging/build-deb.sh OUTDIR RELEASE    in a clean chroot of Debian RELEASE (bookworm,
#                                            trixie) made by mmdebstrap, as a Debian builder
#                                            would: debian/control's build dependencies and
#                                            nothing else, no /proc or /sys; versioned for the
#                                            release (VERSION~deb12u1, ~deb13u1); lintian run
#                                            there must find no error or warning
# From a copy of the source tree (tracked and new files, not build trees), with packaging/debian
# as its debian/ directory.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR [bookworm|trixie]" >&2; exit 2; }
[ $# -eq 1 ] || [ $# -eq 2 ] || usage
release=${2:-}
case "$release" in
"") suffix= dist=unstable ;;
bookworm) suffix="~deb12u1" dist=bookworm ;;
trixie) suffix="~deb13u1" dist=trixie ;;
*) usage ;;
esac
src=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
version=$(sed -n 's/^project(ecapture-wireshark VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || { echo "build-deb.sh: no version in CMakeLists.txt" >&2; exit 1; }

work=$(mktemp -d /tmp/ecapture-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree="$work/ecapture-wireshark-$version"
mkdir "$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' |
		tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	tar -C "$src" --exclude=./build --exclude='./build-*' -cf - . | tar -xf - -C "$tree"
fi
cp -r "$src/packaging/debian" "$tree/debian"
cat >"$tree/debian/changelog" <<CHANGELOG
ecapture-wireshark ($version$suffix) $dist; urgency=medium

  * Release $version${release:+ for Debian $release}.

 -- ecapture-wireshark developers <ecapture-wireshark@lists.example.org>  $(date -R)
CHANGELOG

if [ -z "$release" ]; then
	(cd "$tree/debian" && debconf-updatepo >/dev/null)
	(cd "$tree" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$work/build.log" 2>&1 || {
		tail -n 60 "$work/build.log" >&2
		echo "build-deb.sh: dpkg-buildpackage failed (log above)" >&2
		exit 1
	}
	mv "$work"/ecapture-wireshark_*.deb "$out"/
	ls "$out"/ecapture-wireshark_"$version"_*.deb
	exit 0
fi

command -v mmdebstrap >/dev/null || { echo "build-deb.sh: mmdebstrap is needed for a chroot build" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "build-deb.sh: a chroot build runs as root (mmdebstrap, chroot)" >&2; exit 1; }
# debian/control's Build-Depends, without versions; debhelper-compat is provided by debhelper.
deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/{s/^Build-Depends://;/^[A-Z]/d;p}' "$tree/debian/control" |
	tr ',' '\n' | sed 's/(.*)//; s/[[:space:]]//g; s/^debhelper-compat$/debhelper/' | grep . | paste -sd, -)
echo "build-deb.sh: a $release chroot with: build-essential,$deps,lintian"
root=$work/root
mmdebstrap --variant=buildd --include="$deps,lintian" "$release" "$root" >"$work/chroot.log" 2>&1 || {
	tail -n 30 "$work/chroot.log" >&2
	echo "build-deb.sh: mmdebstrap $release failed (log above)" >&2
	exit 1
}
mkdir "$root/build"
cp -a "$tree" "$root/build/"
tree="$root/build/ecapture-wireshark-$version"
# Nothing of this machine's kernel: no /proc, no /sys in the chroot while it builds.
if mountpoint -q "$root/proc" || mountpoint -q "$root/sys"; then
	echo "build-deb.sh: $root has /proc or /sys mounted" >&2
	exit 1
fi
chroot "$root" /bin/sh -c "cd /build/ecapture-wireshark-$version/debian && debconf-updatepo >/dev/null &&
	cd .. && dpkg-buildpackage -b -us -uc -j$(nproc)" >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed in the $release chroot (log above)" >&2
	exit 1
}
deb=$(cd "$root/build" && ls ecapture-wireshark_"$version$suffix"_*.deb)
chmod a+rx "$root/build" && chmod a+r "$root/build/$deb"
chroot --userspec=nobody:nogroup "$root" env HOME=/tmp lintian --fail-on error,warning "/build/$deb" \
	>"$work/lintian.log" 2>&1 || {
	cat "$work/lintian.log" >&2
	echo "build-deb.sh: lintian ($release) found errors or warnings in $deb" >&2
	exit 1
}
[ -s "$work/lintian.log" ] && sed 's/^/lintian: /' "$work/lintian.log"
mv "$root/build/$deb" "$out"/
# The BPF objects the package's programs embed, to compare with any other build of the same
# source by the same compiler (they do not depend on the machine or directory).
(cd "$tree"/obj-*/bpf && sha256sum -- *.bpf.o) >"$out/${deb%.deb}.bpf.sha256"
ls "$out/$deb" "$out/${deb%.deb}.bpf.sha256"
