/*
 * tests/kern/arch/memmap_test.c - kern/arch/memmap.c and kern/arch/mb2.c on crafted
 * input: unsorted, overlapping, zero-length, above 4 GiB, a reserved range
 * inside a usable one, unaligned edges, and a whole multiboot2 block.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/arch/mb2.h"
#include "kern/arch/memmap.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

static struct memmap mm;

static void
expect_range(int i, uint64_t start, uint64_t end)
{
	KT_ASSERT(i < mm.n);
	KT_EQ(mm.r[i].start, start);
	KT_EQ(mm.r[i].end, end);
}

KTEST(memmap, sorted_simple)
{
	struct mb2_mmap_entry e[] = {
		{ 0, 640 * KiB, 1, 0 },
		{ 640 * KiB, 384 * KiB, 2, 0 },
		{ 1 * MiB, 511 * MiB, 1, 0 },
	};
	KT_EQ(memmap_build(e, 3, &mm), 2);
	expect_range(0, 0, 640 * KiB);
	expect_range(1, 1 * MiB, 512 * MiB);
	KT_EQ(memmap_total(&mm), 640 * KiB + 511 * MiB);
}

KTEST(memmap, unsorted_input_sorted_output)
{
	struct mb2_mmap_entry e[] = {
		{ 4 * GiB, 1 * GiB, 1, 0 },
		{ 1 * MiB, 15 * MiB, 1, 0 },
		{ 0, 512 * KiB, 1, 0 },
	};
	KT_EQ(memmap_build(e, 3, &mm), 3);
	expect_range(0, 0, 512 * KiB);
	expect_range(1, 1 * MiB, 16 * MiB);
	expect_range(2, 4 * GiB, 5 * GiB);
}

KTEST(memmap, overlapping_usable_merge)
{
	struct mb2_mmap_entry e[] = {
		{ 1 * MiB, 10 * MiB, 1, 0 },
		{ 5 * MiB, 10 * MiB, 1, 0 },
		{ 15 * MiB, 1 * MiB, 1, 0 },     /* touches: merges too */
	};
	KT_EQ(memmap_build(e, 3, &mm), 1);
	expect_range(0, 1 * MiB, 16 * MiB);
}

KTEST(memmap, reserved_inside_usable_splits)
{
	struct mb2_mmap_entry e[] = {
		{ 1 * MiB, 511 * MiB, 1, 0 },
		{ 100 * MiB, 1 * MiB, 2, 0 },
	};
	KT_EQ(memmap_build(e, 2, &mm), 2);
	expect_range(0, 1 * MiB, 100 * MiB);
	expect_range(1, 101 * MiB, 512 * MiB);
}

KTEST(memmap, reserved_overlapping_usable_wins)
{
	struct mb2_mmap_entry e[] = {
		{ 0, 8 * MiB, 1, 0 },
		{ 6 * MiB, 4 * MiB, 3, 0 },      /* ACPI: not usable */
		{ 9 * MiB, 7 * MiB, 1, 0 },
	};
	KT_EQ(memmap_build(e, 3, &mm), 2);
	expect_range(0, 0, 6 * MiB);
	expect_range(1, 10 * MiB, 16 * MiB);
}

KTEST(memmap, zero_length_entries_ignored)
{
	struct mb2_mmap_entry e[] = {
		{ 2 * MiB, 0, 1, 0 },
		{ 3 * MiB, 0, 2, 0 },
		{ 1 * MiB, 4 * MiB, 1, 0 },
	};
	KT_EQ(memmap_build(e, 3, &mm), 1);
	expect_range(0, 1 * MiB, 5 * MiB);
}

KTEST(memmap, above_4g_and_unaligned_edges_trimmed)
{
	struct mb2_mmap_entry e[] = {
		{ 0x100000123ULL, 0x3000, 1, 0 },    /* -> [0x100001000, 0x100003000) */
		{ 0x2000, 0x800, 1, 0 },             /* less than a page: dropped */
		{ 0xffffffffffffe000ULL, 0x4000, 1, 0 }, /* wraps: saturated */
	};
	KT_EQ(memmap_build(e, 3, &mm), 2);
	expect_range(0, 0x100001000ULL, 0x100003000ULL);
	expect_range(1, 0xffffffffffffe000ULL, 0xfffffffffffff000ULL);
}

KTEST(memmap, limit_cuts_and_drops_ranges_above)
{
	struct mb2_mmap_entry e[] = {
		{ 0x0, 0x9f000, 1, 0 },              /* [0, 636K) */
		{ 0x100000, 0x7f00000, 1, 0 },       /* [1M, 128M) */
		{ 0x100000000ULL, 0x100000, 1, 0 },  /* [4G, 4G+1M) */
	};
	KT_EQ(memmap_build(e, 3, &mm), 3);
	/* 64M + 100 bytes: rounded down to 64M; 64M..128M and 4G go. */
	KT_EQ(memmap_limit(&mm, 0x4000064), 0x4000000 + 0x100000);
	KT_EQ(mm.n, 2);
	expect_range(0, 0, 0x9f000);
	expect_range(1, 0x100000, 0x4000000);
	/* A limit inside the hole below 1M leaves only the first range. */
	KT_EQ(memmap_limit(&mm, 0xa0000), 0x4000000 - 0x100000);
	KT_EQ(mm.n, 1);
	expect_range(0, 0, 0x9f000);
	/* A limit above everything changes nothing. */
	KT_EQ(memmap_limit(&mm, ~(paddr_t)0), 0);
	KT_EQ(mm.n, 1);
}

KTEST(memmap, empty_map)
{
	KT_EQ(memmap_build(NULL, 0, &mm), 0);
	KT_EQ(memmap_total(&mm), 0);
}

/* A whole multiboot2 block: header, cmdline, mmap, module, end tag. */
KTEST(memmap, multiboot2_block_parsed)
{
	static uint8_t blk[256] __aligned(8);
	uint32_t *w = (uint32_t *)blk;
	size_t off = 8;

	memset(blk, 0, sizeof(blk));
	/* cmdline tag: type 1, size 8 + 10 */
	w[off / 4] = 1;
	w[off / 4 + 1] = 8 + 10;
	memcpy(blk + off + 8, "ktest=all", 10);
	off += ROUND_UP(18UL, 8);
	/* mmap tag: type 6, 16 bytes header + 2 entries of 24 */
	w[off / 4] = 6;
	w[off / 4 + 1] = 16 + 2 * 24;
	w[off / 4 + 2] = 24;
	struct mb2_mmap_entry *me = (void *)(blk + off + 16);
	me[0] = (struct mb2_mmap_entry){ 1 * MiB, 63 * MiB, 1, 0 };
	me[1] = (struct mb2_mmap_entry){ 0xf0000, 0x10000, 2, 0 };
	off += 64;
	/* module tag: type 3, start, end, name */
	w[off / 4] = 3;
	w[off / 4 + 1] = 16 + 7;
	w[off / 4 + 2] = 0x200000;
	w[off / 4 + 3] = 0x280000;
	memcpy(blk + off + 16, "initrd", 7);
	off += ROUND_UP(23UL, 8);
	w[off / 4] = 0;     /* end tag */
	w[off / 4 + 1] = 8;
	off += 8;
	w[0] = (uint32_t)off;

	struct bootinfo bi;
	KT_EQ(mb2_parse(blk, 0x9000, &bi), 0);
	KT_STREQ(bi.cmdline, "ktest=all");
	KT_EQ(bi.nmmap, 2);
	KT_EQ(bi.nmod, 1);
	KT_EQ(bi.mod[0].start, 0x200000);
	KT_EQ(bi.mod[0].end, 0x280000);
	KT_STREQ(bi.mod[0].name, "initrd");
	KT_EQ(bi.mbi_end - bi.mbi_start, off);
	KT_EQ(memmap_build(bi.mmap, bi.nmmap, &mm), 1);
	expect_range(0, 1 * MiB, 64 * MiB);

	/* A tag that claims to run past the end is refused, not followed. */
	w[3] = 4096;
	KT_EQ(mb2_parse(blk, 0x9000, &bi), -EINVAL);
}
