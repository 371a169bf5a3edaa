/*
 * user/swapdemo.c - use more memory than the machine has, and get every
 * byte back.
 *
 *   make run MEM=64M PROG=build/user/swapdemo ARGS=200
 *   (or, at the shell of `make run MEM=64M`:  swapdemo 200)
 *
 * Maps N MiB (default 200) of private anonymous memory, writes a pattern
 * unique to each 8-byte word of every page, reads it all back, and prints
 * what the swap system did: pages written out and read back in, and the
 * clustering figure, pages per swap write.  Exits 0 only if every word
 * was right.  On Linux (no uvm_swapctl) it just writes and checks.
 *
 * Swapping happens only when N MiB do not fit in free memory: at make
 * run's default 512 MiB, 200 MiB fit, nothing goes to swap, and
 * swapdemo says so and how to see it swap (MEM=64M, or a bigger N).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "uvmkern.h"

#define PAGE 4096UL
#define WORDS (PAGE / sizeof(uint64_t))

static uint64_t
word_of(size_t page, size_t w)
{
	return ((uint64_t)page << 12 | w) * 0x9e3779b97f4a7c15ULL;
}

static void
print_stats(const char *when, const struct uvm_swapstat *st)
{
	printf("  %-8s free %6llu of %6llu pages | swap %6llu of %6llu slots in use | "
	    "out %7llu in %7llu pages, %5llu.%02llu pages per write\n", when,
	    (unsigned long long)st->free_pages, (unsigned long long)st->total_pages,
	    (unsigned long long)st->inuse, (unsigned long long)st->nslots,
	    (unsigned long long)st->pageouts, (unsigned long long)st->pageins,
	    (unsigned long long)st->pages_per_write_x100 / 100,
	    (unsigned long long)st->pages_per_write_x100 % 100);
}

/* Did it swap?  If not, why not, and how to see it. */
static void
explain(const struct uvm_swapstat *a, const struct uvm_swapstat *b, size_t mib)
{
	unsigned long long freemib = a->free_pages / 256;

	if (b->pageouts > a->pageouts) {
		printf("swapdemo: it swapped: %llu pages went out to swap and %llu came back\n",
		    (unsigned long long)(b->pageouts - a->pageouts),
		    (unsigned long long)(b->pageins - a->pageins));
		return;
	}
	if (b->nslots == 0)
		printf("swapdemo: it did not swap: there is no swap area (booted with swap=none?)\n");
	else
		printf("swapdemo: it did not swap: %zu MiB fit in the %llu MiB that were free\n"
		    "  (ask for more than that to make it swap: swapdemo %llu)\n",
		    mib, freemib, freemib + 64);
	printf("  To see swapping, boot a smaller machine, with swap on vda: make run MEM=64M,\n"
	    "  then swapdemo 200 (or make run MEM=64M PROG=build/user/swapdemo ARGS=200)\n");
}

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 200;
	size_t npages = mib * 256, bad = 0;
	struct uvm_swapstat st = { 0 };
	int have_stats = uvm_swapctl(UVM_SWAPCTL_STATS, &st, 0) == 0;
	struct uvm_swapstat start = st;
	uint64_t *mem;

	printf("swapdemo: %zu MiB (%zu pages) of anonymous memory\n", mib, npages);
	if (have_stats)
		print_stats("start", &st);
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("swapdemo: mmap");
		return 1;
	}
	for (size_t p = 0; p < npages; p++)
		for (size_t w = 0; w < WORDS; w++)
			mem[p * WORDS + w] = word_of(p, w);
	if (have_stats && uvm_swapctl(UVM_SWAPCTL_STATS, &st, 0) == 0)
		print_stats("written", &st);
	for (size_t p = 0; p < npages; p++) {
		for (size_t w = 0; w < WORDS; w++) {
			if (mem[p * WORDS + w] != word_of(p, w)) {
				if (bad++ < 5)
					printf("swapdemo: page %zu word %zu is wrong\n", p, w);
				break;
			}
		}
	}
	if (have_stats && uvm_swapctl(UVM_SWAPCTL_STATS, &st, 0) == 0)
		print_stats("verified", &st);
	printf("swapdemo: %zu of %zu pages verified%s\n", npages - bad, npages,
	    bad == 0 ? ", every word right" : "");
	if (have_stats)
		explain(&start, &st, mib);
	return bad == 0 ? 0 : 1;
}
