#!/bin/bash
# tools/linux/fetch-kernel.sh CACHE - a Debian Linux kernel to run the user
# tests on, for side-by-side comparison with ours (docs/design.md,
# "QEMU and the machines").
#
# Prints the path of a vmlinuz under CACHE on stdout (everything else goes
# to stderr).  The package is fetched with `apt-get download` and unpacked
# with `dpkg-deb -x`, never installed.  Only boot/ is kept (the initramfs
# and the serial console need no modules), and, in CACHE/PACKAGE/modules,
# the virtio modules make bench loads to reach its swap disk (Debian
# builds the virtio core, its PCI transport and virtio_blk as modules:
# drivers/virtio/*.ko and drivers/block/virtio_blk.ko, ~0.5 MB; see
# tools/bench/fetch-modules.sh) and the file system modules make
# test-linux loads to mount the ext2 disk (ext4 and what it needs, ~2.5
# MB; see tools/linux/fetch-modules.sh), so a kernel costs ~13 MB.
#
# CACHE lives outside build/ so that `make clean` keeps it; the Makefile
# passes $(XDG_CACHE_HOME:-$HOME/.cache)/uvmkern/linux.  Delete a folder
# there to fetch again.
#
# The package is the one docs/design.md names ($LINUX_PACKAGE overrides it, to
# try another kernel or the fallback).  If apt no longer offers it (the
# security archive drops old ABIs), the newest linux-image-*-amd64-unsigned
# of the standard flavour is used instead, and the script says which.
set -euo pipefail

WANTED=${LINUX_PACKAGE:-linux-image-6.1.0-56-amd64-unsigned}
cache=$1

say() { echo "test-linux: $*" >&2; }

cached_vmlinuz() {
	ls "$cache/$1"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true
}

apt_has() {
	apt-cache show "$1" 2>/dev/null | grep -q '^Version:'
}

apt_update_once() {
	[ -n "${updated:-}" ] && return 0
	updated=1
	if [ "$(id -u)" -eq 0 ]; then
		say "apt-get update"
		apt-get update -qq >&2 || true
	else
		say "not root: cannot run apt-get update; using apt's current lists"
	fi
}

# The newest standard-flavour unsigned amd64 image apt knows (no cloud/rt).
newest_offered() {
	apt-cache search --names-only '^linux-image-.*-amd64-unsigned$' |
		awk '{print $1}' | grep -vE -- '-(cloud|rt)-amd64-unsigned$' |
		sort -V | tail -n 1
}

choose_package() {
	if apt_has "$WANTED"; then echo "$WANTED"; return; fi
	apt_update_once
	if apt_has "$WANTED"; then echo "$WANTED"; return; fi
	local pkg
	pkg=$(newest_offered)
	[ -n "$pkg" ] || { say "apt offers no linux-image-*-amd64-unsigned"; exit 1; }
	say "$WANTED is gone from apt; using the newest offered: $pkg"
	echo "$pkg"
}

download_and_unpack() {
	local pkg=$1 tmp
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# As root apt downloads as its _apt user, who cannot enter a private
	# home: it warns and falls back to root.  Ask for root directly.
	sandbox=""
	[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
	say "apt-get download $pkg (into $cache)"
	(cd "$tmp" && apt-get download -q $sandbox "$pkg" >&2) || {
		apt_update_once
		(cd "$tmp" && apt-get download -q $sandbox "$pkg" >&2)
	}
	dpkg-deb -x "$tmp"/*.deb "$tmp/root"
	mkdir -p "$cache/$pkg" "$tmp/modules"
	mv "$tmp/root/boot" "$cache/$pkg/boot"
	find "$tmp/root" \( -path '*/kernel/drivers/virtio/*.ko' -o \
		-path '*/kernel/drivers/block/virtio_blk.ko' -o \
		-path '*/kernel/fs/ext4/ext4.ko' -o -path '*/kernel/fs/jbd2/jbd2.ko' -o \
		-path '*/kernel/fs/mbcache.ko' -o -path '*/kernel/lib/crc16.ko' -o \
		-path '*/kernel/crypto/crc32c_generic.ko' \) -exec cp {} "$tmp/modules/" \;
	if ls "$tmp/modules"/*.ko >/dev/null 2>&1; then
		rm -rf "$cache/$pkg/modules"
		mv "$tmp/modules" "$cache/$pkg/modules"
	fi
	{ dpkg-deb -f "$tmp"/*.deb Package Version; echo; } > "$cache/$pkg/PACKAGE"
	rm -rf "$tmp"
}

mkdir -p "$cache"
# A cached copy of the wanted package needs no apt at all; nor does the
# fallback an earlier run chose (recorded in $cache/FALLBACK).
v=$(cached_vmlinuz "$WANTED")
if [ -z "$v" ] && [ -s "$cache/FALLBACK" ]; then
	pkg=$(cat "$cache/FALLBACK")
	v=$(cached_vmlinuz "$pkg")
	[ -n "$v" ] && say "$WANTED is gone from apt; using the cached $pkg"
fi
if [ -z "$v" ]; then
	pkg=$(choose_package)
	[ "$pkg" = "$WANTED" ] || echo "$pkg" > "$cache/FALLBACK"
	v=$(cached_vmlinuz "$pkg")
	if [ -z "$v" ]; then
		download_and_unpack "$pkg"
		v=$(cached_vmlinuz "$pkg")
	fi
fi
[ -n "$v" ] || { say "no vmlinuz after unpacking"; exit 1; }
echo "$v"
