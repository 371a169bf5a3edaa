#!/bin/bash
# tools/gdb/stub.sh - sourced by the checks that drive gdb (make test's
# gdb check tools/gdb/test-gdb.sh, its snapshot drawing check
# tools/draw/test-gdb-snapshot.sh): start QEMU halted with a gdb stub on
# a free port of 127.0.0.1.
#
#   stub_start ISO CONSOLE   QEMU ($QEMU: the command and its flags)
#                            boots ISO halted, the console to CONSOLE;
#                            sets $port and $qemu_pid, and fails when
#                            no port took (a few tries: another run may
#                            take a free port between the pick and QEMU)
#   stub_stop                kills QEMU, if it still runs (an EXIT trap)
qemu_pid=""
port=""

port_busy() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

stub_stop() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	wait 2>/dev/null
}

stub_start() {
	local iso=$1 con=$2
	for _ in 1 2 3 4 5; do
		port=$(tools/gdb/free-port.sh)
		port_busy "$port" && continue
		rm -f "$con"
		# shellcheck disable=SC2086  # QEMU is a command with its flags
		$QEMU -display none -serial file:"$con" -cdrom "$iso" -boot d \
			-S -gdb tcp:127.0.0.1:"$port" &
		qemu_pid=$!
		for _ in $(seq 50); do
			port_busy "$port" && break
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.1
		done
		port_busy "$port" && return 0
		kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; qemu_pid=""
	done
	return 1
}
