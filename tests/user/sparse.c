/*
 * tests/user/sparse.c - sparse files: holes cost no blocks and read as
 * zeros; SEEK_DATA and SEEK_HOLE find them.
 *
 * A file's size and its allocation are two things: seeking 100 MiB out
 * and writing one byte makes a file of 100 MiB + 1 whose st_blocks
 * counts only the block holding that byte and the few index blocks that
 * reach it (ext2's indirect blocks; tmpfs has none).  ftruncate up
 * allocates nothing at all.  SEEK_DATA and SEEK_HOLE (Linux 3.1) report
 * where data and holes begin; a kernel without them answers EINVAL, and
 * that test then skips.
 *
 * Each test runs on /tmp (tmpfs) and /mnt (ext2), in a fresh folder of
 * its own (UT_EACH_FS, utest.h).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define MiB (1024L * 1024)
/* The most a one-byte write far out may allocate: its block and three
 * levels of index blocks, at ext2's largest block size (4 KiB) plus
 * room. */
#define SMALL_ALLOC (64 * 1024L)

static struct stat
stat_fd(int fd)
{
	struct stat st;

	UT_SYS(fstat(fd, &st));
	return st;
}

/* Asserts n bytes at off read as zeros. */
static void
expect_zeros(int line, int fd, off_t off, size_t n)
{
	static unsigned char buf[64 * 1024];

	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		memset(buf, 0xee, k);
		if (pread(fd, buf, k, off) != (ssize_t)k)
			ut_fail(__FILE__, line, "short pread at %ld", (long)off);
		for (size_t i = 0; i < k; i++)
			if (buf[i] != 0)
				ut_fail(__FILE__, line, "byte at %ld is 0x%02x, not 0",
					(long)off + (long)i, buf[i]);
		off += (off_t)k;
		n -= k;
	}
}

static void
far_byte_allocates_little(const char *dir)
{
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));
	struct stat st;
	unsigned char c;

	(void)dir;
	UT_EQ(lseek(fd, 100 * MiB, SEEK_SET), 100 * MiB);
	UT_EQ(write(fd, "z", 1), 1);
	st = stat_fd(fd);
	UT_EQ(st.st_size, 100 * MiB + 1);
	UT_ASSERT(st.st_blocks > 0);
	if (st.st_blocks * 512 > SMALL_ALLOC)
		ut_fail(__FILE__, __LINE__, "one byte at 100 MiB allocated %ld KiB",
			(long)st.st_blocks / 2);
	UT_EQ(pread(fd, &c, 1, 100 * MiB), 1);
	UT_EQ(c, 'z');
	expect_zeros(__LINE__, fd, 0, 64 * 1024);
	expect_zeros(__LINE__, fd, 50 * MiB - 100, 8192);
	expect_zeros(__LINE__, fd, 100 * MiB - 64 * 1024, 64 * 1024);
	/* Reading all of the hole allocates nothing. */
	expect_zeros(__LINE__, fd, 0, 100 * MiB);
	UT_EQ(stat_fd(fd).st_blocks, st.st_blocks);
	UT_SYS(close(fd));
}
UTEST(byte_written_100mib_out_allocates_almost_nothing)
{
	UT_EACH_FS(far_byte_allocates_little);
}

static void
ftruncate_allocates_nothing(const char *dir)
{
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));
	struct statfs a, b;

	UT_SYS(statfs(dir, &a));
	UT_SYS(ftruncate(fd, 100 * MiB));
	UT_SYS(fsync(fd));
	UT_SYS(statfs(dir, &b));
	UT_EQ(stat_fd(fd).st_size, 100 * MiB);
	UT_EQ(stat_fd(fd).st_blocks, 0);
	UT_EQ(b.f_bfree, a.f_bfree);
	expect_zeros(__LINE__, fd, 100 * MiB - 4096, 4096);
	UT_SYS(close(fd));
}
UTEST(ftruncate_up_allocates_no_block) { UT_EACH_FS(ftruncate_allocates_nothing); }

static void
filling_a_hole(const char *dir)
{
	static unsigned char page[PAGE];
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));
	struct stat before, after;

	(void)dir;
	UT_SYS(ftruncate(fd, 10 * MiB));
	before = stat_fd(fd);
	memset(page, 0x5c, sizeof(page));
	UT_EQ(pwrite(fd, page, PAGE, 5 * MiB), PAGE);
	after = stat_fd(fd);
	UT_EQ(after.st_size, 10 * MiB);
	UT_ASSERT(after.st_blocks - before.st_blocks >= (long)(PAGE / 512));
	UT_ASSERT((after.st_blocks - before.st_blocks) * 512 <= SMALL_ALLOC);
	expect_zeros(__LINE__, fd, 5 * MiB - PAGE, PAGE);
	expect_zeros(__LINE__, fd, 5 * MiB + PAGE, PAGE);
	UT_EQ(pread(fd, page, PAGE, 5 * MiB), PAGE);
	for (size_t i = 0; i < PAGE; i++)
		UT_EQ(page[i], 0x5c);
	/* Shrinking past the data frees its blocks again. */
	UT_SYS(ftruncate(fd, MiB));
	UT_EQ(stat_fd(fd).st_blocks, 0);
	UT_SYS(close(fd));
}
UTEST(writing_into_a_hole_allocates_only_there) { UT_EACH_FS(filling_a_hole); }

static void
offsets_past_4gib(const char *dir)
{
	const off_t at = 4L * 1024 * MiB + 5;
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));
	char buf[4];

	(void)dir;
	UT_EQ(pwrite(fd, "far", 3, at), 3);
	UT_EQ(stat_fd(fd).st_size, at + 3);
	UT_EQ(pread(fd, buf, 4, at), 3);
	UT_ASSERT(memcmp(buf, "far", 3) == 0);
	UT_EQ(lseek(fd, 0, SEEK_END), at + 3);
	expect_zeros(__LINE__, fd, at - 4096, 4096);
	UT_ASSERT(stat_fd(fd).st_blocks * 512 <= SMALL_ALLOC);
	UT_SYS(close(fd));
}
UTEST(offsets_past_4_gib_work) { UT_EACH_FS(offsets_past_4gib); }

static void
seek_data_and_hole(const char *dir)
{
	static unsigned char page[PAGE];
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));

	(void)dir;
	memset(page, 0x33, sizeof(page));
	/* data [0, 4K), hole [4K, 1M), data [1M, 1M + 4K), hole to 2M. */
	UT_EQ(pwrite(fd, page, PAGE, 0), PAGE);
	UT_EQ(pwrite(fd, page, PAGE, MiB), PAGE);
	UT_SYS(ftruncate(fd, 2 * MiB));
	UT_SYS(fsync(fd));
	errno = 0;
	if (lseek(fd, 0, SEEK_DATA) == -1 && errno == EINVAL) {
		ut_note("SEEK_DATA is EINVAL here: not checked");
		UT_SYS(close(fd));
		return;
	}
	UT_EQ(lseek(fd, 0, SEEK_DATA), 0);
	UT_EQ(lseek(fd, 0, SEEK_HOLE), PAGE);
	UT_EQ(lseek(fd, 100, SEEK_HOLE), PAGE);
	UT_EQ(lseek(fd, PAGE, SEEK_DATA), MiB);
	UT_EQ(lseek(fd, PAGE + 5000, SEEK_DATA), MiB);
	UT_EQ(lseek(fd, PAGE, SEEK_HOLE), PAGE);    /* already in one */
	UT_EQ(lseek(fd, MiB + 10, SEEK_DATA), MiB + 10);
	UT_EQ(lseek(fd, MiB, SEEK_HOLE), MiB + PAGE);
	UT_ERR(lseek(fd, MiB + PAGE, SEEK_DATA), ENXIO);  /* only hole left */
	UT_EQ(lseek(fd, MiB + PAGE, SEEK_HOLE), MiB + PAGE);
	UT_ERR(lseek(fd, 2 * MiB, SEEK_HOLE), ENXIO);     /* at the end */
	UT_ERR(lseek(fd, 2 * MiB, SEEK_DATA), ENXIO);
	UT_ERR(lseek(fd, -1, SEEK_DATA), ENXIO);
	/* The last SEEK_HOLE that worked left the offset there. */
	UT_EQ(lseek(fd, 0, SEEK_CUR), MiB + PAGE);
	/* A file that ends in data has its implicit hole at the end. */
	UT_SYS(ftruncate(fd, MiB + PAGE));
	UT_EQ(lseek(fd, MiB, SEEK_HOLE), MiB + PAGE);
	UT_SYS(close(fd));
}
UTEST(seek_data_and_seek_hole_find_the_holes) { UT_EACH_FS(seek_data_and_hole); }
