#!/bin/bash
# tools/draw/test-gdb-snapshot.sh ISO BUILD - make test's check of the gdb
# command "uvm snapshot": QEMU boots ISO (forkdemo as init) halted with a
# gdb stub on a free port; tools/draw/test-gdb-snapshot.gdb takes two
# snapshots around the child's copy-on-write fault; tools/draw/draw.py
# draws them and tools/draw/check.py opens them in Chromium: before, one
# amap with ref 2 and one anon; after, case 1B and two anons.
set -u
iso=$1 build=$2
out=$build/draw/gdb con=$out/console.log snap=$out/snapshots.log
# shellcheck source=tools/gdb/stub.sh
. tools/gdb/stub.sh
trap stub_stop EXIT
fail() { echo "make test: gdb snapshot check FAILED: $*  (gdb output: $out/gdb.out)"; exit 1; }

rm -rf "$out" && mkdir -p "$out"
stub_start "$iso" "$con" || fail "could not start QEMU with a gdb stub"
UVMKERN_BUILD=$build timeout 90 gdb -nx -q -batch -ex "set \$port = $port" \
	-ex "python TEST_CONSOLE = '$con'; TEST_SNAP = '$snap'" \
	-x tools/draw/test-gdb-snapshot.gdb "$build/kernel.elf" > "$out/gdb.out" 2>&1
grep -q '^=== END$' "$out/gdb.out" || fail "gdb stopped early: $(grep -m1 -iE 'error|exception' "$out/gdb.out")"
python3 tools/draw/draw.py "$snap" "$out" --title "forkdemo (gdb)" > /dev/null || fail "draw.py"
python3 tools/draw/check.py "$snap" "$out" --expect 1:amap.ref=2=1 --expect 1:anon=1 \
	--expect 2:case=1B=1 --expect 2:anon=2 || fail "the drawings of the gdb snapshots"
echo "make test: uvm snapshot from gdb: drawn and checked ($out/index.html)"
