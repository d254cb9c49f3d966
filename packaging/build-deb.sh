#!/usr/bin/env bash
# Builds the Debian package ecapture-wireshark_VERSION_ARCH.deb into OUTDIR:
#   packaging/build-deb.sh OUTDIR
# From a copy of the source tree (tracked and new files, not build trees), with packaging/debian
# as its debian/ directory; needs the build dependencies of debian/control (quickstart.sh
# installs them).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
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
ecapture-wireshark ($version) unstable; urgency=medium

  * Release $version.

 -- ecapture-wireshark developers <ecapture-wireshark@lists.example.org>  $(date -R)
CHANGELOG
(cd "$tree/debian" && debconf-updatepo >/dev/null)
(cd "$tree" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
mv "$work"/ecapture-wireshark_*.deb "$out"/
ls "$out"/ecapture-wireshark_"$version"_*.deb
