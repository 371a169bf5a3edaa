#!/bin/bash
# tools/test-fastpath.sh MAKE BUILD - make test's check of the quick ways
# in, which a person runs many times a day and believes the status of:
#
#   make check KTEST='cmdline/*'                    passes: status 0
#   make check KTEST=selftest/must_fail             a test fails: not 0
#   make run CMDLINE='ktest=cmdline/* qemuexit=1'   passes: status 0
#   make qemu-gdb CMDLINE='init=/bin/hello initexit=1'
#                   writes BUILD/gdb-port, a gdb attached there runs the
#                   guest to its end, hello (its first run, no arguments)
#                   exits 0, and so does make qemu-gdb; the port file is
#                   gone afterwards
#
# Run by make test among the harness self-checks (HARNESSTEST=0 skips
# them).  Each boot's output goes to BUILD/fastpath-NAME.log.
set -u
make=$1 build=$2
fail() { echo "make test: harness self-check BROKEN: $*"; exit 1; }

# expect NAME pass|fail MAKE-ARGS...: run make with MAKE-ARGS; its status
# must be 0 (pass) or not 0 (fail).
expect() {
	local want=$2 log=$build/fastpath-$1.log st got
	shift 2
	# shellcheck disable=SC2086  # $make may carry flags
	timeout 300 $make --no-print-directory BUILD="$build" "$@" </dev/null >"$log" 2>&1
	st=$?
	got=$([ "$st" -eq 0 ] && echo pass || echo fail)
	if [ "$got" != "$want" ]; then
		tail -n 5 "$log"
		fail "make $* exited $st, expected to $want ($log)"
	fi
	echo "make test: harness self-check: make $* -> status $st, as it must"
}

expect check-pass pass check KTEST='cmdline/*'
grep -q '^make check: PASS' "$build/fastpath-check-pass.log" ||
	fail "make check KTEST='cmdline/*' did not say PASS"
expect check-fail fail check KTEST=selftest/must_fail
grep -q '^make check: FAILED' "$build/fastpath-check-fail.log" ||
	fail "make check KTEST=selftest/must_fail did not say FAILED"
expect run-ktest pass run CMDLINE='ktest=cmdline/* qemuexit=1'

# make qemu-gdb, and a gdb attached to the port it wrote.
log=$build/fastpath-qemu-gdb.log portfile=$build/gdb-port
rm -f "$portfile"
# shellcheck disable=SC2086  # $make may carry flags
timeout 300 $make --no-print-directory BUILD="$build" qemu-gdb \
	CMDLINE='init=/bin/hello initexit=1' </dev/null >"$log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ -s "$portfile" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[ -s "$portfile" ] || { kill "$pid" 2>/dev/null; fail "make qemu-gdb wrote no $portfile ($log)"; }
port=$(cat "$portfile")
for _ in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
	sleep 0.1
done
timeout 60 gdb -nx -q -batch -ex "target remote 127.0.0.1:$port" -ex continue \
	"$build/kernel.elf" >"$build/fastpath-gdb.out" 2>&1
wait "$pid"
st=$?
[ "$st" -eq 0 ] || fail "make qemu-gdb exited $st after hello exited 0 ($log)"
grep -q 'init: /bin/hello exited with status 0' "$log" ||
	fail "hello's first run did not exit 0 ($log)"
[ ! -e "$portfile" ] || fail "$portfile is still there after QEMU ended"
echo "make test: harness self-check: make qemu-gdb on port $port (from $portfile), gdb attached, hello exited 0, make's status 0"
