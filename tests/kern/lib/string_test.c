/*
 * tests/kern/lib/string_test.c - kern/lib/string.c: memcpy's paths (the
 * bytes up to an aligned destination, 256-byte blocks, words, the tail)
 * each copy exactly the bytes asked for, from any alignment to any;
 * memset's the same; and memmove, which hands a downward overlap to
 * memcpy, still moves right.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"

#define ST_AREA 1536

static uint8_t
st_byte(size_t i)
{
	return (uint8_t)(i * 31 + 7);
}

/*
 * Copies n bytes from src + so to dst + d0 for every pair of alignments
 * 0..8 and checks the copy, and that the bytes either side of it are
 * still the guard's.
 */
static void
st_copy_all_alignments(uint8_t *src, uint8_t *dst, size_t n)
{
	for (size_t so = 0; so < 9; so++) {
		for (size_t d0 = 0; d0 < 9; d0++) {
			memset(dst, 0xee, ST_AREA);
			KT_ASSERT(memcpy(dst + d0, src + so, n) == dst + d0);
			for (size_t i = 0; i < d0; i++)
				KT_EQ(dst[i], 0xee);
			for (size_t i = 0; i < n; i++)
				KT_EQ(dst[d0 + i], st_byte(so + i));
			for (size_t i = d0 + n; i < d0 + n + 8; i++)
				KT_EQ(dst[i], 0xee);
		}
	}
}

KTEST(string, memcpy_copies_every_length_from_any_alignment_to_any)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 15, 16, 63, 64, 65, 255, 256, 257, 300, 511, 512,
		513, 1024, 1031, 1500,
	};
	uint8_t *src = kmem_alloc(ST_AREA, 0), *dst = kmem_alloc(ST_AREA, 0);

	KT_ASSERT(src != NULL && dst != NULL);
	for (size_t i = 0; i < ST_AREA; i++)
		src[i] = st_byte(i);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
		st_copy_all_alignments(src, dst, lens[k]);
	kmem_free(src, ST_AREA);
	kmem_free(dst, ST_AREA);
}

/*
 * memset's paths (bytes up to an aligned destination, 64-byte turns,
 * words, the tail) set exactly the n bytes asked for, at every alignment,
 * and leave the bytes either side alone.
 */
KTEST(string, memset_sets_every_length_at_any_alignment)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 127, 128, 200, 511, 512, 1000,
	};
	uint8_t *buf = kmem_alloc(ST_AREA, 0);

	KT_ASSERT(buf != NULL);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		for (size_t d0 = 0; d0 < 9; d0++) {
			for (size_t i = 0; i < ST_AREA; i++)
				buf[i] = 0xee;
			KT_ASSERT(memset(buf + d0, 0x5a, lens[k]) == buf + d0);
			for (size_t i = 0; i < d0; i++)
				KT_EQ(buf[i], 0xee);
			for (size_t i = 0; i < lens[k]; i++)
				KT_EQ(buf[d0 + i], 0x5a);
			for (size_t i = d0 + lens[k]; i < d0 + lens[k] + 8; i++)
				KT_EQ(buf[i], 0xee);
		}
	}
	kmem_free(buf, ST_AREA);
}

/*
 * memmove with the destination below the source goes through memcpy's
 * forward copy (its 256-byte blocks load each word before storing it):
 * overlapping by less than a word, a block, and more, the bytes arrive.
 */
KTEST(string, memmove_down_over_an_overlap_copies_forward)
{
	static const size_t shifts[] = { 1, 7, 8, 9, 255, 256, 300 };
	uint8_t *buf = kmem_alloc(ST_AREA, 0);

	KT_ASSERT(buf != NULL);
	for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
		size_t sh = shifts[k], n = ST_AREA - sh;
		for (size_t i = 0; i < ST_AREA; i++)
			buf[i] = st_byte(i);
		KT_ASSERT(memmove(buf, buf + sh, n) == buf);
		for (size_t i = 0; i < n; i++)
			KT_EQ(buf[i], st_byte(i + sh));
	}
	kmem_free(buf, ST_AREA);
}
