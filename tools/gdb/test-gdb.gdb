# tools/gdb/test-gdb.gdb - the gdb half of make test's debugger check,
# run by tools/gdb/test-gdb.sh as
#
#   gdb -batch -ex 'set $port = N' -ex 'python TEST_CONSOLE = "LOG"' \
#       -x tools/gdb/test-gdb.gdb build/kernel.elf
#
# against QEMU halted at reset, booting init=/mnt/usr/local/bin/forkdemo (from the
# ext2 disk).  It stops in forkdemo's main (uvm break-main: its source,
# one line stepped), gives the uvm commands NULL, then stops in uvm_fault when forkdemo's child first writes
# its copy-on-write page, prints the map entry, amap, anon and page-table
# walk there, lets the handler finish and prints them again, shows the
# program's file (uvm vnode, uvm object: the vnode pager's pages), and
# has the kernel's C printers print the map, amap and object to the
# console; test-gdb.sh checks the output
# between the "=== NAME" markers.  In batch mode gdb stops at the first
# command that fails, so a missing "=== END" means a command broke.
source tools/gdb/kernel.gdb
eval "target remote :%d", $port

# forkdemo's own code first: stop in its main (pid 1) with its source,
# step one line.  Then the commands on NULL say so in words.
uvm break-main forkdemo
continue
echo === MAIN\n
frame
next
frame
echo === NULL\n
uvm amap 0
uvm anon 0
uvm object 0
uvm vnode 0
echo === FAULTS\n

# The child (pid 2; forkdemo is init, pid 1) faults first on its stack.
# By then the parent has printed where its private page is.
uvm break-fault pid 2
continue
python
import re
m = re.search(r"one private page at (0x[0-9a-f]+)", open(TEST_CONSOLE).read())
if m is None:
    raise gdb.GdbError("test-gdb: forkdemo's page address is not on the console")
gdb.set_convenience_variable("page", int(m.group(1), 16))
end
printf "page at %#lx\n", $page

# Now the child's write to that page: the copy-on-write fault.
uvm break-fault pid 2 addr $page write
continue
echo === BEFORE\n
uvm procs
uvm threads bt
uvm map
uvm amap $uvm_entry($page)->aref.ar_amap
uvm anon $uvm_anon($page)
uvm pte $page
print *$uvm_entry($page)

echo === AFTER\n
finish
uvm map
uvm amap $uvm_entry($page)->aref.ar_amap
uvm anon $uvm_anon($page)
uvm page $uvm_anon($page)->an_page
uvm pte $page
uvm faults 1
# The kernel's own printers write the same to the console: compared by
# test-gdb.sh with the two commands above.
call uvm_map_print(&$curthread()->vmspace->vm_map, kprint)
call amap_print($uvm_entry($page)->aref.ar_amap, kprint)

# The program's text: a private mapping of /mnt/usr/local/bin/forkdemo's object on
# the ext2 disk (the vnode pager), shown as vnode and as object.
echo === FILE\n
python
m = gdb.parse_and_eval("$curthread()->vmspace->vm_map")
hdr, e = int(m["header"].address), m["header"]["next"]
while int(e) != hdr and not (int(e["object"]) and int(e["protection"]) & 4):
    e = e["next"]
if int(e) == hdr:
    raise gdb.GdbError("test-gdb: no executable entry over an object in the child")
gdb.set_convenience_variable("text", int(e["start"]))
end
printf "text at %#lx\n", $text
uvm vnode $uvm_vnode($uvm_entry($text)->object)
uvm object $uvm_entry($text)->object
call uvm_obj_print($uvm_entry($text)->object, kprint)

echo === PARENT\n
uvm map pid 1
uvm amap $uvm_entry($page, $uvm_proc(1)->vmspace)->aref.ar_amap

echo === MORE\n
uvm user-symbols
info symbol main
uvm stats
uvm queues 2
uvm swap bits
help uvm
echo === END\n
# Let forkdemo run to its end: QEMU leaves through isa-debug-exit.
delete
continue
