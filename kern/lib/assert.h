/*
 * kern/lib/assert.h - assertions in two tiers, and panic().
 *
 *   KASSERT(e)   always compiled in; for cheap checks of invariants.
 *   KDASSERT(e)  compiled in debug builds (KDEBUG=1, the default); for
 *                expensive checks such as walking a whole tree.  When off
 *                the expression is still type-checked but never run, so
 *                it cannot rot.
 *
 * A failed assertion is a broken invariant: it panics with the expression,
 * file and line.  Errors the caller can cause return -errno instead.
 */
#ifndef KERN_LIB_ASSERT_H
#define KERN_LIB_ASSERT_H

#include "kern/lib/types.h"

void panic(const char *fmt, ...) __noreturn __printflike(1, 2);

#define KASSERT(e)                                                        \
	do {                                                              \
		if (__builtin_expect(!(e), 0))                            \
			panic("assertion \"%s\" failed at %s:%d", #e,     \
			    __FILE__, __LINE__);                          \
	} while (0)

#ifndef KDEBUG
#define KDEBUG 1
#endif

#define KDASSERT(e)                                                       \
	do {                                                              \
		if (KDEBUG)                                               \
			KASSERT(e);                                       \
		else                                                      \
			(void)sizeof(!(e));                               \
	} while (0)

#define STATIC_ASSERT(e) _Static_assert(e, #e)

#endif
