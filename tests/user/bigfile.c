/*
 * tests/user/bigfile.c - a file larger than RAM, written and read back
 * through the page cache.
 *
 * The file cannot all be cached at once, so writing it makes the kernel
 * write pages back and free them while the program goes on writing, and
 * reading it back must bring every page in from the disk again: the
 * vnode pager's get and put under memory pressure.  Every 8-byte word of
 * the file holds a value computed from its offset and a seed (the pid
 * and the time), so a page lost, written to the wrong block or read
 * from a stale one is found at its exact offset; a checksum of the
 * whole file, taken while writing and again while reading, must agree.
 *
 * The file goes on /mnt (the ext2 disk, or $UTEST_DISK): tmpfs keeps its
 * files in memory and swap, and Linux's boot has no swap.  Its size is
 * $UTEST_BIGFILE_MB MiB if set, else the larger of 96 MiB (more than
 * uvmkern's 64 MiB boot) and 1/8 more than MemTotal (Linux's make
 * test-linux boot has 512 MiB).  The disk must hold it: make test-linux
 * grows its copy of the image (LINUX_DISK_SIZE).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024UL * 1024)
#define CHUNK (1 * MiB)          /* one write or read */
#define WINDOW (16 * MiB)        /* one mapping while reading it back */

static uint64_t seed;

/* The word at byte offset off (a multiple of 8). */
static uint64_t
word_at(uint64_t off)
{
	uint64_t x = (off / 8) ^ seed;

	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x | 1;       /* never zero: a hole or a zeroed page shows */
}

static uint64_t
mix(uint64_t sum, uint64_t w)
{
	return (sum ^ w) * 0x100000001b3ULL;
}

static size_t
file_size(void)
{
	const char *e = getenv("UTEST_BIGFILE_MB");
	long mem_kb = ut_meminfo_kb("MemTotal");
	size_t mb = 96;

	if (e != NULL && atol(e) > 0)
		return (size_t)atol(e) * MiB;
	if (mem_kb > 0 && (size_t)(mem_kb / 1024 * 9 / 8) > mb)
		mb = (size_t)(mem_kb / 1024 * 9 / 8);
	return mb * MiB;
}

/* Checks n bytes of words at file offset off; returns the sum so far. */
static uint64_t
check_words(const uint64_t *w, uint64_t off, size_t n, uint64_t sum)
{
	for (size_t i = 0; i < n / 8; i++) {
		uint64_t want = word_at(off + 8 * i);
		if (w[i] != want)
			ut_fail(__FILE__, __LINE__,
				"word at offset %llu is 0x%llx, not 0x%llx",
				(unsigned long long)(off + 8 * i),
				(unsigned long long)w[i], (unsigned long long)want);
		sum = mix(sum, w[i]);
	}
	return sum;
}

/* How many of the file's pages are in the page cache (mincore). */
static size_t
resident_pages(int fd, size_t size)
{
	static unsigned char vec[1UL << 20];        /* 4 GiB of pages */
	size_t n = 0;
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	UT_ASSERT(p != MAP_FAILED);
	UT_ASSERT(size / PAGE <= sizeof(vec));
	UT_SYS(mincore(p, size, vec));
	for (size_t i = 0; i < size / PAGE; i++)
		n += vec[i] & 1;
	UT_SYS(munmap(p, size));
	ut_note("bigfile: %zu of %zu pages cached after the write", n, size / PAGE);
	return n;
}

/* Writes the file; its checksum. */
static uint64_t
write_file(int fd, size_t size, uint64_t *buf)
{
	uint64_t sum = 0;

	for (size_t off = 0; off < size; off += CHUNK) {
		for (size_t i = 0; i < CHUNK / 8; i++) {
			buf[i] = word_at(off + 8 * i);
			sum = mix(sum, buf[i]);
		}
		ssize_t n = write(fd, buf, CHUNK);
		if (n != (ssize_t)CHUNK)
			ut_fail(__FILE__, __LINE__, "write at %zu MiB: %zd (%s)",
				off / MiB, n, ut_errname(errno));
	}
	return sum;
}

static void
big_file(const char *dir)
{
	size_t size = file_size();
	uint64_t *buf = malloc(CHUNK), wsum, rsum = 0, msum = 0;
	struct statvfs sv;
	struct stat st;
	time_t t0 = time(NULL);
	int fd;

	UT_ASSERT(buf != NULL);
	UT_SYS(statvfs(dir, &sv));
	if ((unsigned long long)sv.f_bavail * sv.f_frsize < size + 8 * MiB)
		ut_fail(__FILE__, __LINE__, "%s has %llu MiB free, the file needs %zu",
			dir, (unsigned long long)sv.f_bavail * sv.f_frsize / MiB,
			size / MiB);
	ut_note("bigfile: %zu MiB on %s, MemTotal %ld KiB", size / MiB, dir,
		ut_meminfo_kb("MemTotal"));
	seed = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	fd = (int)UT_SYS(open("big", O_CREAT | O_EXCL | O_RDWR, 0644));
	wsum = write_file(fd, size, buf);
	UT_SYS(fsync(fd));
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_size, size);
	UT_ASSERT((size_t)st.st_blocks * 512 >= size);
	/* Larger than RAM: the cache cannot hold it all now. */
	UT_ASSERT(resident_pages(fd, size) < size / PAGE);
	/* Back with read(). */
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	for (size_t off = 0; off < size; off += CHUNK) {
		UT_EQ(read(fd, buf, CHUNK), CHUNK);
		rsum = check_words(buf, off, CHUNK, rsum);
	}
	UT_EQ(read(fd, buf, CHUNK), 0);
	UT_EQ(rsum, wsum);
	/* And through mappings, a window at a time. */
	for (size_t off = 0; off < size; off += WINDOW) {
		size_t n = size - off < WINDOW ? size - off : WINDOW;
		void *p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, (off_t)off);
		if (p == MAP_FAILED)
			ut_fail(__FILE__, __LINE__, "mmap at %zu MiB: %s", off / MiB,
				ut_errname(errno));
		msum = check_words(p, off, n, msum);
		UT_SYS(munmap(p, n));
	}
	UT_EQ(msum, wsum);
	UT_SYS(close(fd));
	free(buf);
	ut_note("bigfile: written and read twice in %ld s",
		(long)(time(NULL) - t0));
}

UTEST(file_larger_than_ram_reads_back_what_was_written)
{
	if (!UT_ON_FS(UT_FS_DISK, big_file))
		UT_SKIP("no /mnt (the disk) to write on");
}
