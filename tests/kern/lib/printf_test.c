/*
 * tests/kern/lib/printf_test.c - kern/lib/printf.c: every conversion, widths,
 * padding, negative numbers and the 64-bit extremes.
 */
#include "kern/core/ktest.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

static char buf[128];

#define FMT(...) (ksnprintf(buf, sizeof(buf), __VA_ARGS__), buf)

KTEST(printf, signed_decimal)
{
	KT_STREQ(FMT("%d", 0), "0");
	KT_STREQ(FMT("%d", 42), "42");
	KT_STREQ(FMT("%d", -42), "-42");
	KT_STREQ(FMT("%i", -7), "-7");
	KT_STREQ(FMT("%d", INT32_MIN), "-2147483648");
	KT_STREQ(FMT("%d", INT32_MAX), "2147483647");
}

KTEST(printf, unsigned_and_hex)
{
	KT_STREQ(FMT("%u", 4294967295u), "4294967295");
	KT_STREQ(FMT("%x", 0xdeadbeefu), "deadbeef");
	KT_STREQ(FMT("%X", 0xdeadbeefu), "DEADBEEF");
	KT_STREQ(FMT("%#x", 255u), "0xff");
	KT_STREQ(FMT("%#x", 0u), "0");
	KT_STREQ(FMT("%o", 8u), "10");
}

KTEST(printf, sixty_four_bit_extremes)
{
	KT_STREQ(FMT("%ld", INT64_MIN), "-9223372036854775808");
	KT_STREQ(FMT("%ld", INT64_MAX), "9223372036854775807");
	KT_STREQ(FMT("%lu", UINT64_MAX), "18446744073709551615");
	KT_STREQ(FMT("%lx", UINT64_MAX), "ffffffffffffffff");
	KT_STREQ(FMT("%llx", 0x123456789abcdef0ULL), "123456789abcdef0");
	KT_STREQ(FMT("%lld", (long long)-1), "-1");
	KT_STREQ(FMT("%zu", (size_t)123456789012ULL), "123456789012");
	KT_STREQ(FMT("%zx", (size_t)0xabcULL), "abc");
}

KTEST(printf, short_sizes_truncate)
{
	KT_STREQ(FMT("%hhd", 300), "44");
	KT_STREQ(FMT("%hd", 70000), "4464");
	KT_STREQ(FMT("%hhx", 0x1ff), "ff");
}

KTEST(printf, width_and_padding)
{
	KT_STREQ(FMT("[%5d]", 42), "[   42]");
	KT_STREQ(FMT("[%-5d]", 42), "[42   ]");
	KT_STREQ(FMT("[%05d]", 42), "[00042]");
	KT_STREQ(FMT("[%05d]", -42), "[-0042]");
	KT_STREQ(FMT("[%08lx]", 0xbeefUL), "[0000beef]");
	KT_STREQ(FMT("[%*d]", 4, 7), "[   7]");
	KT_STREQ(FMT("[%-*d]", 4, 7), "[7   ]");
	KT_STREQ(FMT("[%2d]", 12345), "[12345]");
	KT_STREQ(FMT("[%+d]", 5), "[+5]");
}

KTEST(printf, strings_and_chars)
{
	KT_STREQ(FMT("%s", "hello"), "hello");
	KT_STREQ(FMT("[%8s]", "abc"), "[     abc]");
	KT_STREQ(FMT("[%-8s]", "abc"), "[abc     ]");
	KT_STREQ(FMT("[%.2s]", "abcdef"), "[ab]");
	const char *volatile null_str = NULL;   /* hide it from -Wformat */
	KT_STREQ(FMT("%s", null_str), "(null)");
	KT_STREQ(FMT("%c%c%c", 'u', 'v', 'm'), "uvm");
	KT_STREQ(FMT("[%3c]", 'x'), "[  x]");
	KT_STREQ(FMT("100%%"), "100%");
}

KTEST(printf, pointers)
{
	KT_STREQ(FMT("%p", (void *)0xffffffff80100000ULL), "0xffffffff80100000");
	KT_STREQ(FMT("%p", (void *)0), "0x0");
}

KTEST(printf, truncates_and_counts_like_snprintf)
{
	char small[6];
	int n = ksnprintf(small, sizeof(small), "%s", "truncated");

	KT_EQ(n, 9);
	KT_STREQ(small, "trunc");
	KT_EQ(ksnprintf(NULL, 0, "%d", 12345), 5);
}
