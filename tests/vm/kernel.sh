#!/usr/bin/env bash
# tests/vm/kernel.sh VERSION [CACHE]: fetch Debian's cloud kernel VERSION (5.10, 6.1, 6.12) into
# CACHE/kernels (default /var/cache/ecapture-vm), once per package version. Prints the directory
# holding vmlinuz, modules.cpio (usr/lib/modules/<release>, newc) and release (uname -r).
# The package comes from a private apt configuration under CACHE/apt/<suite> (the machine's
# sources are not touched); the newest package of the series in the suite's lists is taken.
set -euo pipefail
ver=${1:?usage: kernel.sh 5.10|6.1|6.12 [cache]}
cache=${2:-${ECAPTURE_VM_CACHE:-/var/cache/ecapture-vm}}
case $ver in
5.10) suite=bullseye pattern='^linux-image-5\.10\.0-[0-9]+-cloud-amd64$' ;;
6.1) suite=bookworm pattern='^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' ;;
6.12) suite=trixie pattern='^linux-image-6\.12\.[0-9]+\+deb13-cloud-amd64-unsigned$' ;;
*) echo "kernel.sh: unknown kernel $ver (5.10, 6.1, 6.12)" >&2; exit 2 ;;
esac
say() { echo "kernel.sh: $*" >&2; }

# The archive the machine already uses (deb.debian.org or a mirror of it).
mirror=$(grep -rhE '^(URIs:|deb) ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
	grep -oE 'https?://[^ ]*/debian/?( |$)' | head -1 || true)
mirror=${mirror% }
mirror=${mirror%/}
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

apt_dir=$cache/apt/$suite
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security $suite-security main
LIST
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Architecture=amd64)

# Refresh the lists at most once a day; without the archive, the lists already here do.
stamp=$apt_dir/updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	if apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1 &&
		! grep -q '^[WE]: Failed to fetch' "$apt_dir/update.log"; then
		touch "$stamp"
	else
		say "apt-get update for $suite failed (using the lists already here): $(tail -1 "$apt_dir/update.log")"
	fi
fi
pkg=$(apt-cache "${apt_opts[@]}" search --names-only "$pattern" | awk '{print $1}' | sort -V | tail -1)
[ -n "$pkg" ] || { say "no package matching $pattern in $suite's lists"; exit 1; }
pver=$(apt-cache "${apt_opts[@]}" show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -1)
dir=$cache/kernels/${pkg}_$pver
if [ ! -s "$dir/modules.cpio" ]; then
	say "fetching $pkg $pver"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/x"
	(cd "$dir.tmp" && apt-get "${apt_opts[@]}" -q download "$pkg=$pver" >download.log 2>&1) ||
		{ say "apt-get download $pkg failed: $(tail -1 "$dir.tmp/download.log")"; exit 1; }
	dpkg -x "$dir.tmp"/*.deb "$dir.tmp/x"
	cp "$dir.tmp"/x/boot/vmlinuz-* "$dir.tmp/vmlinuz"
	mods=$(find "$dir.tmp/x" -mindepth 3 -maxdepth 4 -path "*/lib/modules/*" -type d -prune | head -1)
	release=$(basename "$mods")
	echo "$release" >"$dir.tmp/release"
	# The guest root has /lib -> usr/lib: the modules go under usr/lib/modules.
	mkdir -p "$dir.tmp/m/usr/lib/modules"
	mv "$mods" "$dir.tmp/m/usr/lib/modules/$release"
	PATH=$PATH:/usr/sbin:/sbin depmod -b "$dir.tmp/m/usr" "$release"
	(cd "$dir.tmp/m" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$dir.tmp/modules.cpio"
	rm -rf "$dir.tmp/x" "$dir.tmp/m" "$dir.tmp"/*.deb
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
