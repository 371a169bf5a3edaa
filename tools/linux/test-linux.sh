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
"$MKINITRD" -n dev/console:c:5:1:0600 "$tree" | gzip -n -1 > "$work/initrd.cpio.gz"

vmlinuz=$(tools/linux/fetch-kernel.sh "$cache")
pkg=$(sed -n 's/^Package: //p' "$(dirname "$(dirname "$vmlinuz")")/PACKAGE" 2>/dev/null || true)
echo "test-linux: booting ${pkg:-$vmlinuz} with $(ls "$tree/tests" | grep -vx data | wc -l) test programs"

boot() {    # boot EXTRA-ARGS... SELECTION LOG
	local n=$#
	tools/qemu-test.sh --name utest --label "make test-linux" "${@:1:n-2}" \
		--kernel "$vmlinuz" "$work/initrd.cpio.gz" \
		"console=ttyS0 quiet panic=-1 utest=${@:n-1:1}" "${@:n:1}" "$timeout_s"
}

selfcheck_must_show() {
	grep -qE "$1" "$work/selfcheck.log" && return 0
	echo "make test-linux: harness self-check BROKEN: no line matching '$1' in $work/selfcheck.log"
	cat "$work/selfcheck.log"
	exit 1
}

boot --expect FAILED selfcheck "$work/selfcheck.log"
selfcheck_must_show '^not ok [0-9]+ - selfcheck/must_fail # tests/user/selfcheck.c:[0-9]+: 1 \+ 1 == 3'
selfcheck_must_show '^not ok [0-9]+ - selfcheck/must_die_by_signal # test process killed by signal 11'
selfcheck_must_show '^not ok [0-9]+ - selfcheck # killed by signal 9'
selfcheck_must_show '^utest: 0 passed, 3 failed$'

boot "$selection" "$work/test-linux.log"
