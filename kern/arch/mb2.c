/*
 * kern/arch/mb2.c - the multiboot2 boot information.
 *
 * GRUB hands over one block: an 8-byte header {total_size, reserved}, then
 * tags, each {type, size, payload...}, each starting on an 8-byte boundary,
 * ending with a tag of type 0:
 *
 *   | total 8 | type 1 cmdline | type 2 loader | type 6 mmap | ... | type 0 |
 *
 * Tags 14 and 15 carry a copy of the ACPI root pointer (RSDP, version 1
 * or 2+) that GRUB found in the BIOS area, so the kernel need not scan
 * for it; dev/ioapic.c follows it to the MADT.  A 2+ copy wins.
 *
 * This file only records where things are; memmap.c makes sense of the
 * memory map and the page allocator later reserves the block itself.
 */
#include "kern/arch/mb2.h"
#include "kern/lib/errno.h"

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	struct mb2_mmap_entry entries[];
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	char name[];
};

static void
mb2_tag(const struct mb2_tag *t, struct bootinfo *bi)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
		bi->cmdline = (const char *)(t + 1);
		break;
	case MB2_TAG_LOADER:
		bi->loader = (const char *)(t + 1);
		break;
	case MB2_TAG_MMAP: {
		const struct mb2_tag_mmap *m = (const void *)t;
		if (m->entry_size == sizeof(struct mb2_mmap_entry)) {
			bi->mmap = m->entries;
			bi->nmmap = (int)((t->size - sizeof(*m)) / m->entry_size);
		}
		break;
	}
	case MB2_TAG_MODULE: {
		const struct mb2_tag_module *m = (const void *)t;
		if (bi->nmod < MB2_MAX_MODULES) {
			bi->mod[bi->nmod].start = m->mod_start;
			bi->mod[bi->nmod].end = m->mod_end;
			bi->mod[bi->nmod].name = m->name;
			bi->nmod++;
		}
		break;
	}
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		if (bi->acpi_rsdp == NULL || t->type == MB2_TAG_ACPI_NEW) {
			bi->acpi_rsdp = t + 1;
			bi->acpi_rsdp_len = t->size - sizeof(*t);
		}
		break;
	default:
		break;
	}
}

int
mb2_parse(const void *mbi, paddr_t mbi_phys, struct bootinfo *bi)
{
	const uint8_t *p = mbi;
	uint32_t total = *(const uint32_t *)mbi;

	*bi = (struct bootinfo){ .cmdline = "" };
	bi->mbi_start = mbi_phys;
	bi->mbi_end = mbi_phys + total;
	if (total < 16)
		return -EINVAL;
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(p + off);
		if (t->type == MB2_TAG_END)
			return 0;
		if (t->size < sizeof(*t) || off + t->size > total)
			return -EINVAL;
		mb2_tag(t, bi);
		off += ROUND_UP(t->size, 8);
	}
	return -EINVAL;
}
