# docs/book/gdb/cow-three-generations.gdb - copy-on-write through three generations
#
# Made the figures of chapter 2 (the test
# uvmspace/cow_three_generations, stopped after each step).  Run it in
# the gdb of
#   make gdb CMDLINE='ktest=uvmspace/cow_three_generations qemuexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/cow-three-generations.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb CMDLINE='ktest=uvmspace/cow_three_generations qemuexit=1' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/cow-three-generations.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
break tests/uvm/uvmspace_test.c:103
break tests/uvm/uvmspace_test.c:114
break tests/uvm/uvmspace_test.c:126
break tests/uvm/uvmspace_test.c:128
break tests/uvm/uvmspace_test.c:138
break tests/uvm/uvmspace_test.c:147
continue
set $v1 = g1.vm
echo === G1 written\n
uvm amap $uvm_entry(0x20000000, $v1)->aref.ar_amap
continue
set $v2 = g2.vm
echo === after fork g2\n
print *$uvm_entry(0x20000000, $v1)
print *$uvm_entry(0x20000000, $v2)
uvm amap $uvm_entry(0x20000000, $v1)->aref.ar_amap
continue
echo === after g2 writes page 1\n
print *$uvm_entry(0x20000000, $v1)
uvm amap $uvm_entry(0x20000000, $v1)->aref.ar_amap
print *$uvm_entry(0x20000000, $v2)
uvm amap $uvm_entry(0x20000000, $v2)->aref.ar_amap
continue
set $v3 = g3.vm
continue
echo === after fork g3, g3 writes page 2\n
uvm amap $uvm_entry(0x20000000, $v1)->aref.ar_amap
uvm amap $uvm_entry(0x20000000, $v2)->aref.ar_amap
print *$uvm_entry(0x20000000, $v3)
uvm amap $uvm_entry(0x20000000, $v3)->aref.ar_amap
continue
echo === after g1 writes page 0\n
uvm amap $uvm_entry(0x20000000, $v1)->aref.ar_amap
uvm amap $uvm_entry(0x20000000, $v2)->aref.ar_amap
uvm amap $uvm_entry(0x20000000, $v3)->aref.ar_amap
echo === END\n
delete
continue
