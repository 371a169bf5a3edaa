/*
 * tests/harness/swaptest.h - helpers for the swap/ and pdaemon/ suites:
 * turn swap on, fill and check pages of a test space with patterns, and
 * push chosen pages out through the page daemon.
 *
 *   swaptest_on();                          // swap on vda (if not yet)
 *   swaptest_fill(&t, va, 16, 0x51);        // every word of 16 pages
 *   KT_EQ(swaptest_push_out(&t, va, 16), 16);   // all 16 now in swap
 *   swaptest_verify(&t, va, 16, 0x51);      // fault them back, compare
 *
 * Word w of the page at address a holds (seed << 48) ^ ((a >> 12) << 12)
 * ^ w, so a page read from the wrong slot or torn is caught, and a range
 * can be checked in parts.
 */
#ifndef TESTS_KERN_SWAPTEST_H
#define TESTS_KERN_SWAPTEST_H

#include "tests/harness/vmtest.h"

#define PG(n) ((vaddr_t)(n) * PAGE_SIZE)

/* swaptest_on - make sure vda is swap (the tests leave it on). */
void swaptest_on(void);

/* swaptest_fill / _verify - write / check the pattern through t's pmap. */
void swaptest_fill(struct vmtest *t, vaddr_t va, int npages, uint64_t seed);
void swaptest_verify(struct vmtest *t, vaddr_t va, int npages, uint64_t seed);

/*
 * swaptest_deactivate - clear the referenced bits of the resident pages
 * of [va, va + npages) and move them to the inactive queue, so the page
 * daemon's next pass takes them unless they are used again first.
 */
void swaptest_deactivate(struct vmtest *t, vaddr_t va, int npages);

/*
 * swaptest_push_out - swaptest_deactivate the range, run one page
 * daemon pass over the whole inactive queue, and return how many of the
 * range's pages are no longer resident.
 */
int swaptest_push_out(struct vmtest *t, vaddr_t va, int npages);

/* swaptest_page - the resident page at va (anon or object), or NULL. */
struct vm_page *swaptest_page(struct vmtest *t, vaddr_t va);

#endif
