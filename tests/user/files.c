/*
 * tests/user/files.c - regular files: create, read, write, seek, rename,
 * unlink, links, symbolic links and what stat says about them.
 *
 * Every test runs twice, on /tmp (tmpfs) and on /mnt (the ext2 disk),
 * in a fresh folder of its own (UT_EACH_FS, utest.h), and checks what
 * Linux does, byte for byte and errno for errno: the file tests are the
 * acceptance tests of uvmkern's VFS, tmpfs and ext2.  A few facts they
 * rest on:
 *
 *   - a write past the end leaves a hole that reads as zeros;
 *   - O_APPEND puts every write at the end, pwrite's offset included
 *     (Linux's documented exception to pwrite);
 *   - rename over a file replaces it in one step: the old target lives
 *     on in descriptors open on it;
 *   - an unlinked file lives while a descriptor is open on it (nlink 0);
 *   - path lookup follows at most 40 symbolic links (ELOOP beyond).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define EXT2_MAGIC 0xEF53

/* The byte at offset off of a test file: predictable, never zero. */
static unsigned char
pat(size_t off)
{
	return (unsigned char)(1 + (off * 7 + off / 251) % 253);
}

static void
fill(unsigned char *buf, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pat(off + i);
}

/* Asserts buf holds pat(off..off+n). */
#define CHECK_PAT(buf, off, n) check_pat(__LINE__, (buf), (off), (n))
static void
check_pat(int line, const unsigned char *buf, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pat(off + i))
			ut_fail(__FILE__, line, "byte at offset %zu is 0x%02x, not 0x%02x",
				off + i, buf[i], pat(off + i));
}

/* A new file name holding n bytes of the pattern; its size is checked. */
static void
make_file(const char *name, size_t n)
{
	static unsigned char buf[3 * PAGE];
	int fd = (int)UT_SYS(open(name, O_CREAT | O_EXCL | O_WRONLY, 0644));

	for (size_t off = 0; off < n; off += sizeof(buf)) {
		size_t k = n - off < sizeof(buf) ? n - off : sizeof(buf);
		fill(buf, off, k);
		UT_EQ(write(fd, buf, k), k);
	}
	UT_SYS(close(fd));
}

/* The whole content of name, at most max bytes; its length. */
static ssize_t
slurp(const char *name, void *buf, size_t max)
{
	int fd = (int)UT_SYS(open(name, O_RDONLY));
	ssize_t n = UT_SYS(read(fd, buf, max));

	UT_SYS(close(fd));
	return n;
}

static off_t
size_of(const char *name)
{
	struct stat st;

	UT_SYS(stat(name, &st));
	return st.st_size;
}

/* ---- the places the tests run in ---- */

static void
check_fs_type(int i, const char *path, long magic)
{
	struct statfs sf;

	if (getenv(ut_fs_env[i]) != NULL)
		return;                 /* the user chose another place */
	UT_SYS(statfs(path, &sf));
	if ((long)sf.f_type != magic)
		ut_fail(__FILE__, __LINE__, "%s has file system type 0x%lx, not 0x%lx",
			path, (long)sf.f_type, magic);
}

UTEST(tmp_and_dev_shm_are_tmpfs_and_mnt_is_ext2)
{
	struct stat root, up;

	check_fs_type(0, "/tmp", TMPFS_MAGIC);
	check_fs_type(0, "/dev/shm", TMPFS_MAGIC);
	check_fs_type(1, "/mnt", EXT2_MAGIC);
	/* ".." of a mounted root leads back over the mount point. */
	UT_SYS(stat("/", &root));
	UT_SYS(stat("/mnt/..", &up));
	UT_EQ(up.st_ino, root.st_ino);
	UT_EQ(up.st_dev, root.st_dev);
	UT_SYS(stat("/tmp/..", &up));
	UT_EQ(up.st_ino, root.st_ino);
}

/* ---- create, read, write ---- */

static void
create_write_read_back(const char *dir)
{
	static unsigned char buf[10000], back[10001];
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));

	(void)dir;
	fill(buf, 0, sizeof(buf));
	UT_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	UT_EQ(lseek(fd, 0, SEEK_CUR), sizeof(buf));
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EQ(read(fd, back, sizeof(back)), sizeof(buf));
	CHECK_PAT(back, 0, sizeof(buf));
	UT_EQ(read(fd, back, sizeof(back)), 0);         /* at the end */
	UT_EQ(write(fd, buf, 0), 0);
	UT_SYS(close(fd));
	UT_EQ(size_of("f"), sizeof(buf));
	/* A second descriptor sees the same bytes. */
	memset(back, 0, sizeof(back));
	UT_EQ(slurp("f", back, sizeof(back)), sizeof(buf));
	CHECK_PAT(back, 0, sizeof(buf));
}
UTEST(create_write_read_back) { UT_EACH_FS(create_write_read_back); }

static void
new_file_stat_fields(const char *dir)
{
	struct stat st, d;
	time_t before = time(NULL);
	int fd;

	umask(022);
	fd = (int)UT_SYS(open("f", O_CREAT | O_WRONLY, 0666));
	UT_SYS(fstat(fd, &st));
	UT_SYS(stat(dir, &d));
	UT_EQ(st.st_mode, S_IFREG | 0644);      /* 0666 less the umask */
	UT_EQ(st.st_nlink, 1);
	UT_EQ(st.st_size, 0);
	UT_EQ(st.st_blocks, 0);
	UT_EQ(st.st_uid, getuid());
	UT_EQ(st.st_gid, getgid());
	UT_EQ(st.st_dev, d.st_dev);
	UT_NE(st.st_ino, d.st_ino);
	UT_NE(st.st_ino, 0);
	UT_ASSERT(st.st_blksize >= 512);
	UT_ASSERT(st.st_mtime >= before - 1 && st.st_mtime <= time(NULL) + 1);
	UT_ASSERT(st.st_ctime >= before - 1 && st.st_ctime <= time(NULL) + 1);
	UT_SYS(close(fd));
}
UTEST(new_file_has_mode_owner_and_no_blocks) { UT_EACH_FS(new_file_stat_fields); }

static void
write_updates_size_blocks_and_mtime(const char *dir)
{
	static unsigned char buf[5000];
	struct stat a, b;
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));

	(void)dir;
	UT_SYS(fstat(fd, &a));
	sleep(1);                       /* seconds are what all clocks have */
	UT_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	UT_SYS(fstat(fd, &b));
	UT_EQ(b.st_size, sizeof(buf));
	UT_ASSERT(b.st_blocks * 512 >= (long)sizeof(buf));
	UT_ASSERT(b.st_mtime > a.st_mtime);
	UT_ASSERT(b.st_ctime > a.st_ctime);
	UT_EQ(b.st_ino, a.st_ino);
	/* chmod changes ctime and the mode, not the size. */
	sleep(1);
	UT_SYS(fchmod(fd, 0600));
	UT_SYS(fstat(fd, &a));
	UT_EQ(a.st_mode, S_IFREG | 0600);
	UT_ASSERT(a.st_ctime > b.st_ctime);
	UT_EQ(a.st_mtime, b.st_mtime);
	UT_SYS(close(fd));
}
UTEST(write_updates_size_blocks_mtime_and_ctime)
{
	UT_EACH_FS(write_updates_size_blocks_and_mtime);
}

static void
pread_pwrite_keep_the_offset(const char *dir)
{
	unsigned char buf[300], back[300];
	int fd;

	(void)dir;
	make_file("f", 3 * PAGE);
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_EQ(lseek(fd, 123, SEEK_SET), 123);
	UT_EQ(pread(fd, back, sizeof(back), PAGE - 100), sizeof(back));
	CHECK_PAT(back, PAGE - 100, sizeof(back));
	UT_EQ(lseek(fd, 0, SEEK_CUR), 123);
	memset(buf, 'x', sizeof(buf));
	UT_EQ(pwrite(fd, buf, sizeof(buf), 2 * PAGE - 10), sizeof(buf));
	UT_EQ(lseek(fd, 0, SEEK_CUR), 123);
	UT_EQ(pread(fd, back, sizeof(back), 2 * PAGE - 10), sizeof(back));
	UT_ASSERT(memcmp(back, buf, sizeof(buf)) == 0);
	/* pread at or past the end reads nothing; a short one at the edge. */
	UT_EQ(pread(fd, back, sizeof(back), 3 * PAGE), 0);
	UT_EQ(pread(fd, back, sizeof(back), 10 * PAGE), 0);
	UT_EQ(pread(fd, back, sizeof(back), 3 * PAGE - 7), 7);
	UT_ERR(pread(fd, back, 1, -1), EINVAL);
	UT_ERR(pwrite(fd, back, 1, -1), EINVAL);
	UT_EQ(size_of("f"), 3 * PAGE);
	UT_SYS(close(fd));
}
UTEST(pread_and_pwrite_leave_the_offset_alone)
{
	UT_EACH_FS(pread_pwrite_keep_the_offset);
}

static void
readv_writev(const char *dir)
{
	static unsigned char buf[3 * PAGE], back[3 * PAGE];
	struct iovec w[3] = {
		{ buf, 10 }, { buf + 10, 0 }, { buf + 10, 3 * PAGE - 10 },
	};
	struct iovec r[2] = { { back, PAGE + 1 }, { back + PAGE + 1, 2 * PAGE - 1 } };
	int fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));

	(void)dir;
	fill(buf, 0, sizeof(buf));
	UT_EQ(writev(fd, w, 3), sizeof(buf));
	UT_EQ(lseek(fd, 0, SEEK_CUR), sizeof(buf));
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EQ(readv(fd, r, 2), sizeof(back));
	CHECK_PAT(back, 0, sizeof(back));
	/* At the end, readv fills nothing. */
	UT_EQ(readv(fd, r, 2), 0);
	UT_SYS(close(fd));
}
UTEST(writev_gathers_and_readv_scatters_in_order) { UT_EACH_FS(readv_writev); }

static void
lseek_whences(const char *dir)
{
	int fd;

	(void)dir;
	make_file("f", 1000);
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_EQ(lseek(fd, 100, SEEK_SET), 100);
	UT_EQ(lseek(fd, 50, SEEK_CUR), 150);
	UT_EQ(lseek(fd, -200, SEEK_END), 800);
	UT_EQ(lseek(fd, 5000, SEEK_END), 6000);      /* past the end is fine */
	UT_EQ(size_of("f"), 1000);                  /* and changes nothing */
	UT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	UT_ERR(lseek(fd, -1001, SEEK_END), EINVAL);
	UT_ERR(lseek(fd, 0, 42), EINVAL);
	UT_EQ(lseek(fd, 0, SEEK_CUR), 6000);        /* failures moved nothing */
	UT_SYS(close(fd));
	UT_ERR(lseek(fd, 0, SEEK_SET), EBADF);
}
UTEST(lseek_set_cur_end_and_its_errors) { UT_EACH_FS(lseek_whences); }

static void
write_past_eof_leaves_a_hole(const char *dir)
{
	static unsigned char back[3 * PAGE + 200];
	const size_t at = 3 * PAGE + 100;
	int fd;

	(void)dir;
	make_file("f", 10);
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_EQ(lseek(fd, at, SEEK_SET), at);
	UT_EQ(write(fd, "x", 1), 1);
	UT_EQ(size_of("f"), at + 1);
	UT_EQ(pread(fd, back, sizeof(back), 0), at + 1);
	CHECK_PAT(back, 0, 10);
	for (size_t i = 10; i < at; i++)
		if (back[i] != 0)
			ut_fail(__FILE__, __LINE__, "hole byte %zu is 0x%02x", i, back[i]);
	UT_EQ(back[at], 'x');
	UT_SYS(close(fd));
}
UTEST(write_past_the_end_leaves_a_hole_of_zeros)
{
	UT_EACH_FS(write_past_eof_leaves_a_hole);
}

static void
append_writes_at_the_end(const char *dir)
{
	unsigned char back[40];
	int fd, other;

	(void)dir;
	make_file("f", 20);
	fd = (int)UT_SYS(open("f", O_WRONLY | O_APPEND));
	other = (int)UT_SYS(open("f", O_WRONLY));
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EQ(write(fd, "ab", 2), 2);               /* at 20, not 0 */
	UT_EQ(lseek(fd, 0, SEEK_CUR), 22);
	UT_EQ(pwrite(other, "0123456789", 10, 22), 10);  /* file is 32 now */
	UT_EQ(write(fd, "cd", 2), 2);               /* at the new end, 32 */
	/* Linux: pwrite on O_APPEND appends, whatever the offset. */
	UT_EQ(pwrite(fd, "ef", 2, 0), 2);
	UT_EQ(size_of("f"), 36);
	UT_EQ(slurp("f", back, sizeof(back)), 36);
	CHECK_PAT(back, 0, 20);
	UT_ASSERT(memcmp(back + 20, "ab0123456789cdef", 16) == 0);
	UT_SYS(close(other));
	UT_SYS(close(fd));
}
UTEST(o_append_writes_at_the_end_even_with_pwrite)
{
	UT_EACH_FS(append_writes_at_the_end);
}

static void
trunc_and_excl(const char *dir)
{
	unsigned char back[16];
	struct stat st;
	int fd;

	(void)dir;
	make_file("f", 3 * PAGE);
	UT_SYS(stat("f", &st));
	fd = (int)UT_SYS(open("f", O_RDWR | O_TRUNC));
	UT_EQ(size_of("f"), 0);
	UT_EQ(read(fd, back, sizeof(back)), 0);
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_blocks, 0);
	UT_SYS(close(fd));
	UT_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	/* O_EXCL does not follow a symbolic link, even a dangling one. */
	UT_SYS(symlink("nowhere", "dangling"));
	UT_ERR(open("dangling", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	UT_ERR(access("nowhere", F_OK), ENOENT);
	/* Without O_EXCL, O_CREAT through it creates the target. */
	UT_SYS(close((int)UT_SYS(open("dangling", O_CREAT | O_RDWR, 0600))));
	UT_EQ(size_of("nowhere"), 0);
	/* O_TRUNC on a read-only open of a file: Linux truncates it too. */
	make_file("g", 100);
	UT_SYS(close((int)UT_SYS(open("g", O_RDONLY | O_TRUNC))));
	UT_EQ(size_of("g"), 0);
}
UTEST(o_trunc_empties_and_o_excl_refuses_what_exists)
{
	UT_EACH_FS(trunc_and_excl);
}

static void
open_errors(const char *dir)
{
	char name[300];

	(void)dir;
	make_file("f", 10);
	UT_SYS(mkdir("d", 0755));
	UT_ERR(open("missing", O_RDWR), ENOENT);
	UT_ERR(open("missing/x", O_RDWR | O_CREAT, 0644), ENOENT);
	UT_ERR(open("f/x", O_RDONLY), ENOTDIR);
	UT_ERR(open("f/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	UT_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	UT_ERR(open("d", O_RDWR), EISDIR);
	UT_ERR(open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
	UT_ERR(open("", O_RDONLY), ENOENT);
	memset(name, 'n', sizeof(name));
	name[256] = '\0';                           /* NAME_MAX is 255 */
	UT_ERR(open(name, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	name[255] = '\0';
	UT_SYS(close((int)UT_SYS(open(name, O_RDWR | O_CREAT, 0644))));
	UT_SYS(unlink(name));
}
UTEST(open_errors_enoent_enotdir_eisdir_enametoolong) { UT_EACH_FS(open_errors); }

static void
access_modes_are_checked(const char *dir)
{
	char c;
	int fd;

	(void)dir;
	make_file("f", 10);
	fd = (int)UT_SYS(open("f", O_RDONLY));
	UT_ERR(write(fd, "x", 1), EBADF);
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open("f", O_WRONLY));
	UT_ERR(read(fd, &c, 1), EBADF);
	UT_SYS(close(fd));
	UT_ERR(read(fd, &c, 1), EBADF);
	/* dup shares one offset. */
	fd = (int)UT_SYS(open("f", O_RDONLY));
	int fd2 = (int)UT_SYS(dup(fd));
	UT_EQ(read(fd, &c, 1), 1);
	UT_EQ(lseek(fd2, 0, SEEK_CUR), 1);
	UT_SYS(close(fd));
	UT_SYS(close(fd2));
}
UTEST(descriptors_keep_their_access_mode_and_dup_shares_the_offset)
{
	UT_EACH_FS(access_modes_are_checked);
}

static void
truncate_grow_and_shrink(const char *dir)
{
	static unsigned char back[2 * PAGE];
	int fd;

	(void)dir;
	make_file("f", 2 * PAGE);
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_SYS(ftruncate(fd, 100));
	UT_EQ(size_of("f"), 100);
	UT_SYS(ftruncate(fd, 2 * PAGE));            /* grown: zeros, no old data */
	UT_EQ(pread(fd, back, sizeof(back), 0), sizeof(back));
	CHECK_PAT(back, 0, 100);
	for (size_t i = 100; i < sizeof(back); i++)
		if (back[i] != 0)
			ut_fail(__FILE__, __LINE__, "byte %zu is 0x%02x after regrowing",
				i, back[i]);
	UT_SYS(truncate("f", 50));
	UT_EQ(size_of("f"), 50);
	UT_ERR(ftruncate(fd, -1), EINVAL);
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open("f", O_RDONLY));
	UT_ERR(ftruncate(fd, 0), EINVAL);           /* not open for writing */
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_SYS(fsync(fd));
	UT_SYS(fdatasync(fd));
	UT_SYS(close(fd));
}
UTEST(truncate_shrinks_and_regrows_with_zeros) { UT_EACH_FS(truncate_grow_and_shrink); }

static void
utimes_access_and_fcntl(const char *dir)
{
	struct timespec ts[2] = { { 1000000000, 0 }, { 1200000000, 0 } };
	struct stat st;
	int fd;

	(void)dir;
	make_file("f", 10);
	UT_SYS(utimensat(AT_FDCWD, "f", ts, 0));
	UT_SYS(stat("f", &st));
	UT_EQ(st.st_atime, 1000000000);
	UT_EQ(st.st_mtime, 1200000000);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	time_t before = time(NULL);
	UT_SYS(utimensat(AT_FDCWD, "f", ts, 0));
	UT_SYS(stat("f", &st));
	UT_EQ(st.st_atime, 1000000000);
	UT_ASSERT(st.st_mtime >= before - 1 && st.st_mtime <= time(NULL) + 1);
	/* Even root needs an x bit to execute; read and write it may. */
	UT_SYS(chmod("f", 0644));
	UT_ERR(access("f", X_OK), EACCES);
	UT_SYS(access("f", R_OK | W_OK));
	UT_SYS(chmod("f", 0744));
	UT_SYS(access("f", X_OK));
	UT_ERR(access("missing", F_OK), ENOENT);
	/* fcntl: the status flags and the close-on-exec flag. */
	fd = (int)UT_SYS(open("f", O_RDWR | O_APPEND | O_CLOEXEC));
	UT_EQ(UT_SYS(fcntl(fd, F_GETFL)) & (O_ACCMODE | O_APPEND), O_RDWR | O_APPEND);
	UT_EQ(UT_SYS(fcntl(fd, F_GETFD)), FD_CLOEXEC);
	UT_SYS(fcntl(fd, F_SETFL, 0));
	UT_EQ(UT_SYS(fcntl(fd, F_GETFL)) & (O_ACCMODE | O_APPEND), O_RDWR);
	UT_EQ(pwrite(fd, "Z", 1, 0), 1);            /* no longer appending */
	UT_EQ(size_of("f"), 10);
	UT_SYS(close(fd));
	UT_ERR(truncate(".", 0), EISDIR);
}
UTEST(utimensat_access_and_fcntl_flags) { UT_EACH_FS(utimes_access_and_fcntl); }

/* ---- names: rename, unlink, link ---- */

static void
rename_over_a_file(const char *dir)
{
	unsigned char back[PAGE];
	struct stat a, b;
	int old_b;

	(void)dir;
	make_file("a", 3000);
	old_b = (int)UT_SYS(open("b", O_CREAT | O_RDWR, 0644));
	UT_EQ(write(old_b, "old", 3), 3);
	UT_SYS(stat("a", &a));
	UT_SYS(stat("b", &b));
	UT_SYS(rename("a", "b"));
	UT_ERR(access("a", F_OK), ENOENT);
	UT_SYS(stat("b", &b));
	UT_EQ(b.st_ino, a.st_ino);
	UT_EQ(b.st_nlink, 1);
	UT_EQ(slurp("b", back, sizeof(back)), 3000);
	CHECK_PAT(back, 0, 3000);
	/* The replaced file lives on in its descriptor, with no name. */
	UT_SYS(fstat(old_b, &a));
	UT_EQ(a.st_nlink, 0);
	UT_EQ(pread(old_b, back, sizeof(back), 0), 3);
	UT_ASSERT(memcmp(back, "old", 3) == 0);
	UT_SYS(close(old_b));
	/* rename to itself, or to another name of itself, does nothing. */
	UT_SYS(rename("b", "b"));
	UT_SYS(link("b", "c"));
	UT_SYS(rename("b", "c"));
	UT_SYS(stat("b", &a));
	UT_SYS(stat("c", &b));
	UT_EQ(a.st_ino, b.st_ino);
	UT_EQ(a.st_nlink, 2);
	UT_ERR(rename("missing", "x"), ENOENT);
}
UTEST(rename_over_a_file_replaces_it_in_one_step) { UT_EACH_FS(rename_over_a_file); }

static void
unlinked_open_file(const char *dir)
{
	static unsigned char back[2 * PAGE];
	struct stat st;
	int fd;

	(void)dir;
	make_file("f", PAGE);
	fd = (int)UT_SYS(open("f", O_RDWR));
	UT_SYS(unlink("f"));
	UT_ERR(stat("f", &st), ENOENT);
	UT_ERR(unlink("f"), ENOENT);
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_nlink, 0);
	UT_EQ(st.st_size, PAGE);
	UT_EQ(pread(fd, back, PAGE, 0), PAGE);
	CHECK_PAT(back, 0, PAGE);
	/* Still writable and growable; a new file of that name is another. */
	fill(back, PAGE, PAGE);
	UT_EQ(pwrite(fd, back, PAGE, PAGE), PAGE);
	UT_EQ(pread(fd, back, 2 * PAGE, 0), 2 * PAGE);
	CHECK_PAT(back, 0, 2 * PAGE);
	make_file("f", 10);
	UT_EQ(size_of("f"), 10);
	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_size, 2 * PAGE);
	UT_SYS(close(fd));
}
UTEST(unlinked_file_stays_readable_while_open) { UT_EACH_FS(unlinked_open_file); }

static void
link_counts(const char *dir)
{
	struct stat a, b;

	(void)dir;
	make_file("a", 100);
	UT_SYS(link("a", "b"));
	UT_SYS(stat("a", &a));
	UT_SYS(stat("b", &b));
	UT_EQ(a.st_ino, b.st_ino);
	UT_EQ(a.st_nlink, 2);
	UT_EQ(b.st_nlink, 2);
	UT_ERR(link("a", "b"), EEXIST);
	UT_ERR(link("missing", "c"), ENOENT);
	UT_SYS(mkdir("d", 0755));
	UT_ERR(link("d", "e"), EPERM);              /* no hard links to folders */
	UT_SYS(unlink("a"));
	UT_SYS(stat("b", &b));
	UT_EQ(b.st_nlink, 1);
	UT_EQ(size_of("b"), 100);
	/* A link in a subfolder counts the same. */
	UT_SYS(link("b", "d/b2"));
	UT_SYS(stat("b", &b));
	UT_EQ(b.st_nlink, 2);
	UT_ERR(rmdir("d"), ENOTEMPTY);
	UT_SYS(unlink("d/b2"));
	UT_SYS(rmdir("d"));
}
UTEST(hard_links_share_an_inode_and_count_in_nlink) { UT_EACH_FS(link_counts); }

/* ---- symbolic links ---- */

static void
symlinks_and_readlink(const char *dir)
{
	const char *target = "some/where/../file name";
	char buf[64], cwd[PATH_MAX];
	struct stat st;

	(void)dir;
	UT_SYS(symlink(target, "l"));
	memset(buf, '#', sizeof(buf));
	UT_EQ(readlink("l", buf, sizeof(buf)), strlen(target));
	UT_EQ(buf[strlen(target)], '#');            /* no NUL added */
	UT_ASSERT(memcmp(buf, target, strlen(target)) == 0);
	UT_EQ(readlink("l", buf, 4), 4);            /* truncated, silently */
	UT_ASSERT(memcmp(buf, "some", 4) == 0);
	UT_SYS(lstat("l", &st));
	UT_ASSERT(S_ISLNK(st.st_mode));
	UT_EQ(st.st_size, strlen(target));
	UT_ERR(stat("l", &st), ENOENT);              /* it dangles */
	make_file("t", 77);
	UT_SYS(symlink("t", "lt"));
	UT_SYS(stat("lt", &st));
	UT_ASSERT(S_ISREG(st.st_mode));
	UT_EQ(st.st_size, 77);
	UT_EQ(slurp("lt", buf, sizeof(buf)), sizeof(buf));
	UT_ERR(readlink("t", buf, sizeof(buf)), EINVAL);
	UT_ERR(readlink("missing", buf, sizeof(buf)), ENOENT);
	UT_ERR(open("lt", O_RDONLY | O_NOFOLLOW), ELOOP);
	UT_ERR(symlink("t", "lt"), EEXIST);
	/* A link to a folder works in the middle of a path. */
	UT_SYS(mkdir("d", 0755));
	make_file("d/inner", 5);
	UT_SYS(symlink("d", "ld"));
	UT_EQ(size_of("ld/inner"), 5);
	/* An absolute target. */
	UT_ASSERT(getcwd(cwd, sizeof(cwd) - 2) != NULL);
	strcat(cwd, "/t");
	UT_SYS(symlink(cwd, "abs"));
	UT_EQ(size_of("abs"), 77);
	/* unlink removes the link, not its target. */
	UT_SYS(unlink("lt"));
	UT_EQ(size_of("t"), 77);
}
UTEST(symlink_readlink_lstat_and_following)
{
	UT_EACH_FS(symlinks_and_readlink);
}

static void
symlink_loops(const char *dir)
{
	char from[16], to[16];
	struct stat st;

	(void)dir;
	UT_SYS(symlink("self", "self"));
	UT_ERR(stat("self", &st), ELOOP);
	UT_ERR(open("self", O_RDONLY), ELOOP);
	UT_SYS(symlink("b", "a"));
	UT_SYS(symlink("a", "b"));
	UT_ERR(stat("a", &st), ELOOP);
	UT_ERR(open("a/x", O_RDWR | O_CREAT, 0644), ELOOP);
	UT_SYS(lstat("a", &st));                    /* the link itself is fine */
	/* A chain: l1 -> l2 -> ... -> l40 -> file resolves (40 links);
	 * l0 -> l1 makes 41, one too many. */
	make_file("file", 3);
	for (int i = 0; i <= 40; i++) {
		snprintf(from, sizeof(from), "l%d", i);
		if (i == 40)
			snprintf(to, sizeof(to), "file");
		else
			snprintf(to, sizeof(to), "l%d", i + 1);
		UT_SYS(symlink(to, from));
	}
	UT_EQ(size_of("l1"), 3);
	UT_ERR(stat("l0", &st), ELOOP);
}
UTEST(symlink_loops_and_chains_past_40_are_eloop) { UT_EACH_FS(symlink_loops); }

/* ---- across file systems ---- */

UTEST(rename_and_link_across_file_systems_are_exdev)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat st;

	snprintf(a, sizeof(a), "%s/ut.files.x.%d", ut_fs_root(0), (int)getpid());
	snprintf(b, sizeof(b), "%s/ut.files.x.%d", ut_fs_root(1), (int)getpid());
	struct stat st2;

	if (stat(ut_fs_root(0), &st) != 0 || stat(ut_fs_root(1), &st2) != 0)
		UT_SKIP("needs both /tmp and /mnt");
	if (st.st_dev == st2.st_dev)
		UT_SKIP("the two places are one file system");
	UT_SYS(close((int)UT_SYS(open(a, O_CREAT | O_WRONLY, 0644))));
	errno = 0;
	int r = rename(a, b), e = errno;
	int l = link(a, b), le = errno;
	unlink(a);
	unlink(b);
	UT_EQ(r, -1);
	UT_EQ(e, EXDEV);
	UT_EQ(l, -1);
	UT_EQ(le, EXDEV);
}
