/*
 * kern/arch/mb2.h - what the kernel takes from GRUB's multiboot2 information.
 */
#ifndef KERN_MB2_H
#define KERN_MB2_H

#include "kern/lib/types.h"
#include "kern/arch/memmap.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define MB2_MAX_MODULES 8

struct boot_module {
	paddr_t start;
	paddr_t end;
	const char *name;   /* GRUB's module command line */
};

struct bootinfo {
	paddr_t mbi_start, mbi_end;     /* the information block itself */
	const char *cmdline;            /* "" when absent */
	const char *loader;             /* boot loader name, or NULL */
	const struct mb2_mmap_entry *mmap;
	int nmmap;
	struct boot_module mod[MB2_MAX_MODULES];
	int nmod;
	const void *acpi_rsdp;          /* GRUB's copy of the ACPI RSDP, or NULL */
	uint32_t acpi_rsdp_len;         /* its length (20 for ACPI 1.0, 36 for 2.0+) */
};

/* The boot information, filled once by kmain (kern/kmain.c). */
extern struct bootinfo boot_info;

/*
 * mb2_parse - walk the tags of the information block at mbi (a kernel
 * virtual address) and fill bi.
 *  => the block stays where GRUB put it; bi points into it.
 *  => returns 0, or -EINVAL for a block that is not well formed.
 */
int mb2_parse(const void *mbi, paddr_t mbi_phys, struct bootinfo *bi);

#endif
