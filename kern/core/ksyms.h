/*
 * kern/core/ksyms.h - the kernel's own symbol table, for backtraces.
 *
 * The Makefile links the kernel twice: the first link's function symbols
 * (nm) become tools/gensyms.sh's generated table, which the second link
 * includes.  The table is the last thing in .rodata, after .text, so adding
 * it moves no function (the Makefile checks this).
 */
#ifndef KERN_KSYMS_H
#define KERN_KSYMS_H

#include "kern/lib/types.h"

struct ksym {
	uint64_t addr;
	uint32_t name;      /* offset into ksym_names */
};

/*
 * ksym_lookup - find the function containing addr.
 *  => returns its name and sets *offset, or NULL if addr is in no function.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* ksym_address - the address of the named function, or 0. */
uint64_t ksym_address(const char *name);

#endif
