#!/bin/sh
# tools/rootfs/fetch-debs.sh LIST DIR - fetch the Debian packages LIST names.
#
# LIST (rootfs/packages) has one "NAME VERSION" per line; each package is
# fetched with `apt-get download NAME=VERSION` into DIR/NAME/ and kept
# there, so a second run fetches only what the list changed.  When the
# archive no longer has VERSION (Debian replaces point releases), the
# current version is taken with a warning; DIR/versions lists what was
# taken, in LIST's format (`make rootfs-pin` copies it over LIST).
set -eu
list=$1
dir=$2
mkdir -p "$dir"
: > "$dir/versions.new"
grep -v '^[[:space:]]*#' "$list" | while read -r name ver; do
	[ -n "$name" ] || continue
	pkg=$dir/$name
	if [ "$(cat "$pkg/want" 2>/dev/null)" != "$ver" ] || ! ls "$pkg"/*.deb > /dev/null 2>&1; then
		rm -rf "$pkg" && mkdir -p "$pkg"
		echo "  APT     $name $ver"
		if ! (cd "$pkg" && apt-get download -q "$name=$ver") > "$pkg/apt.log" 2>&1; then
			echo "warning: $name $ver is not in the archive any more; taking its current version" >&2
			(cd "$pkg" && apt-get download -q "$name") > "$pkg/apt.log" 2>&1 ||
				{ cat "$pkg/apt.log"; echo "error: apt-get download $name failed" >&2; exit 1; }
		fi
		echo "$ver" > "$pkg/want"
	fi
	echo "$name $(dpkg-deb -f "$pkg"/*.deb Version)" >> "$dir/versions.new"
done
mv "$dir/versions.new" "$dir/versions"
