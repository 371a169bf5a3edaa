# docs/book/gdb/swapdemo-pageout.gdb - the first pageout and the first page-in
#
# Made the figures of chapter 6 (swapdemo, 100 MiB in a 64 MiB machine).
# Run it in the gdb of
#   make gdb MEM=64M CMDLINE='init=/bin/swapdemo initexit=1 -- 100'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/swapdemo-pageout.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb MEM=64M CMDLINE='init=/bin/swapdemo initexit=1 -- 100' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/swapdemo-pageout.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
break uvm_swap_io if write
continue
echo === FIRST PAGEOUT\n
printf "uvm_swap_io: %d pages from slot %d, write %d\n", npages, slot, write
bt 5
uvm queues 2
set $a0 = pgs[0]->uanon
uvm anon $a0
finish
uvm anon $a0
uvm swap
delete
break fault_anonget
continue
echo === FIRST PAGEIN\n
uvm anon anon
uvm faults 1
delete
break uvm_swap_io if !write
continue
printf "uvm_swap_io: %d pages from slot %d, write %d\n", npages, slot, write
delete
finish
uvm stats
uvm swap
echo === END\n
delete
continue
