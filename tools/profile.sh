#!/bin/bash
# tools/profile.sh ISO BUILD SECONDS - make profile: boot ISO (make run's
# boot of PROG) with QEMU's monitor on a Unix socket of its own, and let
# tools/profile.py sample the vCPU's instruction pointer through it from
# the moment init starts the program, for SECONDS or until the guest
# powers off.  The console goes to BUILD/profile-serial.log, the table to
# this terminal and BUILD/profile.txt.  The status is profile.py's.
set -u
iso=$1 build=$2 seconds=$3
dir=$(mktemp -d)
log=$build/profile-serial.log
trap 'kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; rm -rf "$dir"' EXIT
rm -f "$log"
# shellcheck disable=SC2086  # QEMU is a command with its flags
$QEMU -display none -serial file:"$log" -monitor unix:"$dir/mon",server,nowait \
	-cdrom "$iso" -boot d < /dev/null &
qpid=$!
python3 tools/profile.py "$dir/mon" "$build/kernel.elf" "$seconds" "$log" | tee "$build/profile.txt"
st=${PIPESTATUS[0]}
exit "$st"
