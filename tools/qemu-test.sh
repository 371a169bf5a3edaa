#!/bin/bash
# tools/qemu-test.sh [--expect VERDICT] ISO LOG TIMEOUT
#
# Boot ISO under $QEMU with the console captured to LOG (and echoed), then
# decide.  The verdict is one of
#
#   PASS             left through isa-debug-exit with the pass status and
#                    the closing line says 0 failed
#   FAILED           a test failed
#   PANIC            the kernel panicked
#   RESET            QEMU stopped with no verdict (a triple fault: -no-reboot)
#   TIMEOUT          nothing decided within TIMEOUT seconds (a hang)
#   NO-CLOSING-LINE  the run ended without 'ktest: N passed, N failed'
#
# and the script exits 0 only for PASS.  With --expect VERDICT it checks the
# harness itself: the boot must end with exactly that verdict; its output
# goes only to LOG.
set -u
expect=""
if [ "$1" = "--expect" ]; then
	expect=$2
	shift 2
fi
iso=$1 log=$2 timeout_s=$3

run_qemu() {
	timeout --kill-after=5 "$timeout_s" $QEMU -display none -serial stdio \
		-cdrom "$iso" -boot d </dev/null
}

if [ -n "$expect" ]; then
	run_qemu | tr -d '\r' > "$log"
	status=${PIPESTATUS[0]}
else
	run_qemu | tr -d '\r' | tee "$log"
	status=${PIPESTATUS[0]}
fi

closing=$(grep -E '^ktest: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
failed=$(echo "$closing" | sed -nE 's/.* ([0-9]+) failed$/\1/p')

# QEMU's status: 1 pass, 3 tests failed, 5 panic (kern/qemu.h).
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	verdict=TIMEOUT; why="no result after ${timeout_s}s (a hang?)"
elif grep -q '^panic:' "$log" || [ "$status" -eq 5 ]; then
	verdict=PANIC; why="the kernel panicked (see $log)"
elif [ "$status" -eq 0 ]; then
	verdict=RESET; why="QEMU stopped without a verdict (a triple fault?)"
elif [ -z "$closing" ]; then
	verdict=NO-CLOSING-LINE; why="the run ended without 'ktest: N passed, N failed' (status $status)"
elif [ "$status" -ne 1 ] || [ "$failed" != 0 ]; then
	verdict=FAILED; why="$failed test(s) failed (status $status)"
else
	verdict=PASS; why="all selected tests passed"
fi

if [ -n "$expect" ]; then
	if [ "$verdict" = "$expect" ]; then
		echo "make test: harness self-check: $(basename "$log" .log) -> $verdict, as it must"
		exit 0
	fi
	echo "make test: harness self-check BROKEN: $(basename "$log" .log) gave $verdict ($why), expected $expect"
	cat "$log"
	exit 1
fi
echo "make test: $verdict: $why"
[ "$verdict" = PASS ]
