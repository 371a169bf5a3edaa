# tools/gdb/kernel.gdb - gdb settings for debugging the kernel in QEMU.
# Loaded by `make gdb` (tools/gdb.sh) and by the gdb test
# (tools/gdb/test-gdb.sh); the kernel's symbols come from BUILD/kernel.elf,
# BUILD being $UVMKERN_BUILD (the Makefile's BUILD; build by default).
set pagination off
set confirm off
set disassembly-flavor intel
set print pretty on
set architecture i386:x86-64
# The uvm commands (help uvm) and the pretty-printers for the VM
# structures; they need BUILD/gdb/uvm_const.py, which make generates.
source tools/gdb/uvm.py
# uvm snapshot: /proc/PID/uvm from the stopped kernel, for tools/draw/.
source tools/gdb/uvm_snapshot.py
