#!/bin/sh
# tools/deps.sh - make sure the build and test tools are installed.
#
# Checks for each command the Makefile uses.  Whatever is missing is
# installed with apt-get when we are root (Debian 12); otherwise the exact
# command to run is printed and the build stops.
set -e

# command  Debian package
NEEDED="
nasm nasm
qemu-system-x86_64 qemu-system-x86
grub-mkrescue grub-common
xorriso xorriso
mformat mtools
gdb gdb
musl-gcc musl-tools
cpio cpio
python3 python3
mke2fs e2fsprogs
"

missing=$(echo "$NEEDED" | while read -r cmd pkg; do
	if [ -n "$cmd" ] && ! command -v "$cmd" >/dev/null 2>&1; then
		echo "$pkg"
	fi
done)
# grub-mkrescue needs the BIOS (i386-pc) modules from grub-pc-bin.
[ -d /usr/lib/grub/i386-pc ] || missing="$missing grub-pc-bin"
missing=$(echo $missing)

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq $missing >/dev/null
	echo "deps: installed"
	exit 0
fi
echo "deps: missing packages: $missing"
echo "deps: run this, then make again:"
echo "    sudo apt-get update && sudo apt-get install -y $missing"
exit 1
