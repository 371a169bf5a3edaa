#!/bin/bash
# tools/bench/fetch-modules.sh CACHE VMLINUZ - the Linux modules make bench
# needs to reach a virtio disk, kept next to the kernel test-linux uses.
#
# Prints on stdout the .ko files to load, dependencies first, one path per
# line; messages go to stderr.
#
# Why it exists: Debian builds the virtio core, the virtio PCI transport
# and virtio_blk as modules (CONFIG_VIRTIO_BLK=m, CONFIG_VIRTIO_PCI=m in
# boot/config-*), and the swap benchmark needs /dev/vda on Linux.
# tools/linux/fetch-kernel.sh keeps those modules (drivers/virtio/*.ko and
# drivers/block/virtio_blk.ko) in CACHE/PACKAGE/modules when it unpacks
# the package, and this script uses them.  A cache from before it did so
# has boot/ only: then, and only then, this script fetches the same
# package once more with `apt-get download` and takes out the same
# modules.  They are not compressed (the config says
# CONFIG_MODULE_COMPRESS_NONE), so the bench program hands them straight
# to finit_module.  The package holds no modules.dep (depmod makes it at
# install time), so the load order comes from each module's own
# "depends=" field in its .modinfo section.
#
# VMLINUZ is what fetch-kernel.sh printed; its folder names the package.
set -euo pipefail
cache=$1 vmlinuz=$2
pkgdir=$(dirname "$(dirname "$vmlinuz")")
pkg=$(basename "$pkgdir")
mods=$pkgdir/modules
WANT="virtio_pci virtio_blk"    # the transport finds the disk, blk drives it

say() { echo "bench: $*" >&2; }

# The fallback for a cache fetch-kernel.sh filled before it kept modules.
if ! ls "$mods"/*.ko >/dev/null 2>&1; then
	tmp=$(mktemp -d "$cache/.modules.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	sandbox=""
	[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
	say "apt-get download $pkg (for its virtio modules)"
	(cd "$tmp" && apt-get download -q $sandbox "$pkg" >&2)
	mkdir -p "$tmp/x"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards \
		'./lib/modules/*/kernel/drivers/virtio/*.ko' \
		'./lib/modules/*/kernel/drivers/block/virtio_blk.ko'
	rm -rf "$mods.new" && mkdir -p "$mods.new"
	find "$tmp/x" -name '*.ko' -exec cp {} "$mods.new/" \;
	rm -rf "$mods" && mv "$mods.new" "$mods"
fi

# Depth first: a module's dependencies go out before the module itself.
declare -A seen=()
visit() {
	local m=$1 deps
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	[ -f "$mods/$m.ko" ] || { say "no $m.ko in $mods"; exit 1; }
	deps=$(strings -a "$mods/$m.ko" | sed -n 's/^depends=//p' | tr ',' ' ')
	for d in $deps; do visit "$d"; done
	echo "$mods/$m.ko"
}
for w in $WANT; do visit "$w"; done
