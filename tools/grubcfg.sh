#!/bin/sh
# tools/grubcfg.sh "CMDLINE" > grub.cfg
# One menu entry that boots at once with the given kernel command line,
# and the initrd (a cpio archive) as a multiboot2 module.
# GRUB stays off the serial port so the console shows only the kernel.
cat <<CFG
set timeout=0
set default=0
menuentry "uvmkern" {
	multiboot2 /boot/kernel.elf $1
	module2 /boot/initrd.cpio initrd
	boot
}
CFG
