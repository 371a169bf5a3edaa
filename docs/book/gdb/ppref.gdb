# docs/book/gdb/ppref.gdb - an amap's per-page reference counts
#
# Made the figures of chapter 2 (the test
# amap/print_decodes_ppref_into_runs).  Run it in the gdb of
#   make gdb CMDLINE='ktest=amap/print_decodes_ppref_into_runs qemuexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/ppref.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb CMDLINE='ktest=amap/print_decodes_ppref_into_runs qemuexit=1' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/ppref.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
break tests/uvm/amap_test.c:1231
break tests/uvm/amap_test.c:1233
break tests/uvm/amap_test.c:1236
break tests/uvm/amap_test.c:1239
continue
set $a = amap
echo === five slots, one reference\n
uvm amap $a
print r1
continue
echo === after splitref at page 2\n
uvm amap $a
print r1
print r2
continue
echo === after amap_ref of pages 1..3\n
uvm amap $a
continue
echo === after unref of pages 1..3\n
uvm amap $a
echo === END\n
delete
continue
