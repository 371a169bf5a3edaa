#!/bin/sh
# tools/rootfs/mkrootfs.sh LIST DEBDIR STAGE - unpack the packages into a tree.
#
# Every package LIST names (fetched into DEBDIR by fetch-debs.sh) is
# unpacked into STAGE as Debian 12 lays a system out, with /usr merged:
#
#   STAGE/bin -> usr/bin    STAGE/lib -> usr/lib    (so /bin/busybox and
#   STAGE/sbin -> usr/sbin  STAGE/lib64 -> usr/lib64  /usr/bin/busybox are
#                                                      one file)
#
# then busybox gets a link for each of its applets where it says they go
# (`busybox --list-full`: bin/ls, usr/bin/free, sbin/init, ...), unless a
# package put a real program there, and ldconfig writes /etc/ld.so.cache.  Manual pages and documents are left
# out; the Makefile adds disk/ and the project's programs and packs STAGE
# with mke2fs.
set -eu
list=$1
debs=$2
stage=$3
rm -rf "$stage"
mkdir -p "$stage/usr/bin" "$stage/usr/sbin" "$stage/usr/lib" "$stage/usr/lib64"
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done
grep -v '^[[:space:]]*#' "$list" | while read -r name ver; do
	[ -n "$name" ] || continue
	dpkg-deb --fsys-tarfile "$debs/$name"/*.deb |
		tar -x --keep-directory-symlink -C "$stage" \
			--exclude=./usr/share/doc --exclude=./usr/share/man \
			--exclude=./usr/share/info --exclude=./usr/share/lintian \
			--exclude=./usr/share/locale --exclude=./usr/share/bug
done
for applet in $("$stage/bin/busybox" --list-full); do
	[ -e "$stage/$applet" ] || [ -L "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
# ld.so's cache of where each library is (Debian's libc-bin makes it with
# ldconfig at install time): a dynamic program's libraries are then found
# with one lookup each, not a search of every library directory.
echo 'include /etc/ld.so.conf.d/*.conf' > "$stage/etc/ld.so.conf"
PATH="$PATH:/sbin:/usr/sbin" ldconfig -r "$stage"
