#!/bin/bash
# tools/test-busybox.sh ISO LOG - the README's first minutes, typed.
#
# Boot ISO (make run's: root=vdc, busybox init, a busybox ash login shell
# on the console) and type what the README shows a new user typing, one
# line every few seconds as a person would: ls /bin, cat /proc/self/maps,
# ps, free, the demos (whose ids of amaps, anons and objects are checked:
# the copy of case 1B, the one aobj of a shared page; swapdemo saying it
# did not swap and how to see it), top, a job in the background killed,
# uname, and
# poweroff (test-busybox-tty.sh leaves with exit).
# Then insist that each printed what it should (regular expressions,
# found in this order in the log), that busybox init powered the machine
# off after the shell exited ("reboot: Power down") and that QEMU's status
# is the one `make run` turns into 0.  Run by make test (BUSYBOXTEST=0
# skips it).
set -u
. "$(dirname "$0")/lines-in-order.sh"
iso=$1 log=$2

# What is typed; the console echoes each line into the log after the
# prompt "uvmkern:~# ", so the checks below match whole output lines
# that an echo of the command cannot pass for.
session=(
	'ls /bin | grep -c .'
	'ls -l /bin/ls'
	'cat /proc/self/maps'
	'ps'
	'free'
	'forkdemo'
	'mmapdemo'
	'swapdemo 8'
	'top -b -n 1 | head -n 2'
	'echo $((6 * 7)) > /tmp/x; cat /tmp/x'
	'sleep 30 &'
	'jobs'
	'kill %1; wait'
	'uname -sr'
)
expect=(
	'^[0-9]{3}$'                                          # applets in /bin
	'^lrwxrwxrwx +1 root +root +12 .* /bin/ls -> /bin/busybox$'
	'^[0-9a-f]+-[0-9a-f]+ r-xp [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ [0-9]+ +/usr/bin/busybox$'
	'\[stack\]$'
	'^PID +USER +(TIME +)?COMMAND$'
	'^ +1 root +.*init$'
	'^ +[0-9]+ root +(\{ps\} )?.*(ps|sh -l)$'
	'^Mem: +[0-9]+ +[0-9]+ +[0-9]+ '
	'^Swap: +[0-9]+ '
	'^  child   -> a new anon 0x[0-9a-f]+ \(was 0x[0-9a-f]+\): the write copied the page \(fault case 1B\)'
	"^  child   sees 'C'$"
	'^  parent  -> the same anon 0x[0-9a-f]+, now only its own: nothing copied'
	"^  parent  sees 'Q'$"
	'^ +object 0x[0-9a-f]+ aobj offset 0$'                 # mmapdemo's shared page
	'^  shared:  one aobj 0x[0-9a-f]+ in both processes, the same physical page \(same pa\)'
	"^  private: anon 0x[0-9a-f]+ in the parent, 0x[0-9a-f]+ in the child: the child's write copied the page$"
	'^swapdemo: 2048 of 2048 pages verified, every word right$'
	'^swapdemo: it did not swap: '
	'^  To see swapping, boot a smaller machine, with swap on vda: make run MEM=64M,$'
	'^Mem: [0-9]+K used, [0-9]+K free'
	'^CPU: '
	'^42$'
	'^\[1\]\+ +Running +sleep 30$'
	'^\[1\]\+ +Terminated +sleep 30$'
	'^uvmkern [0-9]'
)
{
	sleep 12
	for line in "${session[@]}"; do printf '%s\r' "$line"; sleep 3; done
	printf 'poweroff\r'; sleep 20
} | timeout --kill-after=5 180 $QEMU -display none -serial stdio \
		-cdrom "$iso" -boot d 2>&1 | tr -d '\r' > "$log"
st=${PIPESTATUS[1]}
why=""
missing=$(lines_in_order "$log" -E "${expect[@]}") || why="${why:+$why; }$missing"
# The demos' ids, read back: forkdemo's child shares the parent's anon
# after fork and has a new one after its write (case 1B); mmapdemo's
# shared page is one aobj in both processes.
anon_after() {   # the anon id on the line after forkdemo's "$1" line
	grep -A1 -E "^  $1 " "$log" | sed -nE 's/.* anon (0x[0-9a-f]+) ref [0-9]+.*/\1/p' | head -n 1
}
a0=$(anon_after 'parent  before fork') a1=$(anon_after 'child   after fork')
a2=$(anon_after 'child   after its write')
{ [ -n "$a0" ] && [ "$a0" = "$a1" ] && [ -n "$a2" ] && [ "$a2" != "$a1" ]; } ||
	why="${why:+$why; }forkdemo's anon ids: parent $a0, child after fork $a1 (must be the same), after its write $a2 (must be new)"
nobj=$(grep -E '^ +object 0x[0-9a-f]+ aobj offset 0$' "$log" | sort -u | wc -l)
[ "$nobj" -eq 1 ] || why="${why:+$why; }mmapdemo's shared page shows $nobj different aobj ids, not one"
grep -q 'not implemented' "$log" && why="${why:+$why; }a program met a missing system call: $(grep -m1 'not implemented' "$log")"
grep -q '^reboot: Power down' "$log" || why="${why:+$why; }init did not power off"
[ "$st" -eq 1 ] || why="${why:+$why; }QEMU exited $st, not 1 (make run would not exit 0)"
if [ -n "$why" ]; then
	echo "make test: busybox: FAILED: $why (see $log)"
	exit 1
fi
echo "make test: busybox: typed ${#session[@]} commands and poweroff at make run's busybox shell; each printed what it should, busybox init powered off, make run's status 0"
