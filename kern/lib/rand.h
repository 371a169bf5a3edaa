/*
 * kern/lib/rand.h - a small, fast, seedable generator (xoshiro-style
 * state advanced with splitmix64).  Not for secrets: for randomized tests
 * whose seed is printed, so any failure can be replayed exactly.
 */
#ifndef KERN_LIB_RAND_H
#define KERN_LIB_RAND_H

#include "kern/lib/types.h"

struct krand {
	uint64_t state;
};

static inline void
krand_seed(struct krand *r, uint64_t seed)
{
	r->state = seed;
}

/* splitmix64: every seed, including 0, gives a good stream. */
static inline uint64_t
krand_next(struct krand *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform-enough value in [0, n); n > 0. */
static inline uint64_t
krand_below(struct krand *r, uint64_t n)
{
	return krand_next(r) % n;
}

#endif
