#!/bin/bash
# tools/gdb.sh - attach gdb to the kernel in QEMU.
#
# If make qemu-gdb runs QEMU (in another terminal), attach to it: its
# port is in BUILD/gdb-port while it runs.  Otherwise start one in the
# background, halted, on a free port of 127.0.0.1 (tools/gdb/free-port.sh),
# with the console written to BUILD/gdb-console.log, and stop it when gdb
# exits.  $GDBPORT, when set (make gdb GDBPORT=N), is the port to attach to
# (or to start QEMU on).  Try:  (gdb) break kmain   (gdb) continue
# BUILD is $UVMKERN_BUILD (make gdb passes its BUILD; build by default):
# gdb reads that build's kernel.elf, and uvm.py its constants.
# gdb loads tools/gdb/kernel.gdb: the uvm commands (help uvm) and the
# pretty-printers; docs/gdb-walkthrough.md shows them on a fault.
set -u
export UVMKERN_BUILD=${UVMKERN_BUILD:-build}
started=""
listening() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

port=${GDBPORT:-}
if [ -z "$port" ] && [ -s "$UVMKERN_BUILD"/gdb-port ]; then
	port=$(cat "$UVMKERN_BUILD"/gdb-port)
	listening "$port" || port=""    # a QEMU that is gone
fi
if [ -n "$port" ] && listening "$port"; then
	echo "gdb.sh: attaching to the QEMU waiting on 127.0.0.1:$port"
else
	port=${port:-$(tools/gdb/free-port.sh)}
	make --no-print-directory iso BUILD="$UVMKERN_BUILD" CMDLINE="${CMDLINE:-}" >/dev/null || exit 1
	echo "gdb.sh: starting QEMU halted on port $port; console in $UVMKERN_BUILD/gdb-console.log"
	$QEMU -display none -serial file:"$UVMKERN_BUILD"/gdb-console.log -cdrom "$ISO" \
		-boot d -S -gdb tcp:127.0.0.1:"$port" &
	started=$!
	for _ in $(seq 50); do
		listening "$port" && break
		sleep 0.1
	done
fi
gdb -q -x tools/gdb/kernel.gdb -ex "target remote 127.0.0.1:$port" "$UVMKERN_BUILD"/kernel.elf
[ -n "$started" ] && kill "$started" 2>/dev/null
exit 0
