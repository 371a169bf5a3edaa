# docs/book/gdb/clip-and-merge.gdb - clipping and merging map entries
#
# Made the figures of chapter 1 (the test
# uvm_map/inherit_and_advice_split_and_rejoin).  Run it in the gdb of
#   make gdb CMDLINE='ktest=uvm_map/inherit_and_advice_split_and_rejoin qemuexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/clip-and-merge.gdb),
# or in one go, as the figures were made:
#   make qemu-gdb GDBPORT=N CMDLINE='ktest=uvm_map/inherit_and_advice_split_and_rejoin qemuexit=1' &
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex 'target remote :N' -x docs/book/gdb/clip-and-merge.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
break tests/uvm/uvm_map_test.c:1058
break tests/uvm/uvm_map_test.c:1060
break tests/uvm/uvm_map_test.c:1067
break tests/uvm/uvm_map_test.c:1072
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
