/*
 * tests/user/glibc/ghello.c - the smallest glibc program: built with
 * Debian's gcc once -static and once dynamic (through ld.so and
 * libc.so.6 from Debian's libc6, see the Makefile).  With no argument
 * "check" it prints its first argument and exits with its argc, so a
 * kernel test sees that glibc's start-up ran to the end.
 *
 * "ghello check" also looks at what the kernel gave it, and exits 0 if
 * all is right or with the number of the first thing that was wrong:
 *
 *   1-5  auxv: AT_PAGESZ, AT_RANDOM, AT_PLATFORM, AT_EXECFN, AT_SECURE
 *   6    AT_BASE: 0 static, an address inside ld.so dynamic
 *   7-9  (dynamic) libc's text is a mapping of libc.so.6's own object:
 *        mapping the file here gives the same object, offset and page
 *   10   (dynamic) AT_ENTRY is the program's entry, not ld.so's
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include "uvmkern.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

extern void _start(void);

/* 0, or the number of the first auxv entry that is wrong. */
static int
check_auxv(const char *argv0)
{
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	const char *fn = (const char *)getauxval(AT_EXECFN);

	if (getauxval(AT_PAGESZ) != 4096)
		return 1;
	if (getauxval(AT_RANDOM) == 0)
		return 2;
	if (plat == NULL || strcmp(plat, "x86_64") != 0)
		return 3;
	if (fn == NULL || strcmp(fn, argv0) != 0)
		return 4;
	return getauxval(AT_SECURE) != 0 ? 5 : 0;
}

#ifndef GHELLO_STATIC
/* 0, or 7-9: is libc's text (puts) the file's object, shared? */
static int
check_libc_text(void)
{
	struct vm_query_obj a, b;
	void *p;
	int fd, r = 0;

	(void)*(volatile const char *)(const void *)puts;  /* fault it in */
	if (vm_query_obj((const void *)puts, &a) != 0 || a.object == 0)
		return 7;
	if ((fd = open(LIBC, O_RDONLY)) < 0)
		return 8;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, (off_t)a.offset);
	close(fd);
	if (p == MAP_FAILED)
		return 8;
	*(volatile char *)p;                    /* the page, in this mapping too */
	if (vm_query_obj(p, &b) != 0 || b.object != a.object || b.offset != a.offset ||
	    b.page_pa == 0 || b.page_pa != a.page_pa)
		r = 9;
	munmap(p, 4096);
	return r;
}
#endif

static int
check(const char *argv0)
{
	unsigned long base = getauxval(AT_BASE);
	int r = check_auxv(argv0);
#ifndef GHELLO_STATIC
	struct vm_query_obj q;
#endif

	if (r != 0)
		return r;
#ifdef GHELLO_STATIC
	return base != 0 ? 6 : 0;
#else
	if (base == 0 || vm_query_obj((const void *)base, &q) != 0 || q.object == 0)
		return 6;
	if ((r = check_libc_text()) != 0)
		return r;
	return getauxval(AT_ENTRY) != (unsigned long)_start ? 10 : 0;
#endif
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return check(argv[0]);
	printf("glibc hello %s\n", argc > 1 ? argv[1] : "");
	return argc;
}
