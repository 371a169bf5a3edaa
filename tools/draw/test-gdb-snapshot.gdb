# tools/draw/test-gdb-snapshot.gdb - the gdb half of make test's check of
# "uvm snapshot" (tools/gdb/uvm_snapshot.py), run by
# tools/draw/test-gdb-snapshot.sh against QEMU halted at reset, booting
# forkdemo as init from the initrd.  It stops at the child's first write
# to its copy-on-write page, snapshots child and parent (the amap still
# shared, ref 2), lets the fault finish (case 1B) and snapshots again; the
# shell half draws both steps and checks them in Chromium.
source tools/gdb/kernel.gdb
eval "target remote :%d", $port
uvm break-fault pid 2
continue
python
import re
m = re.search(r"one private page at (0x[0-9a-f]+)", open(TEST_CONSOLE).read())
if m is None:
    raise gdb.GdbError("test-gdb-snapshot: forkdemo's page address is not on the console")
gdb.set_convenience_variable("page", int(m.group(1), 16))
gdb.execute("uvm break-fault pid 2 addr $page write")
gdb.execute("continue")
gdb.execute("uvm snapshot pid 2 pid 1 focus $page to %s label the child's write faults" % TEST_SNAP)
gdb.execute("finish")
gdb.execute("uvm snapshot pid 2 pid 1 focus $page to %s label after the fault: case 1B" % TEST_SNAP)
end
echo === END\n
kill
