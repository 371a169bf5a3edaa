/*
 * tests/user/tmpfs.c - tmpfs as programs see it, the same on Linux:
 * /tmp and /dev/shm are tmpfs; a tmpfs mounted with size= fills up to
 * exactly its size and then says ENOSPC (write) or SIGBUS (a store
 * through a mapping into a hole), and statfs counts it; nr_inodes limits
 * the files; memfd_create gives a file that mmap shares across fork; a
 * /dev/shm file (shm_open) is shared by two processes that open it each;
 * truncating a mapped file makes the pages past the end SIGBUS.
 *
 * Each mount test makes /tmp/tmpfs.PID.N, mounts a small tmpfs on it,
 * and unmounts and removes it at the end; where mount(2) is refused
 * (not root) the test skips.
 */
#include "utest.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#define MFD_ALLOW_SEALING 2U
#endif

static char mnt[128];

/* A small tmpfs with opts on a fresh directory under /tmp, or a skip. */
static const char *
mount_small(const char *opts)
{
	static int n;

	snprintf(mnt, sizeof(mnt), "/tmp/tmpfs.%d.%d", getpid(), n++);
	UT_SYS(mkdir(mnt, 0755));
	if (mount("tmpfs", mnt, "tmpfs", 0, opts) != 0) {
		int e = errno;
		rmdir(mnt);
		if (e == EPERM)
			UT_SKIP("mount(2) refused (not root)");
		ut_fail(__FILE__, __LINE__, "mount tmpfs on %s (%s): %s", mnt,
		    opts, ut_errname(e));
	}
	return mnt;
}

static void
unmount_small(void)
{
	UT_SYS(umount2(mnt, 0));
	UT_SYS(rmdir(mnt));
}

static int
memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

UTEST(tmp_and_dev_shm_are_tmpfs)
{
	struct statfs st;

	UT_SYS(statfs("/tmp", &st));
	UT_EQ(st.f_type, TMPFS_MAGIC);
	UT_SYS(statfs("/dev/shm", &st));
	UT_EQ(st.f_type, TMPFS_MAGIC);
	UT_EQ(st.f_bsize, PAGE);
}

UTEST(a_small_mount_fills_to_its_size_then_enospc)
{
	static char page[PAGE];
	char path[160];
	struct statfs st;
	long written = 0;
	int fd;

	mount_small("size=64k,mode=0755");
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_type, TMPFS_MAGIC);
	UT_EQ(st.f_blocks, 16);
	UT_EQ(st.f_bfree, 16);
	UT_EQ(st.f_namelen, 255);
	snprintf(path, sizeof(path), "%s/fill", mnt);
	fd = (int)UT_SYS(open(path, O_CREAT | O_RDWR, 0644));
	memset(page, 'f', sizeof(page));
	for (int i = 0; i < 32; i++) {
		ssize_t r = write(fd, page, sizeof(page));
		if (r < 0) {
			UT_EQ(errno, ENOSPC);
			break;
		}
		written += r;
	}
	UT_EQ(written, 16 * PAGE);
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 0);
	UT_EQ(st.f_bavail, 0);
	/* A failed write left the size alone; overwriting needs no room. */
	struct stat sb;
	UT_SYS(fstat(fd, &sb));
	UT_EQ(sb.st_size, 16 * PAGE);
	UT_EQ(sb.st_blocks, 16 * PAGE / 512);
	UT_EQ(pwrite(fd, page, 100, 5000), 100);
	/* Growing with ftruncate makes a hole: no room needed. */
	UT_SYS(ftruncate(fd, 1 << 20));
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 0);
	UT_SYS(ftruncate(fd, 4 * PAGE));
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 12);
	UT_SYS(close(fd));
	UT_SYS(unlink(path));
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 16);
	unmount_small();
}

UTEST(nr_inodes_limits_the_files)
{
	char path[160];
	struct statfs st;
	int made = 0;

	mount_small("size=1m,nr_inodes=10");
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_blocks, 256);
	UT_EQ(st.f_files, 10);
	UT_EQ(st.f_ffree, 9);           /* the root is one */
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "%s/f%d", mnt, i);
		int fd = open(path, O_CREAT | O_RDWR, 0644);
		if (fd < 0) {
			UT_EQ(errno, ENOSPC);
			break;
		}
		close(fd);
		made++;
	}
	UT_EQ(made, 9);
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_ffree, 0);
	snprintf(path, sizeof(path), "%s/d", mnt);
	UT_ERR(mkdir(path, 0755), ENOSPC);
	for (int i = 0; i < made; i++) {
		snprintf(path, sizeof(path), "%s/f%d", mnt, i);
		UT_SYS(unlink(path));
	}
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_ffree, 9);
	unmount_small();
}

UTEST(a_store_through_a_mapping_past_the_size_is_sigbus)
{
	char path[160];
	struct ut_fault f;
	struct statfs st;
	char *p;
	int fd;

	mount_small("size=8k");
	snprintf(path, sizeof(path), "%s/m", mnt);
	fd = (int)UT_SYS(open(path, O_CREAT | O_RDWR, 0644));
	UT_SYS(ftruncate(fd, 4 * PAGE));
	p = mmap(NULL, 4 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	p[0] = 1;
	p[PAGE] = 2;
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 0);
	UT_EQ(ut_probe_write(p + 2 * PAGE, 3, &f), SIGBUS);
	UT_SYS(statfs(mnt, &st));
	UT_EQ(st.f_bfree, 0);
	UT_SYS(munmap(p, 4 * PAGE));
	UT_SYS(close(fd));
	UT_SYS(unlink(path));
	unmount_small();
}

UTEST(memfd_is_an_unnamed_file_shared_across_fork)
{
	struct stat st;
	char buf[8];
	char *p;
	int fd, status;
	pid_t pid;

	fd = memfd("utest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	UT_ASSERT(fd >= 0);
	UT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	UT_SYS(fstat(fd, &st));
	UT_ASSERT(S_ISREG(st.st_mode));
	UT_EQ(st.st_nlink, 0);
	UT_EQ(st.st_size, 0);
	UT_SYS(ftruncate(fd, 2 * PAGE));
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		strcpy(p + PAGE, "child");
		_exit(0);
	}
	UT_SYS(waitpid(pid, &status, 0));
	UT_EQ(status, 0);
	UT_EQ(strcmp(p + PAGE, "child"), 0);
	/* read() sees what the child stored: one copy of the data. */
	UT_EQ(pread(fd, buf, 6, PAGE), 6);
	UT_EQ(strcmp(buf, "child"), 0);
	UT_SYS(munmap(p, 2 * PAGE));
	UT_SYS(close(fd));
	UT_ERR(memfd("x", 0x100), EINVAL);
}

UTEST(a_dev_shm_file_is_shared_by_two_processes)
{
	char name[64];
	char *p;
	int fd, status;
	pid_t pid;

	snprintf(name, sizeof(name), "/utest-tmpfs.%d", getpid());
	fd = (int)UT_SYS(shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
	UT_SYS(ftruncate(fd, PAGE));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		/* The child opens the name itself: a second open file. */
		close(fd);
		int cfd = shm_open(name, O_RDWR, 0);
		if (cfd < 0)
			_exit(10);
		char *c = mmap(NULL, PAGE, RW, MAP_SHARED, cfd, 0);
		if (c == MAP_FAILED)
			_exit(11);
		strcpy(c, "from the child");
		_exit(0);
	}
	UT_SYS(waitpid(pid, &status, 0));
	UT_EQ(status, 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_EQ(strcmp(p, "from the child"), 0);
	UT_SYS(munmap(p, PAGE));
	UT_SYS(close(fd));
	UT_SYS(shm_unlink(name));
	UT_ERR(shm_open(name, O_RDWR, 0), ENOENT);
}

UTEST(truncate_under_a_mapping_makes_the_end_sigbus)
{
	struct ut_fault f;
	char *p;
	int fd;

	fd = memfd("trunc", 0);
	UT_ASSERT(fd >= 0);
	UT_SYS(ftruncate(fd, 3 * PAGE));
	p = mmap(NULL, 3 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	memset(p, 'x', 3 * PAGE);
	UT_SYS(ftruncate(fd, PAGE + 100));
	UT_EQ(p[PAGE + 99], 'x');
	UT_EQ(p[PAGE + 100], 0);        /* the rest of the last page: zeros */
	UT_EQ(ut_probe_read(p + 2 * PAGE, &f), SIGBUS);
	UT_EQ(f.code, BUS_ADRERR);
	UT_ASSERT(f.addr == p + 2 * PAGE);
	UT_EQ(ut_probe_write(p + 2 * PAGE + 5, 1, &f), SIGBUS);
	/* Grown again: a hole, reading zeros. */
	UT_SYS(ftruncate(fd, 3 * PAGE));
	UT_EQ(ut_probe_read(p + 2 * PAGE, &f), 0);
	UT_EQ(p[2 * PAGE], 0);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

UTEST(write_and_mmap_see_one_copy_in_tmp)
{
	char path[64], buf[16];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/tmp/tmpfs-coherent.%d", getpid());
	fd = (int)UT_SYS(open(path, O_CREAT | O_EXCL | O_RDWR, 0600));
	UT_EQ(pwrite(fd, "written", 8, 4000), 8);
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_EQ(strcmp(p + 4000, "written"), 0);
	strcpy(p + 10, "stored");
	UT_EQ(pread(fd, buf, 7, 10), 7);
	UT_EQ(strcmp(buf, "stored"), 0);
	UT_SYS(munmap(p, 2 * PAGE));
	/* Unlinked while open: still readable through the descriptor. */
	UT_SYS(unlink(path));
	UT_EQ(pread(fd, buf, 8, 4000), 8);
	UT_EQ(strcmp(buf, "written"), 0);
	UT_SYS(close(fd));
}
