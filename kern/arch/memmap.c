/*
 * kern/arch/memmap.c - from the firmware's memory map to usable ranges.
 *
 * Firmware maps are messy: entries arrive in any order, may overlap, may
 * be empty, and a reserved range may sit inside a usable one.  The rule
 * here is simple and safe: a byte is usable only if at least one entry
 * says "usable" and no entry says anything else.
 *
 * The method is a sweep over boundaries.  Every entry contributes its
 * start and end; sorted, consecutive boundaries cut the address space into
 * elementary pieces, and each piece is wholly inside or outside each entry:
 *
 *   entries:   usable [0, 640K)   usable [1M, 512M)   reserved [100M, 101M)
 *   bounds:    0  640K  1M  100M  101M  512M
 *   pieces:    [0,640K) U   [640K,1M) -   [1M,100M) U   [100M,101M) R
 *              [101M,512M) U
 *   result:    [0,640K)  [1M,100M)  [101M,512M)
 *
 * Adjacent usable pieces are merged, then each range is shrunk to whole
 * pages (start rounded up, end rounded down) and dropped if empty.
 * With n entries this is O(n^2), and n is a few dozen at most.
 */
#include "kern/arch/memmap.h"

#define MAX_BOUNDS (2 * 128)

static void
sort_u64(uint64_t *a, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t v = a[i];
		int j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

/* End of an entry, saturated so base+len never wraps past 2^64. */
static uint64_t
entry_end(const struct mb2_mmap_entry *e)
{
	return e->len > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->len;
}

/* 1: usable, 0: not covered, -1: covered by some non-usable entry. */
static int
piece_kind(const struct mb2_mmap_entry *e, int n, uint64_t lo, uint64_t hi)
{
	int kind = 0;

	for (int i = 0; i < n; i++) {
		if (e[i].len == 0 || e[i].base > lo || entry_end(&e[i]) < hi)
			continue;
		if (e[i].type != MB2_MEM_USABLE)
			return -1;
		kind = 1;
	}
	return kind;
}

static void
memmap_add(struct memmap *mm, uint64_t start, uint64_t end)
{
	start = ROUND_UP(start, PAGE_SIZE);
	end = ROUND_DOWN(end, PAGE_SIZE);
	if (start >= end)
		return;
	if (mm->n == MEMMAP_MAX_RANGES) {
		mm->dropped += end - start;
		return;
	}
	mm->r[mm->n].start = start;
	mm->r[mm->n].end = end;
	mm->n++;
}

int
memmap_build(const struct mb2_mmap_entry *e, int n, struct memmap *out)
{
	uint64_t b[MAX_BOUNDS];
	int nb = 0;
	uint64_t run_start = 0;
	bool in_run = false;

	out->n = 0;
	out->dropped = 0;
	if (n > MAX_BOUNDS / 2)
		n = MAX_BOUNDS / 2;
	for (int i = 0; i < n; i++) {
		if (e[i].len == 0)
			continue;
		b[nb++] = e[i].base;
		b[nb++] = entry_end(&e[i]);
	}
	sort_u64(b, nb);
	for (int i = 0; i + 1 < nb; i++) {
		if (b[i] == b[i + 1])
			continue;
		bool usable = piece_kind(e, n, b[i], b[i + 1]) == 1;
		if (usable && !in_run) {
			run_start = b[i];
			in_run = true;
		} else if (!usable && in_run) {
			memmap_add(out, run_start, b[i]);
			in_run = false;
		}
	}
	if (in_run)
		memmap_add(out, run_start, b[nb - 1]);
	return out->n;
}

uint64_t
memmap_limit(struct memmap *mm, paddr_t limit)
{
	uint64_t before = memmap_total(mm);
	int n = 0;

	limit = ROUND_DOWN(limit, PAGE_SIZE);
	for (int i = 0; i < mm->n && mm->r[i].start < limit; i++) {
		mm->r[n] = mm->r[i];
		if (mm->r[n].end > limit)
			mm->r[n].end = limit;
		n++;
	}
	mm->n = n;
	return before - memmap_total(mm);
}

uint64_t
memmap_total(const struct memmap *mm)
{
	uint64_t total = 0;

	for (int i = 0; i < mm->n; i++)
		total += mm->r[i].end - mm->r[i].start;
	return total;
}

void
memmap_print(const struct memmap *mm, kprint_fn pr)
{
	pr("memory map: %d usable range%s\n", mm->n, mm->n == 1 ? "" : "s");
	for (int i = 0; i < mm->n; i++) {
		pr("  [0x%010lx, 0x%010lx)  %7lu KiB\n", mm->r[i].start,
		    mm->r[i].end, (mm->r[i].end - mm->r[i].start) >> 10);
	}
	if (mm->dropped != 0)
		pr("  (%lu KiB dropped: too many ranges)\n", mm->dropped >> 10);
	pr("memory: %lu MiB usable\n", memmap_total(mm) >> 20);
}
