/*
 * kern/lib/string.c - memory and string primitives.
 *
 * Written plainly, byte by byte except for the word loops in memset and
 * memcpy, which matter once pages are zeroed and copied through them
 * (memcpy's are unrolled moves: see copy_block256).
 * The kernel is built without SSE, so nothing here may use vector registers.
 */
#include "kern/lib/string.h"

/*
 * Words, not `rep stosq`: under QEMU's TCG, where make bench and make
 * test run, each turn of a `rep` is a trip through the translated block,
 * and most memsets here are small (a pool object zeroed by PR_ZERO, a
 * struct), where a `rep` costs its start-up on hardware too.  Eight
 * words to a turn, then words, then bytes.
 */
void *
memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c * 0x0101010101010101ULL;

	for (; n > 0 && ((uintptr_t)d & 7) != 0; n--)
		*d++ = (uint8_t)c;
	for (; n >= 64; n -= 64, d += 64) {
		uint64_t *q = (uint64_t *)d;
		q[0] = w; q[1] = w; q[2] = w; q[3] = w;
		q[4] = w; q[5] = w; q[6] = w; q[7] = w;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = w;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/*
 * 256 bytes with plain 8-byte moves, 32 to a turn: under QEMU's TCG,
 * where make bench and make test run, each turn of a `rep movsq` is a
 * trip through the translated block, and this copies a page in about
 * half the cycles (pmap_copy_page's loop, pmap/pmap.c).  The loads may be
 * unaligned: x86 allows it, at little cost.  No SSE in the kernel.
 */
static inline void
copy_block256(uint8_t *d, const uint8_t *s)
{
	uint64_t tmp;

	__asm__ volatile(".set off, 0\n"
	    ".rept 32\n\tmovq off(%1), %0\n\tmovq %0, off(%2)\n"
	    ".set off, off + 8\n.endr"
	    : "=&r"(tmp) : "r"(s), "r"(d) : "memory");
}

/*
 * Bytes until the destination is 8-byte aligned, then 256-byte blocks,
 * then words, then the tail: a read() into an odd user buffer, or the
 * initrd pager's copy out of an archive whose files start anywhere, no
 * longer goes byte by byte.
 */
void *
memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (n >= 64) {
		for (; ((uintptr_t)d & 7) != 0; n--)
			*d++ = *s++;
		for (; n >= 256; n -= 256, d += 256, s += 256)
			copy_block256(d, s);
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (uint8_t)*a - (uint8_t)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
