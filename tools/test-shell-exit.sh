#!/bin/bash
# tools/test-shell-exit.sh ISO LOG - what `make run` gives a person: boot
# ISO (init starts the shell), type "hello" and then "exit" on the serial
# console, and insist that the shell ran the program, that init powered
# the machine off (reboot(RB_POWER_OFF): "reboot: Power down") and that
# QEMU's status is the one `make run` turns into 0.  Run by make test.
set -u
iso=$1 log=$2
{ sleep 8; printf 'hello\r'; sleep 2; printf 'exit\r'; sleep 15; } |
	timeout --kill-after=5 90 $QEMU -display none -serial stdio \
		-cdrom "$iso" -boot d 2>&1 | tr -d '\r' > "$log"
st=${PIPESTATUS[1]}
why=""
grep -q 'hello from user space' "$log" || why="the shell did not run hello"
grep -q '^reboot: Power down' "$log" || why="${why:+$why; }init did not power off"
[ "$st" -eq 1 ] || why="${why:+$why; }QEMU exited $st, not 1 (make run would not exit 0)"
if [ -n "$why" ]; then
	echo "make test: shell exit: FAILED: $why (see $log)"
	exit 1
fi
echo "make test: shell exit: typed hello and exit; init powered off, make run's status 0"
