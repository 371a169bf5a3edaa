#!/bin/bash
# tools/qemu-gdb.sh ISO BUILD - make qemu-gdb: boot ISO in QEMU halted at
# the first instruction, the console on this terminal, a gdb stub on a
# port of 127.0.0.1 of its own:
#
#   $GDBPORT if set (make qemu-gdb GDBPORT=N), else a free one
#   (tools/gdb/free-port.sh), so students on one server never share one.
#
# The port is written to BUILD/gdb-port while QEMU runs (removed when it
# ends); make gdb (tools/gdb.sh) reads it there and attaches.  The exit
# status is make run's: QEMU's status (2 * code + 1 through isa-debug-exit)
# turned back into the code - 0 after a power-off, init's status with
# initexit=1 - and 0 for Ctrl-A X.
set -u
iso=$1 build=$2
portfile=$build/gdb-port
port=${GDBPORT:-$(tools/gdb/free-port.sh)}
[ -n "$port" ] || { echo "qemu-gdb: no free port"; exit 1; }
trap 'rm -f "$portfile"' EXIT
trap 'exit 130' INT HUP TERM
echo "$port" > "$portfile"
echo "QEMU is halted, waiting for gdb on 127.0.0.1:$port (in $portfile); run 'make gdb' in another terminal"
# shellcheck disable=SC2086  # QEMU is a command with its flags
$QEMU -display none -serial mon:stdio -cdrom "$iso" -boot d -S -gdb tcp:127.0.0.1:"$port"
st=$?
exit $(( st & 1 ? st >> 1 : st ))
