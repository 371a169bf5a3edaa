# tools/gdb/kernel.gdb - gdb settings for debugging the kernel in QEMU.
# Loaded by `make gdb`.  The kernel's symbols come from build/kernel.elf.
set pagination off
set confirm off
set disassembly-flavor intel
set print pretty on
set architecture i386:x86-64
# The uvm commands (help uvm).
source tools/gdb/uvm.py
