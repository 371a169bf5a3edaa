#!/bin/bash
# tools/linux/fetch-modules.sh CACHE VMLINUZ MODULE... - the Linux modules
# that make test-linux loads, kept next to the kernel it boots.
#
# Prints on stdout the .ko files to load for the MODULEs, dependencies
# first, one path per line; messages go to stderr.
#
# Debian builds what the ext2 disk needs as modules: the virtio PCI
# transport and virtio_blk (CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_BLK=m), and
# ext4 (CONFIG_EXT4_FS=m; CONFIG_EXT4_USE_FOR_EXT2=y, so it mounts ext2)
# with jbd2, mbcache and crc16.  ext4 asks the crypto layer for "crc32c"
# by name rather than through a module dependency, so crc32c_generic is
# named too.  tools/linux/fetch-kernel.sh keeps all of these in
# CACHE/PACKAGE/modules; a cache from before it did lacks some, and then,
# and only then, this script fetches the same package once more with
# `apt-get download` and adds what is missing.  The modules are not
# compressed (CONFIG_MODULE_COMPRESS_NONE), so init hands them straight to
# finit_module.  The package holds no modules.dep (depmod makes it at
# install time), so the load order comes from each module's own
# "depends=" field in its .modinfo section.
#
# VMLINUZ is what fetch-kernel.sh printed; its folder names the package.
# (tools/bench/fetch-modules.sh does the same for bench's virtio modules.)
set -euo pipefail
cache=$1 vmlinuz=$2
shift 2
pkgdir=$(dirname "$(dirname "$vmlinuz")")
pkg=$(basename "$pkgdir")
mods=$pkgdir/modules
# Where each module lives in the package, under lib/modules/*/kernel/.
KEEP="drivers/virtio/*.ko drivers/block/virtio_blk.ko fs/ext4/ext4.ko
fs/jbd2/jbd2.ko fs/mbcache.ko lib/crc16.ko crypto/crc32c_generic.ko"

say() { echo "test-linux: $*" >&2; }

complete() {
	for m in "$@"; do [ -f "$mods/$m.ko" ] || return 1; done
	return 0
}

if ! complete "$@"; then
	tmp=$(mktemp -d "$cache/.modules.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	sandbox=""
	[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
	say "apt-get download $pkg (for its virtio and ext4 modules)"
	(cd "$tmp" && apt-get download -q $sandbox "$pkg" >&2)
	mkdir -p "$tmp/x"
	patterns=()
	for k in $KEEP; do patterns+=("./lib/modules/*/kernel/$k"); done
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards "${patterns[@]}"
	rm -rf "$mods.new" && mkdir -p "$mods.new"
	[ -d "$mods" ] && cp "$mods"/*.ko "$mods.new/" 2>/dev/null || true
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
for w in "$@"; do visit "$w"; done
