/*
 * tests/kern/core/cmdline_test.c - kern/core/cmdline.c: quoting, repeated keys, empty
 * values, bare keys, unknown keys, lines too long to keep, and the text
 * after "--" (init's arguments).
 */
#include "kern/core/cmdline.h"
#include "kern/core/ktest.h"
#include "kern/lib/string.h"

static struct cmdline cl;

KTEST(cmdline, splits_key_value_pairs)
{
	KT_EQ(cmdline_parse("  ktest=pmap/*   seed=42 ", &cl), 2);
	KT_STREQ(cl.opt[0].key, "ktest");
	KT_STREQ(cl.opt[0].value, "pmap/*");
	KT_STREQ(cmdline_get(&cl, "seed"), "42");
	KT_EQ(cmdline_get_u64(&cl, "seed", 0), 42);
	KT_ASSERT(cmdline_get(&cl, "absent") == NULL);
}

KTEST(cmdline, quotes_group_spaces)
{
	KT_EQ(cmdline_parse("init=\"/bin/sh -x\" \"msg=a b\" q=\"x\\\"y\"", &cl), 3);
	KT_STREQ(cmdline_get(&cl, "init"), "/bin/sh -x");
	KT_STREQ(cmdline_get(&cl, "msg"), "a b");
	KT_STREQ(cmdline_get(&cl, "q"), "x\"y");
}

/* "--" ends the options: init's arguments are not options. */
KTEST(cmdline, double_dash_ends_the_options)
{
	KT_EQ(cmdline_parse("init=/bin/x -- vm swap=3 --x", &cl), 1);
	KT_STREQ(cmdline_get(&cl, "init"), "/bin/x");
	KT_ASSERT(cmdline_get(&cl, "swap") == NULL);
	KT_EQ(cmdline_parse("a=1 --b=2", &cl), 2);     /* not a bare -- */
	KT_STREQ(cmdline_get(&cl, "--b"), "2");
	KT_EQ(cmdline_parse("--", &cl), 0);
}

/* cl.rest: what follows the "--", spaces skipped; NULL with no "--". */
KTEST(cmdline, rest_after_double_dash)
{
	KT_EQ(cmdline_parse("init=/bin/x --   vm  swap=3 -- y", &cl), 1);
	KT_STREQ(cl.rest, "vm  swap=3 -- y");
	KT_EQ(cmdline_parse("-- a b", &cl), 0);                /* leading */
	KT_STREQ(cl.rest, "a b");
	KT_EQ(cmdline_parse("a=1 --", &cl), 1);                /* nothing after */
	KT_STREQ(cl.rest, "");
	KT_EQ(cmdline_parse("msg=\"x -- y\" z=1", &cl), 2);   /* quoted: no split */
	KT_STREQ(cmdline_get(&cl, "msg"), "x -- y");
	KT_ASSERT(cl.rest == NULL);
	KT_EQ(cmdline_parse("a=1 --b=2", &cl), 2);             /* not a bare -- */
	KT_ASSERT(cl.rest == NULL);
	KT_EQ(cmdline_parse(NULL, &cl), 0);
	KT_ASSERT(cl.rest == NULL);
}

KTEST(cmdline, repeated_key_last_wins)
{
	KT_EQ(cmdline_parse("a=1 b=2 a=3", &cl), 3);
	KT_STREQ(cmdline_get(&cl, "a"), "3");
	KT_STREQ(cmdline_get(&cl, "b"), "2");
}

KTEST(cmdline, empty_values_and_bare_keys)
{
	KT_EQ(cmdline_parse("empty= bare x=a=b", &cl), 3);
	KT_STREQ(cmdline_get(&cl, "empty"), "");
	KT_ASSERT(cl.opt[0].has_value);
	KT_STREQ(cmdline_get(&cl, "bare"), "");
	KT_ASSERT(!cl.opt[1].has_value);
	KT_STREQ(cmdline_get(&cl, "x"), "a=b");
	KT_EQ(cmdline_get_u64(&cl, "empty", 7), 7);
}

KTEST(cmdline, empty_line_and_empty_key)
{
	KT_EQ(cmdline_parse("", &cl), 0);
	KT_EQ(cmdline_parse(NULL, &cl), 0);
	KT_EQ(cmdline_parse("   ", &cl), 0);
	KT_EQ(cmdline_parse("=orphan ok=1", &cl), 1);
	KT_STREQ(cl.opt[0].key, "ok");
}

KTEST(cmdline, numbers_decimal_hex_and_bad)
{
	cmdline_parse("a=0x1F b=18446744073709551615 c=18446744073709551616 d=12x", &cl);
	KT_EQ(cmdline_get_u64(&cl, "a", 0), 0x1f);
	KT_EQ(cmdline_get_u64(&cl, "b", 0), UINT64_MAX);
	KT_EQ(cmdline_get_u64(&cl, "c", 5), 5);     /* overflow: default */
	KT_EQ(cmdline_get_u64(&cl, "d", 6), 6);     /* junk: default */
}

KTEST(cmdline, sizes_with_binary_suffixes)
{
	cmdline_parse("a=64M b=0x10k c=2G d=4096 e=M f=1T g=17179869184G h=12MB", &cl);
	KT_EQ(cmdline_get_size(&cl, "a", 0), 64ULL << 20);
	KT_EQ(cmdline_get_size(&cl, "b", 0), 16ULL << 10);
	KT_EQ(cmdline_get_size(&cl, "c", 0), 2ULL << 30);
	KT_EQ(cmdline_get_size(&cl, "d", 0), 4096);
	KT_EQ(cmdline_get_size(&cl, "e", 1), 1);     /* no number */
	KT_EQ(cmdline_get_size(&cl, "f", 2), 2);     /* unknown suffix */
	KT_EQ(cmdline_get_size(&cl, "g", 3), 3);     /* 2^64: too big */
	KT_EQ(cmdline_get_size(&cl, "h", 4), 4);     /* junk after the suffix */
	KT_EQ(cmdline_get_size(&cl, "absent", 5), 5);
}

KTEST(cmdline, unknown_keys_warned_not_fatal)
{
	cmdline_parse("ktest=none bogus_option=1 seed=3 another", &cl);
	KT_ASSERT(kopt_known("ktest"));
	KT_ASSERT(kopt_known("seed"));
	KT_ASSERT(!kopt_known("bogus_option"));
	KT_EQ(cmdline_warn_unknown(&cl), 2);
}

/* The words /bin/init reads (user/init.c: utest=, init=) and make run's
 * initexit= are declared, so a boot with them warns about nothing. */
KTEST(cmdline, the_words_init_reads_are_known)
{
	cmdline_parse("utest=cow* init=/bin/init initexit=1", &cl);
	KT_ASSERT(kopt_known("utest"));
	KT_EQ(cmdline_warn_unknown(&cl), 0);
}

KTEST(cmdline, too_many_options_truncates)
{
	static char line[CMDLINE_BUF * 2];
	size_t len = 0;

	for (int i = 0; i < CMDLINE_MAX_OPTS + 10; i++)
		len += (size_t)ksnprintf(line + len, sizeof(line) - len, "k%d=v ", i);
	KT_EQ(cmdline_parse(line, &cl), CMDLINE_MAX_OPTS);
	KT_ASSERT(cl.truncated);
	KT_STREQ(cmdline_get(&cl, "k0"), "v");

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	KT_EQ(cmdline_parse(line, &cl), 0);
	KT_ASSERT(cl.truncated);
}
