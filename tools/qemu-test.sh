#!/bin/bash
# tools/qemu-test.sh [--expect VERDICT] [--name NAME] [--label LABEL] ISO LOG TIMEOUT
# tools/qemu-test.sh [...] --kernel KERNEL INITRD APPEND LOG TIMEOUT
#
# Boot ISO (or KERNEL with INITRD and the command line APPEND, QEMU's
# direct -kernel boot, as make test-linux does) under $QEMU with the
# console captured to LOG (and echoed), then decide.  The verdict is one of
#
#   PASS             left through isa-debug-exit with the pass status and
#                    the closing line says 0 failed
#   FAILED           a test failed
#   PANIC            the kernel panicked (ours: 'panic:'; Linux: 'Kernel
#                    panic - not syncing', e.g. when its init dies)
#   RESET            QEMU stopped with no verdict (a triple fault: -no-reboot)
#   TIMEOUT          nothing decided within TIMEOUT seconds (a hang)
#   NO-CLOSING-LINE  the run ended without 'NAME: N passed, N failed'
#
# and the script exits 0 only for PASS.  NAME is the closing line's name,
# ktest (the kernel's suites, the default) or utest (user/init.c); only a
# whole line of exactly that form counts, so other console output - Linux's
# own messages included - cannot pass for it.  LABEL starts the messages
# (default "make test").  With --expect VERDICT it checks the harness
# itself: the boot must end with exactly that verdict; its output goes
# only to LOG.
set -u
expect="" name=ktest label="make test" kernel=""
while [ $# -gt 0 ]; do
	case $1 in
	--expect) expect=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--kernel) kernel=$2 initrd=$3 append=$4; shift 4 ;;
	*) break ;;
	esac
done
if [ -n "$kernel" ]; then
	boot=(-kernel "$kernel" -initrd "$initrd" -append "$append")
else
	boot=(-cdrom "$1" -boot d)
	shift
fi
log=$1 timeout_s=$2

# A hang leaves a record.  With HANGDUMP_BUILD (a build folder: its
# kernel.elf and gdb/ constants; the Makefile passes its BUILD) and one
# of our kernels, QEMU gets a gdb stub on a Unix socket of its own, and a
# boot still running shortly before its timeout is asked through gdb for
# every thread, what it sleeps on and where (tools/gdb's "uvm threads
# bt"), the clock's ticks twice and the running CPU's calls; a TIMEOUT
# verdict prints that (docs/gdb-walkthrough.md, step 12).
stub=() dumpdir=""
if [ -n "${HANGDUMP_BUILD:-}" ] && [ -z "$kernel" ] && command -v gdb >/dev/null; then
	dumpdir=$(mktemp -d /tmp/qemu-test.XXXXXX)
	trap 'rm -rf "$dumpdir"' EXIT
	stub=(-gdb "unix:$dumpdir/gdb,server=on,wait=off")
fi

hang_dump() {
	sleep $(( timeout_s > 60 ? timeout_s - 30 : timeout_s / 2 ))
	UVMKERN_BUILD=$HANGDUMP_BUILD timeout 25 gdb -nx -q -batch \
		-x tools/gdb/kernel.gdb -ex "target remote $dumpdir/gdb" \
		-ex "uvm threads bt" -ex "print ticks" -ex "shell sleep 1" \
		-ex "print ticks" -ex "bt 16" -ex detach \
		"$HANGDUMP_BUILD/kernel.elf" > "$dumpdir/dump" 2>&1
}

run_qemu() {
	timeout --kill-after=5 "$timeout_s" $QEMU -display none -serial stdio \
		"${stub[@]}" "${boot[@]}" </dev/null
}

[ -n "$dumpdir" ] && { hang_dump </dev/null >/dev/null 2>&1 & dumper=$!; }
if [ -n "$expect" ]; then
	run_qemu | tr -d '\r' > "$log"
	status=${PIPESTATUS[0]}
else
	run_qemu | tr -d '\r' | tee "$log"
	status=${PIPESTATUS[0]}
fi
if [ -n "$dumpdir" ]; then
	pkill -P "$dumper" 2>/dev/null; kill "$dumper" 2>/dev/null; wait "$dumper" 2>/dev/null
fi

closing=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed\$" "$log" | tail -n 1)
failed=$(echo "$closing" | sed -nE 's/.* ([0-9]+) failed$/\1/p')

# QEMU's status: 1 pass, 3 tests failed, 5 panic (kern/core/qemu.h).
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	verdict=TIMEOUT; why="no result after ${timeout_s}s (a hang?)"
elif grep -qE '^panic:|Kernel panic - not syncing' "$log" || [ "$status" -eq 5 ]; then
	verdict=PANIC; why="the kernel panicked (see $log)"
elif [ "$status" -eq 0 ]; then
	verdict=RESET; why="QEMU stopped without a verdict (a triple fault?)"
elif [ -z "$closing" ]; then
	verdict=NO-CLOSING-LINE; why="the run ended without '$name: N passed, N failed' (status $status)"
elif [ "$status" -ne 1 ] || [ "$failed" != 0 ]; then
	verdict=FAILED; why="$failed test(s) failed (status $status)"
else
	verdict=PASS; why="all selected tests passed"
fi

if [ -n "$expect" ]; then
	if [ "$verdict" = "$expect" ]; then
		echo "$label: harness self-check: $(basename "$log" .log) -> $verdict, as it must"
		exit 0
	fi
	echo "$label: harness self-check BROKEN: $(basename "$log" .log) gave $verdict ($why), expected $expect"
	cat "$log"
	exit 1
fi
echo "$label: $verdict: $why"
if [ "$verdict" = TIMEOUT ] && [ -s "$dumpdir/dump" ]; then
	echo "$label: the kernel's threads, shortly before the timeout:"
	grep -vE '^(\[Inferior|warning: )' "$dumpdir/dump" | tee -a "$log"
fi
[ "$verdict" = PASS ]
