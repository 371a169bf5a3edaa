#!/bin/bash
# tools/test-shell-exit.sh ISO LOG - what `make run` gives a person: boot
# ISO (init starts the shell) and type on the serial console, as a person
# would, "hello", a session with files on /tmp (tmpfs) and /mnt (ext2)
# - redirections, cd, echo, and user/'s ls, cat, mkdir, mv, rm - and
# then "exit".  Insist that each command printed what it should, that
# init powered the machine off (reboot(RB_POWER_OFF): "reboot: Power
# down") and that QEMU's status is the one `make run` turns into 0.  Run
# by make test (SHELLTEST=0 skips it).
set -u
. "$(dirname "$0")/lines-in-order.sh"
iso=$1 log=$2

# What is typed, one line every 2 s (the console echoes it into the log
# too, after the "$ " prompt; the checks below match whole lines, so the
# echo of a command never passes for its output).
session=(
	'echo hi > /tmp/a'
	'cat /tmp/a'
	'ls /tmp'
	'mkdir /mnt/d'
	'mv /tmp/a /mnt/d/b'
	'cat /tmp/a > /mnt/d/b'
	'cd /mnt/d'
	'echo more >> b'
	'cat < b'
	'ls -l /mnt/d'
	'cat /nosuch > x'
	'echo x > /nosuch/x'
	'rm b x'
	'cd'
	'rm -r /mnt/d'
	'ls /mnt/d'
)
# ... and the lines that must then be in the log, in this order.
expect=(
	'hi'                                    # cat /tmp/a
	'a'                                     # ls /tmp
	"mv: cannot move '/tmp/a' to '/mnt/d/b': Cross-device link"
	'[mv exited with status 1]'
	'hi'                                    # cat < b
	'more'
	'-rw-r--r--  1        8 b'              # ls -l /mnt/d
	'cat: /nosuch: No such file or directory'
	'[cat exited with status 1]'
	'sh: /nosuch/x: No such file or directory'
	'[echo exited with status 1]'
	"ls: cannot access '/mnt/d': No such file or directory"
	'[ls exited with status 1]'
)
{
	sleep 8; printf 'hello\r'; sleep 2
	for line in "${session[@]}"; do printf '%s\r' "$line"; sleep 2; done
	printf 'exit\r'; sleep 15
} | timeout --kill-after=5 150 $QEMU -display none -serial stdio \
		-cdrom "$iso" -boot d 2>&1 | tr -d '\r' > "$log"
st=${PIPESTATUS[1]}
why=""
grep -q 'hello from user space' "$log" || why="the shell did not run hello"
# Each expected line, found after the one before it.
missing=$(lines_in_order "$log" -xF "${expect[@]}") || why="${why:+$why; }$missing"
grep -q '^reboot: Power down' "$log" || why="${why:+$why; }init did not power off"
[ "$st" -eq 1 ] || why="${why:+$why; }QEMU exited $st, not 1 (make run would not exit 0)"
if [ -n "$why" ]; then
	echo "make test: shell: FAILED: $why (see $log)"
	exit 1
fi
echo "make test: shell: typed hello, ${#session[@]} file commands and exit; each printed what it should, init powered off, make run's status 0"
