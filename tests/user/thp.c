/*
 * tests/user/thp.c - 2 MiB pages for anonymous memory, as a program sees
 * them: madvise(MADV_HUGEPAGE / MADV_NOHUGEPAGE), /proc/self/smaps
 * (THPeligible, AnonHugePages, VmFlags hg and nh), /proc/meminfo
 * AnonHugePages and, on uvmkern, vm_query (the advice bits, the PS bit
 * and the physical address of a page inside its 2 MiB frame).
 *
 * The advice is a mark on the mapping: it splits a mapping where it
 * starts and ends, equal neighbours merge again, it goes along with
 * fork and mremap, and it is accepted on any mapping (shared and file
 * mappings too - only private anonymous memory ever gets 2 MiB pages).
 * Errors as for every madvise: EINVAL for an unaligned start, ENOMEM
 * for a hole in the range.  Length 0 is a no-op.
 *
 * A region is "eligible" (THPeligible 1) when it is private anonymous
 * memory holding at least one whole 2 MiB-aligned block, not marked
 * NOHUGEPAGE, and the system mode allows it: uvmkern's is Linux's
 * "always" or "never" (boot option thp=1 or 0, by default on with 512
 * MiB of RAM or more; /proc/uvmexp's thp_on says); Linux's mode is in
 * /sys/kernel/mm/transparent_hugepage/enabled, which the tests set on
 * Linux (a guest below 512 MiB boots with it "never") and put back.
 *
 * Whether a touched region really got 2 MiB mappings depends on the
 * kernel: the counts are checked for consistency everywhere (AnonHugePages
 * a multiple of 2 MiB, no more than Rss, equal to the pages vm_query
 * finds with the PS bit), and expect_2m_mappings() says where they must
 * exist: on Linux in mode "always", and on uvmkern when thp_on is 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"
#include "uvmkern.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#endif

#define MB2 (2UL << 20)

static char text[1 << 18];

/* Linux's THP mode: 'a'lways, 'm'advise, 'n'ever.  uvmkern has no
 * /sys: its mode is "always" (the tests boot it with thp on). */
static int
thp_mode(void)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
	char buf[128] = "";

	if (fd < 0)
		return 'a';
	UT_ASSERT(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	return strstr(buf, "[always]") ? 'a' : strstr(buf, "[madvise]") ? 'm' : 'n';
}

/*
 * On Linux, set the THP mode ("always", "madvise", "never") and return
 * the old one's letter: a guest with less than 512 MiB of RAM boots with
 * THP off whatever its command line says.  thp_linux_restore(letter)
 * puts it back at the test's end.  uvmkern: nothing ('a').
 */
static int
thp_linux_set(const char *mode)
{
	int old = thp_mode();
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_WRONLY);

	if (fd >= 0) {
		UT_EQ(write(fd, mode, strlen(mode)), (long)strlen(mode));
		close(fd);
	}
	return old;
}

static void
thp_linux_restore(int old)
{
	thp_linux_set(old == 'a' ? "always" : old == 'm' ? "madvise" : "never");
}

/* bytes of private anonymous RW memory starting 2 MiB-aligned, as one
 * mapping of its own (PROT_NONE on both sides: nothing merges with it). */
static char *
map_aligned(size_t bytes)
{
	char *r = mmap(NULL, bytes + 2 * MB2, PROT_NONE, ANON, -1, 0);
	char *p;

	UT_ASSERT(r != MAP_FAILED);
	p = (char *)(((unsigned long)r + PAGE + MB2 - 1) & ~(MB2 - 1));
	UT_ASSERT(mmap(p, bytes, RW, ANON | MAP_FIXED, -1, 0) == p);
	return p;
}

/* Does line l start a maps line (its first word has no ':')? */
static int
is_header(const char *l)
{
	size_t w = strcspn(l, " \t\n");

	return w > 0 && l[w - 1] != ':';
}

/* The smaps block (of file, smaps or smaps_rollup) starting at addr, a
 * pointer into text past its header line; NULL if there is none. */
static const char *
block_of(const char *file, unsigned long addr)
{
	char head[32];

	ut_slurp(file, text, sizeof(text));
	snprintf(head, sizeof(head), "%08lx-", addr);
	for (const char *l = text; l != NULL; l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (strncmp(l, head, strlen(head)) == 0)
			return strchr(l, '\n') + 1;
	return NULL;
}

static const char *
smaps_of(const void *addr)
{
	const char *b = block_of("/proc/self/smaps", (unsigned long)addr);

	if (b == NULL)
		ut_fail(__FILE__, __LINE__, "no smaps entry at %p", addr);
	return b;
}

/* The value line "key:" of block b (up to the next header), or NULL. */
static const char *
field(const char *b, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = b; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (strncmp(l, key, n) == 0 && l[n] == ':')
			return l + n + 1;
		if (l != b && is_header(l))
			break;
	}
	return NULL;
}

static long
field_num(const char *b, const char *key)
{
	const char *v = field(b, key);

	if (v == NULL)
		ut_fail(__FILE__, __LINE__, "no %s line", key);
	return strtol(v, NULL, 10);
}

/* Is flag (two letters) in block b's VmFlags line?  -1: no VmFlags. */
static int
vmflag(const char *b, const char *flag)
{
	const char *v = field(b, "VmFlags");

	if (v == NULL)
		return -1;
	for (; *v != '\n' && *v != '\0'; v++)
		if (v[0] == ' ' && v[1] == flag[0] && v[2] == flag[1] &&
		    (v[3] == ' ' || v[3] == '\n'))
			return 1;
	return 0;
}

/*
 * The sum of key's kB over the smaps blocks of [p, p + bytes): a fault
 * may split a region in several mappings (uvmkern's amap chunks: the
 * first write into a private mapping of 4 MiB or more gives it its amap
 * 1 MiB at a time, each chunk an entry of its own).
 */
static long
range_kb(const char *p, size_t bytes, const char *key)
{
	long sum = 0;

	ut_slurp("/proc/self/smaps", text, sizeof(text));
	for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
		if (!is_header(l))
			continue;
		unsigned long s = strtoul(l, NULL, 16);
		if (s >= (unsigned long)p && s < (unsigned long)p + bytes)
			sum += field_num(strchr(l, '\n') + 1, key);
	}
	return sum;
}

/* How many maps lines start in [p, p + bytes). */
static int
entries_in(const char *p, size_t bytes)
{
	int n = 0;

	ut_slurp("/proc/self/maps", text, sizeof(text));
	for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
		unsigned long s = strtoul(l, NULL, 16);
		n += s >= (unsigned long)p && s < (unsigned long)p + bytes;
	}
	return n;
}

/* Is this uvmkern (vm_query answers)? */
static int
on_uvmkern(void)
{
	struct vm_query q;

	return vm_query(&q, &q) != -1 || errno != ENOSYS;
}

/* Are uvmkern's 2 MiB pages on (/proc/uvmexp's thp_on: thp=, or the
 * default by the size of memory)? */
static int
uvmkern_thp_on(void)
{
	char line[128];
	int on = 0;
	FILE *f = fopen("/proc/uvmexp", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "thp_on ", 7) == 0)
			on = atoi(line + 7);
	if (f != NULL)
		fclose(f);
	return on;
}

/* Must an eligible touched region have 2 MiB mappings?  (Linux: when
 * its mode is "always", which the tests set; uvmkern: unless thp=0.) */
static int
expect_2m_mappings(void)
{
	return on_uvmkern() ? uvmkern_thp_on() : thp_mode() == 'a';
}

/* Write every page of [p, p + bytes). */
static void
touch(char *p, size_t bytes)
{
	for (size_t i = 0; i < bytes; i += PAGE)
		p[i] = (char)(i >> 12 | 1);
}

UTEST(hugepage_and_nohugepage_return_zero)
{
	char *p = ut_map(4, RW);

	UT_EQ(madvise(p, 4 * PAGE, MADV_HUGEPAGE), 0);
	UT_EQ(madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE), 0);
	UT_EQ(madvise(p, 4 * PAGE, MADV_HUGEPAGE), 0);
}

UTEST(unaligned_start_is_einval)
{
	char *p = ut_map(2, RW);

	UT_ERR(madvise(p + 1, PAGE, MADV_HUGEPAGE), EINVAL);
	UT_ERR(madvise(p + 100, PAGE, MADV_NOHUGEPAGE), EINVAL);
}

UTEST(a_hole_in_the_range_is_enomem)
{
	char *p = ut_map(3, RW);

	UT_SYS(munmap(p + PAGE, PAGE));
	UT_ERR(madvise(p, 3 * PAGE, MADV_HUGEPAGE), ENOMEM);
	UT_ERR(madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE), ENOMEM);
}

UTEST(zero_length_is_a_no_op)
{
	char *p = ut_map(1, RW);

	UT_EQ(madvise(p, 0, MADV_HUGEPAGE), 0);
	UT_EQ(entries_in(p, PAGE), 1);
}

UTEST(shared_and_file_mappings_take_the_advice)
{
	char *s = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
	char *f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	UT_ASSERT(s != MAP_FAILED && f != MAP_FAILED);
	UT_EQ(madvise(s, PAGE, MADV_HUGEPAGE), 0);
	UT_EQ(madvise(f, PAGE, MADV_HUGEPAGE), 0);
	UT_NE(vmflag(smaps_of(s), "hg"), 0);    /* 1, or no VmFlags line */
	UT_EQ(field_num(smaps_of(s), "THPeligible"), 0);
	UT_EQ(field_num(smaps_of(f), "THPeligible"), 0);
	UT_EQ(madvise(f, PAGE, MADV_NOHUGEPAGE), 0);
	close(fd);
}

UTEST(advice_splits_a_mapping_and_equal_neighbours_merge)
{
	char *p = ut_map(3, RW);

	UT_EQ(entries_in(p, 3 * PAGE), 1);
	UT_SYS(madvise(p + PAGE, PAGE, MADV_HUGEPAGE));
	UT_EQ(entries_in(p, 3 * PAGE), 3);
	UT_SYS(madvise(p, PAGE, MADV_HUGEPAGE));
	UT_SYS(madvise(p + 2 * PAGE, PAGE, MADV_HUGEPAGE));
	UT_EQ(entries_in(p, 3 * PAGE), 1);
	UT_SYS(madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE));
	UT_EQ(entries_in(p, 3 * PAGE), 3);
	UT_SYS(madvise(p, 3 * PAGE, MADV_NOHUGEPAGE));
	UT_EQ(entries_in(p, 3 * PAGE), 1);
}

UTEST(a_new_mapping_does_not_join_an_advised_one)
{
	char *p = ut_map(3, RW);

	UT_SYS(munmap(p + 2 * PAGE, PAGE));
	UT_SYS(madvise(p, 2 * PAGE, MADV_HUGEPAGE));
	UT_ASSERT(mmap(p + 2 * PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0) == p + 2 * PAGE);
	UT_EQ(entries_in(p, 3 * PAGE), 2);
}

UTEST(thp_eligible_follows_the_advice)
{
	char *p = map_aligned(2 * MB2);
	char *small = ut_map(1, RW);
	int old = thp_linux_set("madvise");

	/* uvmkern has no madvise mode: on ("always") or off, by thp=. */
	int always = on_uvmkern() ? uvmkern_thp_on() : 1;

	UT_EQ(field_num(smaps_of(p), "THPeligible"), on_uvmkern() && always);
	thp_linux_set("always");
	UT_EQ(field_num(smaps_of(p), "THPeligible"), always);
	UT_SYS(madvise(p, 2 * MB2, MADV_HUGEPAGE));
	UT_EQ(field_num(smaps_of(p), "THPeligible"), always);
	UT_SYS(madvise(p, 2 * MB2, MADV_NOHUGEPAGE));
	UT_EQ(field_num(smaps_of(p), "THPeligible"), 0);
	/* No whole aligned 2 MiB block: never eligible. */
	UT_SYS(madvise(small, PAGE, MADV_HUGEPAGE));
	UT_EQ(field_num(smaps_of(small), "THPeligible"), 0);
	thp_linux_restore(old);
}

UTEST(vmflags_show_hg_and_nh)
{
	char *p = ut_map(2, RW);

	if (vmflag(smaps_of(p), "hg") < 0)
		UT_SKIP("no VmFlags line in smaps");
	UT_EQ(vmflag(smaps_of(p), "hg"), 0);
	UT_EQ(vmflag(smaps_of(p), "nh"), 0);
	UT_SYS(madvise(p, 2 * PAGE, MADV_HUGEPAGE));
	UT_EQ(vmflag(smaps_of(p), "hg"), 1);
	UT_EQ(vmflag(smaps_of(p), "nh"), 0);
	UT_SYS(madvise(p, 2 * PAGE, MADV_NOHUGEPAGE));
	UT_EQ(vmflag(smaps_of(p), "hg"), 0);
	UT_EQ(vmflag(smaps_of(p), "nh"), 1);
}

UTEST(fork_keeps_the_advice)
{
	char *p = ut_map(2, RW);
	pid_t pid;

	UT_SYS(madvise(p, PAGE, MADV_HUGEPAGE));
	UT_SYS(madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		UT_EQ(entries_in(p, 2 * PAGE), 2);
		UT_NE(vmflag(smaps_of(p), "hg"), 0);
		UT_NE(vmflag(smaps_of(p + PAGE), "nh"), 0);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(mremap_keeps_the_advice)
{
	char *p = ut_map(2, RW);
	char *to = ut_map(2, RW);

	UT_SYS(madvise(p, 2 * PAGE, MADV_NOHUGEPAGE));
	p[0] = 'm';
	UT_ASSERT(mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to) == to);
	UT_EQ(to[0], 'm');
	UT_NE(vmflag(smaps_of(to), "nh"), 0);
	UT_EQ(vmflag(smaps_of(to), "hg"), vmflag(smaps_of(to), "hg") < 0 ? -1 : 0);
}

/* Does every smaps block of [p, p + bytes) have VmFlags flag (1), or
 * some not (0)?  -1: no VmFlags line. */
static int
range_vmflag(const char *p, size_t bytes, const char *flag)
{
	int all = 1;

	ut_slurp("/proc/self/smaps", text, sizeof(text));
	for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
		unsigned long s = strtoul(l, NULL, 16);
		if (!is_header(l) || s < (unsigned long)p || s >= (unsigned long)p + bytes)
			continue;
		int f = vmflag(strchr(l, '\n') + 1, flag);
		if (f < 0)
			return -1;
		all &= f;
	}
	return all;
}

/* Growing in place keeps the advice on the new part, also when a fork
 * shares the pages (uvmkern then maps the growth as an entry of its own). */
UTEST(mremap_growth_keeps_the_advice)
{
	char *p = ut_map(4, RW);
	int go[2];
	pid_t pid;

	UT_SYS(munmap(p + 2 * PAGE, 2 * PAGE));
	UT_SYS(madvise(p, 2 * PAGE, MADV_NOHUGEPAGE));
	p[0] = 1;
	UT_SYS(pipe(go));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {                 /* holds the pages until told */
		char c;
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	UT_ASSERT(mremap(p, 2 * PAGE, 4 * PAGE, 0) == p);
	UT_NE(range_vmflag(p, 4 * PAGE, "nh"), 0);
	close(go[1]);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(vm_query_shows_the_advice)
{
	char *p = ut_map(2, RW);
	struct vm_query q;

	ut_query(p, &q);
	UT_EQ(q.flags & (VMQ_HUGE_ADVICE | VMQ_NOHUGE_ADVICE), 0);
	UT_SYS(madvise(p, PAGE, MADV_HUGEPAGE));
	UT_SYS(madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE));
	ut_query(p, &q);
	UT_EQ(q.flags & (VMQ_HUGE_ADVICE | VMQ_NOHUGE_ADVICE), VMQ_HUGE_ADVICE);
	UT_EQ(q.end, (unsigned long)p + PAGE);
	ut_query(p + PAGE, &q);
	UT_EQ(q.flags & (VMQ_HUGE_ADVICE | VMQ_NOHUGE_ADVICE), VMQ_NOHUGE_ADVICE);
}

/*
 * vm_query over [p, p + bytes): every page with VMQ_PTE_PS lies in a
 * whole 2 MiB-aligned block of them, mapped to one 2 MiB-aligned frame
 * with the page at its offset; the PS pages' bytes.  (0 on Linux.)
 */
static unsigned long
ps_bytes(const char *p, size_t bytes)
{
	unsigned long ps = 0, frame = 0;
	struct vm_query q;

	if (!on_uvmkern())
		return 0;
	for (size_t off = 0; off < bytes; off += PAGE) {
		ut_query(p + off, &q);
		unsigned long in2m = ((unsigned long)p + off) & (MB2 - 1);
		if (in2m == 0)
			frame = (q.pte & VMQ_PTE_PS) ? q.pa : 0;
		UT_EQ(!!(q.pte & VMQ_PTE_PS), frame != 0);  /* whole blocks */
		if (!(q.pte & VMQ_PTE_PS))
			continue;
		UT_EQ(frame & (MB2 - 1), 0);
		UT_EQ(q.pa, frame + in2m);
		ps += PAGE;
	}
	return ps;
}

UTEST(anon_huge_pages_counts_the_2m_mappings)
{
	char *p = map_aligned(2 * MB2);
	int old = thp_linux_set("always");
	long huge, rss;

	touch(p, 2 * MB2);
	huge = range_kb(p, 2 * MB2, "AnonHugePages");
	rss = range_kb(p, 2 * MB2, "Rss");
	UT_EQ(huge % 2048, 0);
	UT_ASSERT(huge <= rss);
	UT_EQ(rss, 2 * MB2 / 1024);
	if (on_uvmkern())
		UT_EQ(ps_bytes(p, 2 * MB2), (unsigned long)huge * 1024);
	if (expect_2m_mappings())
		UT_EQ(huge, 2 * MB2 / 1024);
	for (size_t i = 0; i < 2 * MB2; i += PAGE)  /* the data, page by page */
		UT_EQ(p[i], (char)(i >> 12 | 1));
	/* The rollup and meminfo (every process) hold at least ours. */
	ut_slurp("/proc/self/smaps_rollup", text, sizeof(text));
	UT_ASSERT(field_num(strchr(text, '\n') + 1, "AnonHugePages") >= huge);
	ut_slurp("/proc/meminfo", text, sizeof(text));
	UT_ASSERT(field_num(text, "AnonHugePages") >= huge);
	thp_linux_restore(old);
}

UTEST(nohugepage_region_gets_no_2m_mappings)
{
	char *p = map_aligned(2 * MB2);
	int old = thp_linux_set("always");

	UT_SYS(madvise(p, 2 * MB2, MADV_NOHUGEPAGE));
	touch(p, 2 * MB2);
	UT_EQ(range_kb(p, 2 * MB2, "AnonHugePages"), 0);
	UT_EQ(range_kb(p, 2 * MB2, "Rss"), 2 * MB2 / 1024);
	UT_EQ(ps_bytes(p, 2 * MB2), 0);
	thp_linux_restore(old);
}

UTEST(a_small_region_gets_no_2m_mappings)
{
	char *p = map_aligned(MB2 - PAGE);     /* aligned, one page short */
	int old = thp_linux_set("always");

	touch(p, MB2 - PAGE);
	UT_EQ(range_kb(p, MB2 - PAGE, "AnonHugePages"), 0);
	UT_EQ(ps_bytes(p, MB2 - PAGE), 0);
	thp_linux_restore(old);
}
