# docs/book/gdb/clip-and-merge.gdb - clipping and merging map entries
#
# Made the figures of chapter 1 (the test
# uvm_map/inherit_and_advice_split_and_rejoin).  Run it in the gdb of
#   make gdb CMDLINE='ktest=uvm_map/inherit_and_advice_split_and_rejoin qemuexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/clip-and-merge.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb CMDLINE='ktest=uvm_map/inherit_and_advice_split_and_rejoin qemuexit=1' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/clip-and-merge.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
break tests/uvm/uvm_map_test.c:1076
break tests/uvm/uvm_map_test.c:1078
break tests/uvm/uvm_map_test.c:1085
break tests/uvm/uvm_map_test.c:1090
continue
set $m = map
echo === two entries\n
uvm map $m
continue
echo === inherit share [x+2, x+7)\n
uvm map $m
continue
echo === advice sequential [x+3, x+4)\n
uvm map $m
continue
echo === all back to copy/normal\n
uvm map $m
echo === END\n
delete
continue
