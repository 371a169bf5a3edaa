# docs/book/gdb/forkdemo-cases.gdb - forkdemo's faults of each case, before and after
#
# Made the figures of chapters 1, 2, 4 and 5 (fault #1 2B-promote, #8
# 2B-zero, #17 1A read, #22 1B, #25 1A write).  Run it in the gdb of
#   make gdb CMDLINE='init=/bin/forkdemo initexit=1'
# (QEMU halted at reset, gdb attached: then  source docs/book/gdb/forkdemo-cases.gdb),
# or in one go, as the figures were made (make qemu-gdb listens on a free
# port and writes it to build/gdb-port while QEMU runs; GDBPORT=N chooses):
#   make qemu-gdb CMDLINE='init=/bin/forkdemo initexit=1' &
#   until [ -s build/gdb-port ]; do sleep 1; done
#   UVMKERN_BUILD=build gdb -batch -x tools/gdb/kernel.gdb \
#       -ex "target remote :$(cat build/gdb-port)" -x docs/book/gdb/forkdemo-cases.gdb build/kernel.elf
# Kernel addresses differ from run to run; user addresses do not.

set pagination off
echo === F1 2B-promote (pid 1 data write)\n
uvm break-fault pid 1 addr 0x40b118 write
continue
uvm map pid 1
print *$uvm_entry(0x40b118, $uvm_proc(1)->vmspace)
uvm object $uvm_entry(0x40b118, $uvm_proc(1)->vmspace)->object
finish
print *$uvm_entry(0x40b118, $uvm_proc(1)->vmspace)
uvm amap $uvm_entry(0x40b118, $uvm_proc(1)->vmspace)->aref.ar_amap
uvm pte 0x40b118 $uvm_proc(1)->vmspace->vm_map.pmap
uvm faults 1
echo === F8 2B-zero\n
uvm break-fault pid 1 addr 0x7fffff6ff000 write
continue
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)
finish
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)
uvm amap $uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)->aref.ar_amap
uvm anon $uvm_anon(0x7fffff6ff000, $uvm_proc(1)->vmspace)
uvm pte 0x7fffff6ff000 $uvm_proc(1)->vmspace->vm_map.pmap
uvm faults 1
echo === F17 1A read in child\n
uvm break-fault pid 2 addr 0x40b698 read
continue
uvm procs
uvm map pid 2
uvm amap $uvm_entry(0x40b698, $uvm_proc(2)->vmspace)->aref.ar_amap
uvm pte 0x40b698 $uvm_proc(2)->vmspace->vm_map.pmap
finish
uvm anon $uvm_anon(0x40b698, $uvm_proc(2)->vmspace)
uvm pte 0x40b698 $uvm_proc(2)->vmspace->vm_map.pmap
uvm faults 1
echo === F22 1B child write\n
uvm break-fault pid 2 addr 0x7fffff6ff000 write
continue
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)
uvm amap $uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)->aref.ar_amap
uvm anon $uvm_anon(0x7fffff6ff000, $uvm_proc(2)->vmspace)
uvm pte 0x7fffff6ff000 $uvm_proc(2)->vmspace->vm_map.pmap
finish
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)
uvm amap $uvm_entry(0x7fffff6ff000, $uvm_proc(2)->vmspace)->aref.ar_amap
uvm anon $uvm_anon(0x7fffff6ff000, $uvm_proc(2)->vmspace)
uvm pte 0x7fffff6ff000 $uvm_proc(2)->vmspace->vm_map.pmap
uvm faults 1
uvm map pid 1
uvm amap $uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)->aref.ar_amap
echo === F25 1A parent write\n
uvm break-fault pid 1 addr 0x7fffff6ff000 write
continue
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)
uvm pte 0x7fffff6ff000 $uvm_proc(1)->vmspace->vm_map.pmap
finish
print *$uvm_entry(0x7fffff6ff000, $uvm_proc(1)->vmspace)
uvm anon $uvm_anon(0x7fffff6ff000, $uvm_proc(1)->vmspace)
uvm faults 6
echo === MORE\n
uvm stats
uvm queues 3
uvm swap
echo === END\n
delete
continue
