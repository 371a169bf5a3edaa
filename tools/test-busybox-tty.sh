#!/bin/bash
# tools/test-busybox-tty.sh ISO LOG - busybox's login shell on the serial
# console, used as a person would: boot ISO (root=vdc: busybox init runs
# `ash -l` on the console) and type, a key at a time where it matters,
# line editing (Backspace, the arrow keys, Tab), a command, Ctrl-C of a
# foreground sleep, job control (a background job, fg, Ctrl-Z, bg, kill),
# vi on a file in /tmp, and "exit".  Insist that the line editor never
# complained (its poll(2) of the terminal: "Function not implemented"
# before poll existed), that each step printed what it should, that init
# powered the machine off after the shell exited ("reboot: Power down",
# which busybox init does after rt_sigtimedwait hands it poweroff's
# SIGUSR2) and that QEMU's status is the one `make run` turns into 0.
# Run by make test (BUSYBOXTEST=0 skips it).
set -u
. "$(dirname "$0")/lines-in-order.sh"
iso=$1 log=$2

# What is typed, and how long to let it work (seconds).
keys=(
	$'echo hello\r'                 2
	$'echo abX\x7fc\r'              2       # Backspace
	$'echo wrld\x1b[D\x1b[D\x1b[Do\r' 2     # three Left arrows, insert
	$'ec\t tab\r'                   2       # Tab completes "echo"
	$'sleep 10\r'                   2
	$'\x03'                         2       # Ctrl-C
	$'echo after-ctrl-c $?\r'       2
	$'sleep 20 &\r'                 2
	$'jobs\r'                       2
	$'fg\r'                         2
	$'\x1a'                         2       # Ctrl-Z
	$'jobs\r'                       2
	$'bg\r'                         2
	$'jobs\r'                       2
	$'kill %1\r'                    2
	$'cat &\r'                      2       # reads the terminal from behind
	$'jobs\r'                       2
	$'kill -9 %2\r'                 2
	$'vi /tmp/f\r'                  3
	$'ihello from vi\x1b'           1
	$':wq\r'                        2
	$'cat /tmp/f\r'                 2
	$'exit\r'                       12
)
# ... and the lines that must then be in the log, in this order.
expect=(
	'hello'
	'abc'
	'world'
	'tab'
	'after-ctrl-c 130'
	'[1]+  Running                    sleep 20'
	'[1]+  Stopped                    sleep 20'
	'[1]+  Running                    sleep 20'
	'[2]+  Stopped (tty input)        cat'
	'hello from vi'
	'reboot: Power down'
)
{
	sleep 12
	for ((i = 0; i < ${#keys[@]}; i += 2)); do
		printf '%s' "${keys[i]}"
		sleep "${keys[i + 1]}"
	done
} | timeout --kill-after=5 150 $QEMU -display none -serial stdio \
		-cdrom "$iso" -boot d 2>&1 | tr -d '\r' > "$log"
st=${PIPESTATUS[1]}
why=""
grep -q 'BusyBox v' "$log" || why="busybox's shell did not start"
! grep -q 'not implemented' "$log" || why="${why:+$why; }$(grep -m1 'not implemented' "$log")"
missing=$(lines_in_order "$log" -xF "${expect[@]}") || why="${why:+$why; }$missing"
[ "$st" -eq 1 ] || why="${why:+$why; }QEMU exited $st, not 1 (make run would not exit 0)"
if [ -n "$why" ]; then
	echo "make test: busybox tty: FAILED: $why (see $log)"
	exit 1
fi
echo "make test: busybox tty: line editing, Ctrl-C, jobs (fg, Ctrl-Z, bg, a background reader stopped), vi and exit at busybox's shell; init powered off, make run's status 0"
