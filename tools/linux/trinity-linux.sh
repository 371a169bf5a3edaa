#!/bin/bash
# tools/linux/trinity-linux.sh UBUILD LIBS WORK CACHE SEED CALLS TIMEOUT -
# make test-linux's trinity boot: the trinity command of make test's
# trinity boot (tests/kern/sys/trinity_test.c) on Debian's Linux, for
# comparison (docs/debian.md).
#
#   UBUILD   the built user programs: UBUILD/init is /init
#   LIBS     where ld-linux-x86-64.so.2 and libc.so.6 are (the root file
#            system's /usr/lib/x86_64-linux-gnu, from rootfs/packages)
#   WORK     where the initramfs tree, the disk copy and the log go
#   CACHE    the kernel package (tools/linux/fetch-kernel.sh)
#   SEED, CALLS  trinity's -s and -N
#   TIMEOUT  seconds before the boot counts as a hang
#
# The initramfs is user/init.c as /init, the virtio and ext4 modules (as
# make test-linux has them), and glibc's loader and C library where the
# uvmkern initrd has them (/lib64, /lib/x86_64-linux-gnu).  Init mounts
# proc, tmpfs on /tmp and a copy of the ext2 image $DISK_IMG on /mnt,
# then, as the command line's init= says, runs
#
#   /mnt/usr/bin/trinity --dangerous -q -a 64 -C 4 -N CALLS -s SEED
#                        --disable-fds=sockets -T DIE,WARN,BAD_PAGE
#                        -V /mnt/var/trinity
#
# (the words after "--" are init's arguments), waits for it and leaves
# QEMU with its exit status.  Pass: QEMU's status says trinity exited 0,
# its "Ran N syscalls" line has N >= CALLS, and no kernel panic.  -T:
# trinity stops when the kernel taints itself, and Linux does for a
# mere use of fanotify's permission events ("may lead to deadlock",
# TAINT_AUX): only an oops, a WARN or a bad page count.
# $QEMU is the emulator with the standard flags, $MKINITRD the packer.
set -euo pipefail
ubuild=$1 libs=$2 work=$3 cache=$4 seed=$5 calls=$6 timeout_s=$7

tree=$work/trinity-root
rm -rf "$tree"
mkdir -p "$tree/dev" "$tree/proc" "$tree/tmp" "$tree/mnt" "$tree/lib64" \
	"$tree/lib/x86_64-linux-gnu" "$tree/lib/modules"
cp "$ubuild/init" "$tree/init"
cp -L "$libs/ld-linux-x86-64.so.2" "$tree/lib64/"
cp -L "$libs/libc.so.6" "$tree/lib/x86_64-linux-gnu/"

vmlinuz=$(tools/linux/fetch-kernel.sh "$cache")
modules=$(tools/linux/fetch-modules.sh "$cache" "$vmlinuz" virtio_pci virtio_blk \
	crc32c_generic ext4)
i=10
for m in $modules; do
	cp "$m" "$tree/lib/modules/$i-$(basename "$m")"
	i=$((i + 1))
done
"$MKINITRD" -n dev/console:c:5:1:0600 "$tree" | gzip -n -1 > "$work/trinity-initrd.cpio.gz"

disk=$work/trinity-disk.img
cp --sparse=always "$DISK_IMG" "$disk"
log=$work/trinity.log
args="--dangerous -q -a 64 -C 4 -N $calls -s $seed --disable-fds=sockets -T DIE,WARN,BAD_PAGE -V /mnt/var/trinity"
echo "test-linux: trinity $args (log: $log)"
set +e
timeout --kill-after=5 "$timeout_s" $QEMU -display none -serial stdio \
	-drive "file=$disk,if=none,id=ext2disk,format=raw" \
	-device virtio-blk-pci,drive=ext2disk,addr=0x6 \
	-kernel "$vmlinuz" -initrd "$work/trinity-initrd.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 init=/mnt/usr/bin/trinity -- $args" \
	</dev/null | tr -d '\r' > "$log"
status=${PIPESTATUS[0]}
set -e

made=$(sed -nE 's/.*Ran ([0-9]+) syscalls\..*/\1/p' "$log" | tail -n 1)
grep -E '^# init: ext2 /dev/vd[a-z] on /mnt$' "$log" >/dev/null || {
	tail -20 "$log"; echo "make test-linux: trinity: FAILED: the ext2 disk was not mounted on /mnt"; exit 1; }
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	why="no result after ${timeout_s}s (a hang?)"
elif grep -q 'Kernel panic - not syncing' "$log"; then
	why="Linux panicked"
elif [ "$status" -ne 1 ]; then
	why="trinity's exit status $(( (status - 1) / 2 )) (QEMU status $status)"
elif [ -z "$made" ] || [ "$made" -lt "$calls" ]; then
	why="${made:-no} calls made of $calls"
else
	echo "make test-linux: trinity: PASS: $(grep -E 'Ran [0-9]+ syscalls' "$log" | tail -n 1 | sed 's/^\[main\] *//')"
	exit 0
fi
tail -20 "$log"
echo "make test-linux: trinity: FAILED: $why"
exit 1
