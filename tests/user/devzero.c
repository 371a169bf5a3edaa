/*
 * tests/user/devzero.c - /dev/zero and /dev/null as Linux defines them,
 * and the mappings programs make of /dev/zero: MAP_PRIVATE is private
 * anonymous memory (a fork's writes stay its own), MAP_SHARED is shared
 * anonymous memory (a fork's writes are seen).  Also MAP_GROWSDOWN,
 * which is accepted and maps an ordinary range.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

/* A child that writes c to p[0] and exits 0. */
static void
child_writes(volatile char *p, char c)
{
	pid_t pid = fork();

	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		p[0] = c;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(null_and_zero_are_character_devices)
{
	struct stat st;

	UT_SYS(stat("/dev/null", &st));
	UT_ASSERT(S_ISCHR(st.st_mode));
	UT_ASSERT(major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
	UT_SYS(stat("/dev/zero", &st));
	UT_ASSERT(S_ISCHR(st.st_mode));
	UT_ASSERT(major(st.st_rdev) == 1 && minor(st.st_rdev) == 5);
	UT_SYS(access("/dev/null", R_OK | W_OK));
}

UTEST(zero_reads_zeros_and_null_reads_nothing)
{
	char buf[100];
	int z = open("/dev/zero", O_RDWR), n = open("/dev/null", O_RDWR);

	UT_ASSERT(z >= 0 && n >= 0);
	memset(buf, 'x', sizeof(buf));
	UT_EQ(read(z, buf, sizeof(buf)), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		UT_EQ(buf[i], 0);
	UT_EQ(write(z, buf, 10), 10);       /* writes vanish */
	UT_EQ(read(n, buf, sizeof(buf)), 0);
	UT_EQ(write(n, buf, sizeof(buf)), (long)sizeof(buf));
	close(z);
	close(n);
}

UTEST(private_mapping_of_zero_is_private_anonymous_memory)
{
	int fd = open("/dev/zero", O_RDWR);
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);

	UT_ASSERT(p != MAP_FAILED);
	close(fd);                          /* the mapping stays */
	UT_EQ(p[0], 0);
	UT_EQ(p[PAGE + 5], 0);
	p[0] = 'p';
	child_writes(p, 'c');
	UT_EQ(p[0], 'p');                   /* the child's write was its own */
	UT_SYS(munmap(p, 2 * PAGE));
}

UTEST(shared_mapping_of_zero_is_shared_with_a_fork)
{
	int fd = open("/dev/zero", O_RDWR);
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);

	UT_ASSERT(p != MAP_FAILED);
	close(fd);
	UT_EQ(p[0], 0);
	child_writes(p, 'c');
	UT_EQ(p[0], 'c');                   /* seen: one set of pages */
	UT_SYS(munmap(p, 2 * PAGE));
}

UTEST(growsdown_maps_an_ordinary_range)
{
	char *p = mmap(NULL, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);

	UT_ASSERT(p != MAP_FAILED);
	p[0] = 1;
	p[4 * PAGE - 1] = 2;
	UT_EQ(p[0] + p[4 * PAGE - 1], 3);
	UT_SYS(munmap(p, 4 * PAGE));
}
