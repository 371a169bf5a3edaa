/*
 * tests/user/persist.c - what one boot writes to the disk, the next boot
 * reads back.
 *
 * Two tests, meant for two boots of the same disk image:
 *
 *     boot 1:  utest=persist/write    makes /mnt/persist/ and its files
 *     boot 2:  utest=persist/check    finds them all, exactly, then
 *                                     removes them
 *
 * (make test-linux does so when its selection runs persist; run as one
 * program, write then check runs both in one boot, which proves less.)
 * check fails if the folder is missing: a check without a write before
 * it must not pass.
 *
 * What write leaves, each piece reaching the disk a different way:
 *
 *   persist/marker     a header naming the seed, then 5 pages + 123 bytes
 *                      of words computed from it (write, fsync)
 *   persist/mapped     3 pages stored through a MAP_SHARED mapping
 *                      (msync MS_SYNC), mode 0640
 *   persist/sparse     one byte 8 MiB out, a hole before it (fsync)
 *   persist/sub/link   a second hard link to marker (nlink 2)
 *   persist/sub/sym    a symbolic link "../marker"
 *   persist/late       written with no fsync at all: it reaches the disk
 *                      by sync() at power-off (user/init.c) or not at all
 *
 * and the folders themselves are fsynced, so their entries are on the
 * disk too.  The seed changes every run (pid and time), so an old
 * image's files cannot pass for new ones.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MARKER_DATA (5 * PAGE + 123)
#define MAPPED_SIZE (3 * PAGE)
#define SPARSE_AT (8L * 1024 * 1024)
#define HEADER "uvmkern persist v1 seed "

static char base[512];

static const char *
path(const char *name)
{
	static char buf[2][600];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", base, name);
	return buf[k];
}

static void
set_base(void)
{
	snprintf(base, sizeof(base), "%s/persist", ut_fs_root(UT_FS_DISK));
}

static unsigned char
data_byte(unsigned long seed, size_t off, unsigned salt)
{
	unsigned long x = (seed + off * 0x9e3779b9UL + salt) ^ (off >> 7);

	x ^= x >> 17;
	x *= 0xed5ad4bbUL;
	return (unsigned char)(x >> 11 ^ x);
}

static void
write_all(int fd, const void *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		ut_fail(__FILE__, __LINE__, "write of %zu bytes: %s", n,
			ut_errname(errno));
}

static void
fsync_path(const char *p)
{
	int fd = (int)UT_SYS(open(p, O_RDONLY));

	UT_SYS(fsync(fd));
	UT_SYS(close(fd));
}

/* A new file p with n bytes of data_byte(seed, ., salt) after header. */
static int
make_data_file(const char *p, const char *header, unsigned long seed,
	       size_t n, unsigned salt)
{
	static unsigned char buf[MARKER_DATA];
	int fd = (int)UT_SYS(open(p, O_CREAT | O_EXCL | O_RDWR, 0644));

	write_all(fd, header, strlen(header));
	for (size_t i = 0; i < n; i++)
		buf[i] = data_byte(seed, i, salt);
	write_all(fd, buf, n);
	return fd;
}

UTEST(write)
{
	char header[64];
	unsigned long seed = ((unsigned long)getpid() << 20) ^ (unsigned long)time(NULL);
	unsigned char *p;
	int fd;

	set_base();
	if (access(ut_fs_root(UT_FS_DISK), W_OK) != 0)
		UT_SKIP("no writable /mnt (the disk)");
	UT_EQ(ut_rm_tree(base) == 0 || errno == ENOENT, 1);
	UT_SYS(mkdir(base, 0755));
	UT_SYS(mkdir(path("sub"), 0700));
	snprintf(header, sizeof(header), HEADER "%lu\n", seed);
	fd = make_data_file(path("marker"), header, seed, MARKER_DATA, 1);
	UT_SYS(fsync(fd));
	UT_SYS(close(fd));
	/* mapped: through a shared mapping, then msync. */
	fd = (int)UT_SYS(open(path("mapped"), O_CREAT | O_EXCL | O_RDWR, 0640));
	UT_SYS(ftruncate(fd, MAPPED_SIZE));
	p = mmap(NULL, MAPPED_SIZE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	for (size_t i = 0; i < MAPPED_SIZE; i++)
		p[i] = data_byte(seed, i, 2);
	UT_SYS(msync(p, MAPPED_SIZE, MS_SYNC));
	UT_SYS(munmap(p, MAPPED_SIZE));
	UT_SYS(close(fd));
	/* sparse: one byte far out. */
	fd = (int)UT_SYS(open(path("sparse"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	UT_EQ(pwrite(fd, "S", 1, SPARSE_AT), 1);
	UT_SYS(fsync(fd));
	UT_SYS(close(fd));
	UT_SYS(link(path("marker"), path("sub/link")));
	UT_SYS(symlink("../marker", path("sub/sym")));
	fsync_path(path("sub"));
	/* late: no fsync of its own. */
	fd = make_data_file(path("late"), "late\n", seed, 1000, 3);
	UT_SYS(close(fd));
	fsync_path(base);
	fsync_path(ut_fs_root(UT_FS_DISK));
	ut_note("persist: wrote %s with seed %lu", base, seed);
}

/* Reads p whole into buf (at most max); its length. */
static size_t
read_whole(const char *p, unsigned char *buf, size_t max)
{
	int fd = (int)UT_SYS(open(p, O_RDONLY));
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, max - n)) > 0)
		n += (size_t)r;
	UT_EQ(r, 0);
	UT_SYS(close(fd));
	return n;
}

static void
check_data(const char *name, const unsigned char *buf, unsigned long seed,
	   size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != data_byte(seed, i, salt))
			ut_fail(__FILE__, __LINE__, "%s: byte %zu is 0x%02x, not 0x%02x",
				name, i, buf[i], data_byte(seed, i, salt));
}

UTEST(check)
{
	static unsigned char buf[MARKER_DATA + 200];
	char target[64];
	struct stat st, st2;
	unsigned long seed;
	size_t n, hlen;

	set_base();
	if (stat(base, &st) != 0)
		ut_fail(__FILE__, __LINE__, "no %s: nothing survived (run persist/write first)",
			base);
	/* marker: the header names the seed, the data follow it. */
	n = read_whole(path("marker"), buf, sizeof(buf));
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	if (sscanf((char *)buf, HEADER "%lu\n", &seed) != 1)
		ut_fail(__FILE__, __LINE__, "marker has no header: \"%.40s\"", buf);
	hlen = (size_t)(strchr((char *)buf, '\n') - (char *)buf) + 1;
	UT_EQ(n, hlen + MARKER_DATA);
	check_data("marker", buf + hlen, seed, MARKER_DATA, 1);
	ut_note("persist: found %s with seed %lu", base, seed);
	/* mapped */
	UT_SYS(stat(path("mapped"), &st));
	UT_EQ(st.st_mode, S_IFREG | 0640);
	UT_EQ(read_whole(path("mapped"), buf, sizeof(buf)), MAPPED_SIZE);
	check_data("mapped", buf, seed, MAPPED_SIZE, 2);
	/* sparse: the byte, zeros before it, few blocks. */
	int fd = (int)UT_SYS(open(path("sparse"), O_RDONLY));
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_size, SPARSE_AT + 1);
	UT_ASSERT(st.st_blocks * 512 <= 64 * 1024);
	UT_EQ(pread(fd, buf, PAGE, SPARSE_AT - PAGE + 1), PAGE);
	for (size_t i = 0; i < PAGE - 1; i++)
		UT_EQ(buf[i], 0);
	UT_EQ(buf[PAGE - 1], 'S');
	UT_SYS(close(fd));
	/* the links */
	UT_SYS(stat(path("marker"), &st));
	UT_SYS(stat(path("sub/link"), &st2));
	UT_EQ(st.st_nlink, 2);
	UT_EQ(st2.st_ino, st.st_ino);
	UT_SYS(stat(path("sub"), &st2));
	UT_EQ(st2.st_mode, S_IFDIR | 0700);
	UT_EQ(st2.st_nlink, 2);
	UT_SYS(stat(base, &st2));
	UT_EQ(st2.st_nlink, 3);
	memset(target, 0, sizeof(target));
	UT_EQ(readlink(path("sub/sym"), target, sizeof(target)), 9);
	UT_ASSERT(strcmp(target, "../marker") == 0);
	UT_SYS(stat(path("sub/sym"), &st2));
	UT_EQ(st2.st_ino, st.st_ino);
	/* late: made it by the shutdown's sync. */
	n = read_whole(path("late"), buf, sizeof(buf));
	UT_EQ(n, 5 + 1000);
	UT_ASSERT(memcmp(buf, "late\n", 5) == 0);
	check_data("late", buf + 5, seed, 1000, 3);
	/* Done: the next check needs a new write. */
	UT_SYS(ut_rm_tree(base));
}
