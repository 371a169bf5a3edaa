#!/bin/bash
# tools/gdb.sh - attach gdb to the kernel in QEMU.
#
# If a QEMU is already waiting on $GDBPORT (make qemu-gdb in another
# terminal), attach to it.  Otherwise start one in the background, halted,
# with the console written to BUILD/gdb-console.log, and stop it when gdb
# exits.  Try:  (gdb) break kmain   (gdb) continue
# BUILD is $UVMKERN_BUILD (make gdb passes its BUILD; build by default):
# gdb reads that build's kernel.elf, and uvm.py its constants.
# gdb loads tools/gdb/kernel.gdb: the uvm commands (help uvm) and the
# pretty-printers; docs/gdb-walkthrough.md shows them on a fault.
set -u
GDBPORT=${GDBPORT:-1234}
export UVMKERN_BUILD=${UVMKERN_BUILD:-build}
started=""

if ! (exec 3<>/dev/tcp/127.0.0.1/"$GDBPORT") 2>/dev/null; then
	make --no-print-directory iso BUILD="$UVMKERN_BUILD" CMDLINE="${CMDLINE:-}" >/dev/null || exit 1
	echo "gdb.sh: starting QEMU halted; console in $UVMKERN_BUILD/gdb-console.log"
	$QEMU -display none -serial file:"$UVMKERN_BUILD"/gdb-console.log -cdrom "$ISO" \
		-boot d -S -gdb tcp::"$GDBPORT" &
	started=$!
	for _ in $(seq 50); do
		(exec 3<>/dev/tcp/127.0.0.1/"$GDBPORT") 2>/dev/null && break
		sleep 0.1
	done
fi
gdb -q -x tools/gdb/kernel.gdb -ex "target remote :$GDBPORT" "$UVMKERN_BUILD"/kernel.elf
[ -n "$started" ] && kill "$started" 2>/dev/null
exit 0
