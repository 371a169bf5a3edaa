/*
 * tests/user/fmap.c - mappings of writable files: MAP_SHARED coherence
 * with read and write, private copy-on-write, msync, truncation under a
 * mapping, mincore, and /dev/zero.
 *
 * One cache: a file's pages are the pages its shared mappings map, so a
 * store through a mapping is what read() returns at once (no msync
 * needed), a write() is what the mapping shows at once, and that holds
 * across fork and between unrelated mappings.  A private mapping reads
 * the file until it writes a page; the write lands in a private copy,
 * never in the file.  Truncation takes pages away under a mapping:
 * whole pages past the new end raise SIGBUS (BUS_ADRERR), the rest of
 * the last page reads zero, and growing the file again brings zeros,
 * never the old bytes.
 *
 * The file tests run on /tmp (tmpfs) and /mnt (ext2), each in a fresh
 * folder (UT_EACH_FS, utest.h).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned char
pat(size_t off)
{
	return (unsigned char)(1 + (off * 13 + off / 4093) % 251);
}

/* A new file "f" of n bytes of the pattern, open read-write. */
static int
make_file(size_t n)
{
	static unsigned char buf[PAGE];
	int fd = (int)UT_SYS(open("f", O_CREAT | O_EXCL | O_RDWR, 0644));

	for (size_t off = 0; off < n; off += PAGE) {
		size_t k = n - off < PAGE ? n - off : PAGE;
		for (size_t i = 0; i < k; i++)
			buf[i] = pat(off + i);
		UT_EQ(write(fd, buf, k), k);
	}
	return fd;
}

static unsigned char *
map_file(size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		ut_fail(__FILE__, __LINE__, "mmap: %s", ut_errname(errno));
	return p;
}

static unsigned char
byte_at(int fd, off_t off)
{
	unsigned char c = 0xee;

	UT_EQ(pread(fd, &c, 1, off), 1);
	return c;
}

/* ---- MAP_SHARED and read/write: one set of pages ---- */

static void
shared_store_seen_by_read(const char *dir)
{
	int fd = make_file(3 * PAGE);
	unsigned char *p = map_file(3 * PAGE, RW, MAP_SHARED, fd, 0);

	(void)dir;
	for (size_t i = 0; i < 3 * PAGE; i += 997)
		UT_EQ(p[i], pat(i));
	p[10] = 0xa1;
	p[2 * PAGE + 5] = 0xa2;
	UT_EQ(byte_at(fd, 10), 0xa1);               /* at once, no msync */
	UT_EQ(byte_at(fd, 2 * PAGE + 5), 0xa2);
	UT_EQ(pwrite(fd, "\xb1", 1, PAGE + 7), 1);
	UT_EQ(p[PAGE + 7], 0xb1);                   /* and the other way */
	/* A second descriptor and a second mapping see the same. */
	int fd2 = (int)UT_SYS(open("f", O_RDWR));
	unsigned char *q = map_file(PAGE, RW, MAP_SHARED, fd2, PAGE);
	UT_EQ(q[7], 0xb1);
	q[100] = 0xc1;
	UT_EQ(p[PAGE + 100], 0xc1);
	UT_EQ(byte_at(fd2, PAGE + 100), 0xc1);
	UT_SYS(munmap(q, PAGE));
	UT_SYS(close(fd2));
	/* After munmap and close, the stores are the file's. */
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open("f", O_RDONLY));
	UT_EQ(byte_at(fd, 10), 0xa1);
	UT_EQ(byte_at(fd, PAGE + 100), 0xc1);
	UT_EQ(byte_at(fd, 11), pat(11));
	UT_SYS(close(fd));
}
UTEST(shared_store_is_seen_by_read_and_write_by_the_mapping)
{
	UT_EACH_FS(shared_store_seen_by_read);
}

static void
shared_across_fork(const char *dir)
{
	int fd = make_file(2 * PAGE);
	unsigned char *p = map_file(2 * PAGE, RW, MAP_SHARED, fd, 0);
	int go[2], done[2];
	char c;
	pid_t pid;

	(void)dir;
	UT_SYS(pipe(go));
	UT_SYS(pipe(done));
	pid = fork();
	if (pid == 0) {
		/* Child: store through the inherited mapping, and through a
		 * mapping of its own; then see the parent's write. */
		p[1] = 0x11;
		int cfd = (int)UT_SYS(open("f", O_RDWR));
		unsigned char *q = map_file(PAGE, RW, MAP_SHARED, cfd, PAGE);
		q[1] = 0x22;
		UT_EQ(write(done[1], "x", 1), 1);
		UT_EQ(read(go[0], &c, 1), 1);
		UT_EQ(p[2], 0x33);
		UT_EQ(q[2], 0x44);
		_exit(0);
	}
	UT_EQ(read(done[0], &c, 1), 1);
	UT_EQ(byte_at(fd, 1), 0x11);
	UT_EQ(byte_at(fd, PAGE + 1), 0x22);
	UT_EQ(p[PAGE + 1], 0x22);
	p[2] = 0x33;
	UT_EQ(pwrite(fd, "\x44", 1, PAGE + 2), 1);
	UT_EQ(write(go[1], "x", 1), 1);
	UT_CHILD_EXITS(pid, 0);
	/* A child that stores and exits without msync: still the file's. */
	pid = fork();
	if (pid == 0) {
		p[3] = 0x55;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(byte_at(fd, 3), 0x55);
	UT_SYS(munmap(p, 2 * PAGE));
	UT_SYS(close(fd));
}
UTEST(shared_mapping_is_coherent_across_fork) { UT_EACH_FS(shared_across_fork); }

static void
write_extends_under_mapping(const char *dir)
{
	int fd = make_file(100);
	unsigned char *p = map_file(2 * PAGE, RW, MAP_SHARED, fd, 0);

	(void)dir;
	UT_EQ(p[99], pat(99));
	UT_EQ(p[100], 0);                           /* the last page's tail */
	/* The file grows by write(): the mapping shows the new bytes. */
	UT_EQ(pwrite(fd, "\x66", 1, PAGE + 9), 1);
	UT_EQ(p[PAGE + 9], 0x66);
	UT_EQ(p[PAGE + 8], 0);
	UT_EQ(p[500], 0);
	/* A store into the tail of the last page is not in the file's size. */
	UT_SYS(ftruncate(fd, 100));
	p[200] = 0x77;
	struct stat st;
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_size, 100);
	UT_SYS(munmap(p, 2 * PAGE));
	UT_SYS(close(fd));
}
UTEST(file_grown_by_write_shows_in_its_mapping) { UT_EACH_FS(write_extends_under_mapping); }

/* ---- MAP_PRIVATE: copy on write ---- */

static void
private_cow(const char *dir)
{
	int fd = make_file(2 * PAGE);
	unsigned char *priv = map_file(2 * PAGE, RW, MAP_PRIVATE, fd, 0);
	unsigned char *shared = map_file(2 * PAGE, RW, MAP_SHARED, fd, 0);
	pid_t pid;

	(void)dir;
	UT_EQ(priv[5], pat(5));
	/* Before it writes, a private mapping shows the file's changes. */
	UT_EQ(pwrite(fd, "\x12", 1, 5), 1);
	UT_EQ(priv[5], 0x12);
	shared[PAGE + 5] = 0x13;
	UT_EQ(priv[PAGE + 5], 0x13);
	/* Its write is its own: not the file's, not the shared mapping's. */
	priv[6] = 0x21;
	UT_EQ(byte_at(fd, 6), pat(6));
	UT_EQ(shared[6], pat(6));
	/* And that page no longer follows the file; the other still does. */
	UT_EQ(pwrite(fd, "\x31\x32", 2, 5), 2);
	UT_EQ(priv[5], 0x12);
	UT_EQ(priv[6], 0x21);
	shared[PAGE + 6] = 0x41;
	UT_EQ(priv[PAGE + 6], 0x41);
	/* A child gets its own copy of the written page. */
	pid = fork();
	if (pid == 0) {
		UT_EQ(priv[6], 0x21);
		priv[6] = 0x22;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(priv[6], 0x21);
	UT_EQ(byte_at(fd, 6), 0x32);
	/* msync on a private mapping changes nothing in the file. */
	UT_SYS(msync(priv, 2 * PAGE, MS_SYNC));
	UT_EQ(byte_at(fd, 6), 0x32);
	UT_SYS(munmap(priv, 2 * PAGE));
	UT_SYS(munmap(shared, 2 * PAGE));
	UT_SYS(close(fd));
}
UTEST(private_mapping_copies_on_write_and_never_reaches_the_file)
{
	UT_EACH_FS(private_cow);
}

static void
mmap_errors(const char *dir)
{
	int fd = make_file(PAGE);
	int ro = (int)UT_SYS(open("f", O_RDONLY));
	int wo = (int)UT_SYS(open("f", O_WRONLY));
	int ap = (int)UT_SYS(open("f", O_RDWR | O_APPEND));
	unsigned char *p;

	(void)dir;
	UT_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
	UT_ERR(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 9999, 0), EBADF);
	/* A private writable mapping of a read-only descriptor is fine,
	 * and mprotect cannot make a read-only shared one writable. */
	p = map_file(PAGE, RW, MAP_PRIVATE, ro, 0);
	p[0] = 1;
	UT_SYS(munmap(p, PAGE));
	p = map_file(PAGE, PROT_READ, MAP_SHARED, ro, 0);
	UT_ERR(mprotect(p, PAGE, RW), EACCES);
	UT_SYS(munmap(p, PAGE));
	/* O_APPEND does not stop a shared writable mapping (only the
	 * append-only inode flag, chattr +a, would). */
	p = map_file(PAGE, RW, MAP_SHARED, ap, 0);
	p[1] = 0x61;
	UT_EQ(byte_at(fd, 1), 0x61);
	UT_SYS(munmap(p, PAGE));
	/* A folder cannot be mapped. */
	int dfd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dfd, 0), ENODEV);
	UT_SYS(close(dfd));
	close(ap);
	close(wo);
	close(ro);
	close(fd);
}
UTEST(mmap_of_a_file_checks_the_descriptor_mode) { UT_EACH_FS(mmap_errors); }

/* ---- msync ---- */

static void
msync_return_values(const char *dir)
{
	int fd = make_file(4 * PAGE);
	unsigned char *p = map_file(4 * PAGE, RW, MAP_SHARED, fd, 0);

	(void)dir;
	p[0] = 0x5a;
	UT_SYS(msync(p, 4 * PAGE, MS_SYNC));
	UT_EQ(byte_at(fd, 0), 0x5a);
	p[PAGE] = 0x5b;
	UT_SYS(msync(p + PAGE, PAGE, MS_ASYNC));
	UT_SYS(msync(p, 4 * PAGE, MS_INVALIDATE));
	UT_SYS(msync(p, 4 * PAGE, MS_SYNC | MS_INVALIDATE));
	UT_EQ(p[PAGE], 0x5b);                       /* invalidate loses nothing */
	UT_EQ(byte_at(fd, PAGE), 0x5b);
	UT_SYS(msync(p, 1, MS_SYNC));               /* the length rounds up */
	UT_SYS(msync(p, 0, MS_SYNC));
	UT_ERR(msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	UT_ERR(msync(p + 1, PAGE, MS_SYNC), EINVAL);
	UT_ERR(msync(p, PAGE, 0x100), EINVAL);
	UT_SYS(munmap(p + 2 * PAGE, PAGE));
	UT_ERR(msync(p, 4 * PAGE, MS_SYNC), ENOMEM); /* a hole in the range */
	UT_SYS(msync(p, 2 * PAGE, MS_SYNC));
	UT_SYS(munmap(p, 4 * PAGE));
	UT_SYS(close(fd));
	/* Anonymous memory: nothing to write, and no error. */
	p = ut_map(2, RW);
	UT_SYS(msync(p, 2 * PAGE, MS_SYNC));
	UT_SYS(msync(p, 2 * PAGE, MS_ASYNC | MS_INVALIDATE));
	ut_unmap(p, 2);
}
UTEST(msync_sync_async_invalidate_and_its_errors) { UT_EACH_FS(msync_return_values); }

/* ---- truncation under a mapping ---- */

static void
truncate_under_mapping(const char *dir)
{
	int fd = make_file(3 * PAGE);
	unsigned char *p = map_file(3 * PAGE, RW, MAP_SHARED, fd, 0);
	unsigned char *priv = map_file(3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	struct ut_fault f;

	(void)dir;
	p[PAGE + 500] = 0x71;                       /* in the new last page */
	p[2 * PAGE + 1] = 0x72;                     /* in a page that goes */
	UT_EQ(priv[2 * PAGE + 1], 0x72);
	UT_SYS(ftruncate(fd, PAGE + 100));
	UT_EQ(p[PAGE + 99], pat(PAGE + 99));
	UT_EQ(p[PAGE + 500], 0);                    /* past the end: zeroed */
	UT_EQ(priv[PAGE + 500], 0);
	UT_EQ(ut_probe_read(p + 2 * PAGE, &f), SIGBUS);
	UT_EQ(f.code, BUS_ADRERR);
	UT_EQ(f.addr, p + 2 * PAGE);
	UT_EQ(ut_probe_write(p + 3 * PAGE - 1, 1, &f), SIGBUS);
	UT_EQ(ut_probe_read(priv + 2 * PAGE, &f), SIGBUS);
	/* Grown again: zeros where the old bytes were, and no SIGBUS. */
	UT_SYS(ftruncate(fd, 3 * PAGE));
	UT_EQ(ut_probe_read(p + 2 * PAGE, &f), 0);
	UT_EQ(p[2 * PAGE + 1], 0);
	UT_EQ(p[PAGE + 500], 0);
	UT_EQ(byte_at(fd, PAGE + 500), 0);
	UT_EQ(byte_at(fd, 2 * PAGE + 1), 0);
	p[2 * PAGE + 2] = 0x73;
	UT_EQ(byte_at(fd, 2 * PAGE + 2), 0x73);
	UT_SYS(munmap(priv, 3 * PAGE));
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}
UTEST(truncate_under_a_mapping_sigbus_past_the_end_and_zeros_when_regrown)
{
	UT_EACH_FS(truncate_under_mapping);
}

static void
sigbus_in_a_child(const char *dir)
{
	int fd = make_file(PAGE);
	unsigned char *p = map_file(2 * PAGE, RW, MAP_SHARED, fd, 0);
	pid_t pid;

	(void)dir;
	pid = fork();
	if (pid == 0) {
		p[PAGE] = 1;                        /* wholly past the end */
		_exit(0);
	}
	UT_CHILD_KILLED(pid, SIGBUS);
	/* An empty file: its first page is already past the end. */
	UT_SYS(ftruncate(fd, 0));
	pid = fork();
	if (pid == 0) {
		(void)*(volatile unsigned char *)p;
		_exit(0);
	}
	UT_CHILD_KILLED(pid, SIGBUS);
	UT_SYS(munmap(p, 2 * PAGE));
	UT_SYS(close(fd));
}
UTEST(access_past_the_end_kills_with_sigbus) { UT_EACH_FS(sigbus_in_a_child); }

/* ---- mincore ---- */

static void
mincore_file_pages(const char *dir)
{
	int fd = make_file(2 * PAGE);
	unsigned char vec[4];
	unsigned char *p;

	(void)dir;
	UT_SYS(ftruncate(fd, 4 * PAGE));            /* pages 2, 3: a hole */
	p = map_file(4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	/* Written pages are in the cache, mapped or touched or not. */
	UT_SYS(mincore(p, 4 * PAGE, vec));
	UT_EQ(vec[0] & 1, 1);
	UT_EQ(vec[1] & 1, 1);
	UT_EQ(vec[2] & 1, 0);
	UT_EQ(vec[3] & 1, 0);
	(void)*(volatile unsigned char *)(p + 3 * PAGE);
	UT_SYS(mincore(p, 4 * PAGE, vec));
	UT_EQ(vec[3] & 1, 1);
	UT_ERR(mincore(p + 1, PAGE, vec), EINVAL);
	UT_SYS(munmap(p + 2 * PAGE, 2 * PAGE));
	UT_ERR(mincore(p, 4 * PAGE, vec), ENOMEM);
	UT_SYS(munmap(p, 2 * PAGE));
	UT_SYS(close(fd));
}
UTEST(mincore_shows_which_file_pages_are_cached) { UT_EACH_FS(mincore_file_pages); }

/* ---- /dev/zero ---- */

UTEST(dev_zero_private_is_private_and_shared_is_shared_across_fork)
{
	int fd = (int)UT_SYS(open("/dev/zero", O_RDWR));
	unsigned char *priv = map_file(2 * PAGE, RW, MAP_PRIVATE, fd, 0);
	unsigned char *shared = map_file(2 * PAGE, RW, MAP_SHARED, fd, 0);
	pid_t pid;

	UT_EQ(priv[0] | priv[2 * PAGE - 1] | shared[0] | shared[PAGE], 0);
	priv[0] = 1;
	shared[0] = 2;
	pid = fork();
	if (pid == 0) {
		UT_EQ(priv[0], 1);
		UT_EQ(shared[0], 2);
		priv[0] = 3;
		shared[PAGE] = 4;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(priv[0], 1);
	UT_EQ(shared[PAGE], 4);
	/* Two shared mappings of /dev/zero are two objects, not one. */
	unsigned char *other = map_file(PAGE, RW, MAP_SHARED, fd, 0);
	UT_EQ(other[0], 0);
	unsigned char c;
	UT_EQ(read(fd, &c, 1), 1);
	UT_EQ(c, 0);
	UT_SYS(munmap(other, PAGE));
	UT_SYS(munmap(shared, 2 * PAGE));
	UT_SYS(munmap(priv, 2 * PAGE));
	UT_SYS(close(fd));
}
