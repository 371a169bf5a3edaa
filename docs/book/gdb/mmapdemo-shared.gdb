# docs/book/gdb/mmapdemo-shared.gdb - the aobj under a shared anonymous mapping
#
# Made the figures of chapter 3 (the child's write to mmapdemo's shared
# page).  Run it in the gdb of
#   make gdb CMDLINE='init=/bin/mmapdemo initexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/mmapdemo-shared.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb CMDLINE='init=/bin/mmapdemo initexit=1' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/mmapdemo-shared.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
uvm break-fault pid 2 addr 0x7fffff6ff000 write
continue
echo === child write to shared page\n
uvm map pid 2
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)
uvm object $uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)->object
finish
uvm object $uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)->object
uvm pte 0x7fffff6ff000 $uvm_proc(2)->vmspace->vm_map.pmap
uvm pte 0x7fffff6ff000 $uvm_proc(1)->vmspace->vm_map.pmap
uvm faults 1
call uvm_obj_print($uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)->object, kprint)
echo === END\n
delete
continue
