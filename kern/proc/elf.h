/*
 * kern/proc/elf.h - the parts of the ELF64 format exec needs (x86-64).
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include "kern/lib/types.h"

struct elf64_ehdr {
	uint8_t e_ident[16];        /* "\177ELF", class, data, version, ... */
	uint16_t e_type;            /* ET_EXEC or ET_DYN (static-pie) */
	uint16_t e_machine;         /* EM_X86_64 */
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;           /* program headers: file offset */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;           /* PF_R | PF_W | PF_X */
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62

#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551

#define PF_X 1
#define PF_W 2
#define PF_R 4

/* Auxiliary vector keys (what musl and glibc read at startup). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31

#endif
