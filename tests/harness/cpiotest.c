/*
 * tests/harness/cpiotest.c - appending cpio newc members (cpiotest.h).
 */
#include "tests/harness/cpiotest.h"
#include "kern/core/ktest.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

#define NEWC_HDR 110

void
cpiotest_add(struct cpiotest_buf *a, const char *name, uint32_t mode,
    const void *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	KT_ASSERT(a->len + NEWC_HDR + ROUND_UP(namesize, 4) + ROUND_UP(size, 4) <
	    a->cap);
	int n = ksnprintf((char *)a->buf + a->len, a->cap - a->len,
	    "070701%08x%08x%08x%08x%08x%08x%08lx%08x%08x%08x%08x%08lx%08x",
	    1u, mode, 0u, 0u, 1u, 0u, (uint64_t)size, 0u, 0u, 0u, 0u,
	    (uint64_t)namesize, 0u);
	KT_EQ(n, NEWC_HDR);
	a->len += NEWC_HDR;
	memcpy(a->buf + a->len, name, namesize);
	a->len = ROUND_UP(a->len + namesize, 4);
	memcpy(a->buf + a->len, data, size);
	a->len = ROUND_UP(a->len + size, 4);
}
