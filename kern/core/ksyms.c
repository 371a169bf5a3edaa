/*
 * kern/core/ksyms.c - address to name, by binary search over the generated,
 * address-sorted table (build/ksyms.c).
 */
#include "kern/core/ksyms.h"
#include "kern/lib/string.h"

extern const struct ksym ksym_table[];
extern const uint32_t ksym_count;
extern const char ksym_names[];
extern char kernel_text_start[], kernel_text_end[];

const char *
ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint32_t lo = 0, hi = ksym_count;

	if (addr < (uint64_t)kernel_text_start || addr >= (uint64_t)kernel_text_end)
		return NULL;
	/* Find the last symbol whose address is <= addr. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*offset = addr - ksym_table[lo - 1].addr;
	return &ksym_names[ksym_table[lo - 1].name];
}

uint64_t
ksym_address(const char *name)
{
	for (uint32_t i = 0; i < ksym_count; i++) {
		if (strcmp(&ksym_names[ksym_table[i].name], name) == 0)
			return ksym_table[i].addr;
	}
	return 0;
}
