#!/bin/bash
# tools/linux/test-linux.sh UBUILD WORK CACHE UTEST TIMEOUT - the user
# tests on Debian's Linux (make test-linux).
#
#   UBUILD   the built user programs: UBUILD/init, UBUILD/tests/*
#            (programs) and UBUILD/tests/data/* (files the tests read)
#   WORK     where the initramfs tree, the archive and the log go
#   CACHE    where the kernel package is kept (tools/linux/fetch-kernel.sh)
#   UTEST    the utest= selection for init: 1 (all) or globs
#   TIMEOUT  seconds before the whole boot counts as a hang
#
# $QEMU is the emulator with the standard flags (docs/design.md) and
# $MKINITRD the archive packer (tools/mkinitrd.c).  The initramfs is
#
#   /init               user/init.c
#   /tests/<program>    one per tests/user/*.c
#   /tests/data/...     tests/user/mkdata.sh
#   /dev/console, /proc the console init starts on; where it mounts proc
#   /lib/modules/NN-*.ko the virtio disk and ext4 modules, numbered in load
#                       order (tools/linux/fetch-modules.sh)
#
# The file systems are those uvmkern mounts: init mounts tmpfs on /tmp
# and /dev/shm, and the ext2 image $DISK_IMG (the Makefile's, made with
# mke2fs -d from disk/) on /mnt.  Linux gets a copy of the image,
# WORK/disk.img, grown to $LINUX_DISK_SIZE with resize2fs (room for
# bigfile's file larger than RAM), on a virtio disk at PCI slot 6; the
# original stays as make built it.  Init's line "# init: ext2 /dev/vdX on
# /mnt" must show, else the run fails: the file tests would otherwise
# pass on tmpfs alone.  After the run, e2fsck -fn must find the copy
# clean.
#
# When the selection runs persist (tests/user/persist.c), more boots on a
# fresh copy prove data outlives a boot: utest=persist/check first, which
# must fail (nothing was written), then utest=persist/write, then
# utest=persist/check, which must pass.
#
# and the verdict comes from tools/qemu-test.sh: QEMU's exit status from
# isa-debug-exit and the closing line "utest: N passed, N failed".
#
# First, as make test does for the kernel, a boot proves the harness
# cannot pass silently: utest=selfcheck (tests/user/selfcheck.c) fails a
# test, kills a test process and kills its own program, and must end
# FAILED with exactly those three failures, each named.
set -euo pipefail
ubuild=$1 work=$2 cache=$3 selection=$4 timeout_s=$5

tree=$work/root
rm -rf "$tree"
mkdir -p "$tree/tests" "$tree/dev" "$tree/proc"
cp "$ubuild/init" "$tree/init"
cp -a "$ubuild/tests/." "$tree/tests/"

vmlinuz=$(tools/linux/fetch-kernel.sh "$cache")
modules=$(tools/linux/fetch-modules.sh "$cache" "$vmlinuz" virtio_pci virtio_blk \
	crc32c_generic ext4)
mkdir -p "$tree/lib/modules"
i=10
for m in $modules; do
	cp "$m" "$tree/lib/modules/$i-$(basename "$m")"
	i=$((i + 1))
done
"$MKINITRD" -n dev/console:c:5:1:0600 "$tree" | gzip -n -1 > "$work/initrd.cpio.gz"

disk=$work/disk.img
new_disk() {
	cp --sparse=always "$DISK_IMG" "$disk"
	truncate -s "${LINUX_DISK_SIZE:-1G}" "$disk"
	resize2fs -f "$disk" >/dev/null 2>&1 || {
		echo "make test-linux: resize2fs $disk failed"; exit 1; }
}
disk_args="-drive file=$disk,if=none,id=ext2disk,format=raw -device virtio-blk-pci,drive=ext2disk,addr=0x6"

pkg=$(sed -n 's/^Package: //p' "$(dirname "$(dirname "$vmlinuz")")/PACKAGE" 2>/dev/null || true)
echo "test-linux: booting ${pkg:-$vmlinuz} with $(ls "$tree/tests" | grep -vx data | wc -l) test programs"

boot() {    # boot EXTRA-ARGS... SELECTION LOG
	local n=$#
	QEMU="$QEMU $disk_args" tools/qemu-test.sh --name utest --label "make test-linux" "${@:1:n-2}" \
		--kernel "$vmlinuz" "$work/initrd.cpio.gz" \
		"console=ttyS0 quiet panic=-1 utest=${@:n-1:1}" "${@:n:1}" "$timeout_s"
}

selfcheck_must_show() {
	grep -qE "$1" "$work/selfcheck.log" && return 0
	echo "make test-linux: harness self-check BROKEN: no line matching '$1' in $work/selfcheck.log"
	cat "$work/selfcheck.log"
	exit 1
}

new_disk
boot --expect FAILED selfcheck "$work/selfcheck.log"
selfcheck_must_show '^not ok [0-9]+ - selfcheck/must_fail # tests/user/selfcheck.c:[0-9]+: 1 \+ 1 == 3'
selfcheck_must_show '^not ok [0-9]+ - selfcheck/must_die_by_signal # test process killed by signal 11'
selfcheck_must_show '^not ok [0-9]+ - selfcheck # killed by signal 9'
selfcheck_must_show '^utest: 0 passed, 3 failed$'

disk_must_show() {    # disk_must_show LOG
	grep -qE '^# init: ext2 /dev/vd[a-z] on /mnt$' "$1" && return 0
	echo "make test-linux: FAILED: the ext2 disk was not mounted on /mnt (see $1)"
	exit 1
}

disk_must_be_clean() {
	e2fsck -fn "$disk" > "$work/e2fsck.log" 2>&1 && return 0
	echo "make test-linux: FAILED: e2fsck -fn finds errors on Linux's copy of the disk:"
	cat "$work/e2fsck.log"
	exit 1
}

# Does the selection run persist? (A glob per comma, as init reads it.)
selects_persist() {
	local g
	[ "$selection" = 1 ] || [ "$selection" = all ] && return 0
	for g in ${selection//,/ }; do
		case persist in ${g%%/*}) return 0 ;; esac
	done
	return 1
}

new_disk
status=0
boot "$selection" "$work/test-linux.log" || status=$?
disk_must_show "$work/test-linux.log"
[ "$status" -eq 0 ] || exit "$status"
disk_must_be_clean

if selects_persist; then
	new_disk
	# On a fresh disk, check must fail: it cannot pass without a write.
	boot --expect FAILED persist/check "$work/persist-nothing.log"
	for step in write check; do
		boot "persist/$step" "$work/persist-$step.log" >/dev/null || {
			cat "$work/persist-$step.log"
			echo "make test-linux: FAILED: persist/$step (the boot after the write)"
			exit 1
		}
		disk_must_show "$work/persist-$step.log"
	done
	echo "make test-linux: persist: written in one boot, read back in the next: PASS"
	disk_must_be_clean
fi
