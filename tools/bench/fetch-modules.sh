#!/bin/bash
# tools/bench/fetch-modules.sh CACHE VMLINUZ [SET] - the Linux modules make
# bench needs, kept next to the kernel test-linux uses.
#
# Prints on stdout the .ko files of SET to load, dependencies first, one
# path per line; messages go to stderr.  The sets:
#
#   virtio (the default)  virtio_pci and virtio_blk: the swap boot's vda
#                         and the file boot's vdc
#   fs                    ext4 and crc32c_generic: the file boot mounts
#                         vdc as ext2
#
# Why it exists: Debian builds the virtio core, the virtio PCI transport
# and virtio_blk as modules (CONFIG_VIRTIO_BLK=m, CONFIG_VIRTIO_PCI=m in
# boot/config-*), and the swap benchmark needs /dev/vda on Linux.  Nor is
# ext2 built in: CONFIG_EXT2_FS is off and CONFIG_EXT4_FS=m with
# CONFIG_EXT4_USE_FOR_EXT2=y, so the ext4 module (with jbd2, mbcache and
# crc16, its "depends=") is what mounts an ext2 file system.  ext4 also
# wants a "crc32c" hash (a "softdep=pre: crc32c", which only modprobe
# reads): under -cpu qemu64 there is no SSE4.2 for crc32c-intel, so the
# set names crypto/crc32c_generic.ko itself.
#
# tools/linux/fetch-kernel.sh keeps the virtio modules (drivers/virtio/*.ko
# and drivers/block/virtio_blk.ko) in CACHE/PACKAGE/modules when it
# unpacks the package, and this script uses them.  When a module of SET
# or of its dependencies is missing there - the fs set always, the first
# time; a cache from before fetch-kernel.sh kept modules - this script
# fetches the same package once more with `apt-get download`, takes out
# the folders the sets live in (drivers/virtio, drivers/block, fs, lib,
# crypto) and adds the modules SET needs to CACHE/PACKAGE/modules, so it
# happens once.  They are not compressed (the config says
# CONFIG_MODULE_COMPRESS_NONE), so the bench program hands them straight
# to finit_module.  The package holds no modules.dep (depmod makes it at
# install time), so the load order comes from each module's own
# "depends=" field in its .modinfo section.
#
# VMLINUZ is what fetch-kernel.sh printed; its folder names the package.
set -euo pipefail
cache=$1 vmlinuz=$2 set=${3:-virtio}
pkgdir=$(dirname "$(dirname "$vmlinuz")")
pkg=$(basename "$pkgdir")
mods=$pkgdir/modules

case $set in
virtio) WANT="virtio_pci virtio_blk" ;;   # the transport finds the disk, blk drives it
fs)     WANT="ext4 crc32c_generic" ;;
*)      echo "bench: fetch-modules.sh: no module set '$set' (virtio, fs)" >&2; exit 2 ;;
esac

say() { echo "bench: $*" >&2; }

# ko DIR NAME: the file of module NAME in DIR (a file name may spell the
# module's _ as -: crc32c-intel.ko is module crc32c_intel).
ko() {
	local f
	for f in "$1/$2.ko" "$1/${2//_/-}.ko"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# closure DIR: the files of WANT and everything they depend on, found in
# DIR, depth first (a module's dependencies before the module itself);
# fails, naming the first one missing, if DIR lacks one.
declare -A seen=()
visit() {
	local dir=$1 m=$2 f deps d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(ko "$dir" "$m") || { echo "missing $m" >&2; return 1; }
	deps=$(strings -a "$f" | sed -n 's/^depends=//p' | tr ',' ' ')
	for d in $deps; do visit "$dir" "$d" || return 1; done
	echo "$f"
}
closure() {
	local w
	seen=()
	for w in $WANT; do visit "$1" "$w" || return 1; done
}

# What the cache lacks comes from the package, once.
fetch() {
	local tmp sandbox="" f
	tmp=$(mktemp -d "$cache/.modules.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
	say "apt-get download $pkg (for its $set modules)"
	(cd "$tmp" && apt-get download -q $sandbox "$pkg" >&2)
	mkdir -p "$tmp/x" "$tmp/flat"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards \
		'./lib/modules/*/kernel/drivers/virtio/*.ko' \
		'./lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
		'./lib/modules/*/kernel/fs/*.ko' \
		'./lib/modules/*/kernel/lib/*.ko' \
		'./lib/modules/*/kernel/crypto/*.ko'
	find "$tmp/x" -name '*.ko' -exec cp {} "$tmp/flat/" \;
	mkdir -p "$mods"
	for f in $(closure "$tmp/flat"); do cp "$f" "$mods/"; done
	rm -rf "$tmp"
	trap - EXIT
}

closure "$mods" >/dev/null 2>&1 || fetch
closure "$mods"
