/*
 * tests/user/vfs_errors.c - the errors of the path and file-system calls,
 * with Linux's choice of errno for each.
 *
 * Two kinds of test.  The first only reads what the test programs ship
 * with (/tests/data, rows.txt, the directory itself), so it runs on any
 * root: missing names (ENOENT), a file in the middle of a path (ENOTDIR),
 * names and paths too long (ENAMETOOLONG), directories opened for
 * writing (EISDIR), bad descriptors (EBADF), bad pointers (EFAULT), bad
 * flags (EINVAL), getcwd's ERANGE.  The second needs a writable /tmp:
 * each test makes a scratch directory /tmp/vfs_errors.PID.N, works in
 * it and removes it; where /tmp cannot be written the test skips.  Those
 * cover what only changes can show: EEXIST, ENOTEMPTY, rename's EINVAL
 * (a directory into itself), ELOOP, and, on extra tmpfs mounts made by
 * the test (skipped where mount(2) is refused), EROFS, EXDEV, EBUSY and
 * ENOSPC.
 *
 * Calls whose musl wrapper would touch the user's buffer itself (stat
 * converts from statx) or that musl may not wrap (renameat2, statx,
 * faccessat2, getdents64) go through syscall().
 */
#include "utest.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

#define KERNEL_ADDR ((void *)0xffff800000000000UL)

static char data_dir[256], rows[256];

/* /tests/data and its rows.txt (ut_datafile's buffer is reused). */
static void
data_paths(void)
{
	snprintf(rows, sizeof(rows), "%s", ut_datafile("rows.txt"));
	snprintf(data_dir, sizeof(data_dir), "%s", rows);
	*strrchr(data_dir, '/') = '\0';
}

static long
sys_stat(const char *path, void *buf)
{
	return syscall(SYS_stat, path, buf);
}

/* ---- what any root shows ---- */

UTEST(missing_names_are_enoent)
{
	struct stat st;
	char path[300];

	data_paths();
	snprintf(path, sizeof(path), "%s/nope", data_dir);
	UT_ERR(open(path, O_RDONLY), ENOENT);
	UT_ERR(sys_stat(path, &st), ENOENT);
	UT_ERR(access(path, F_OK), ENOENT);
	UT_ERR(chdir(path), ENOENT);
	UT_ERR(truncate(path, 0), ENOENT);
	UT_ERR(open("", O_RDONLY), ENOENT);
	UT_ERR(sys_stat("", &st), ENOENT);
	snprintf(path, sizeof(path), "%s/nope/deeper", data_dir);
	UT_ERR(open(path, O_RDONLY), ENOENT);
}

UTEST(a_file_in_the_middle_is_enotdir)
{
	struct stat st;
	char path[300];

	data_paths();
	snprintf(path, sizeof(path), "%s/x", rows);
	UT_ERR(open(path, O_RDONLY), ENOTDIR);
	UT_ERR(sys_stat(path, &st), ENOTDIR);
	snprintf(path, sizeof(path), "%s/", rows);
	UT_ERR(open(path, O_RDONLY), ENOTDIR);
	UT_ERR(open(rows, O_RDONLY | O_DIRECTORY), ENOTDIR);
	UT_ERR(chdir(rows), ENOTDIR);
}

UTEST(a_file_as_dirfd_is_enotdir)
{
	int fd;

	data_paths();
	fd = (int)UT_SYS(open(rows, O_RDONLY));
	UT_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
	UT_ERR(mkdirat(fd, "x", 0777), ENOTDIR);
	UT_ERR(fchdir(fd), ENOTDIR);
	UT_SYS(close(fd));
}

UTEST(long_names_are_enametoolong)
{
	static char path[PATH_MAX + 16];
	struct stat st;
	size_t n;

	data_paths();
	n = (size_t)snprintf(path, sizeof(path), "%s/", data_dir);
	memset(path + n, 'a', NAME_MAX + 1);
	path[n + NAME_MAX + 1] = '\0';
	UT_ERR(open(path, O_RDONLY), ENAMETOOLONG);
	UT_ERR(sys_stat(path, &st), ENAMETOOLONG);
	memset(path, '/', PATH_MAX + 8);
	path[PATH_MAX + 8] = '\0';
	UT_ERR(open(path, O_RDONLY), ENAMETOOLONG);
	UT_ERR(chdir(path), ENAMETOOLONG);
}

UTEST(directories_opened_for_writing_are_eisdir)
{
	char buf[16];
	int fd;

	data_paths();
	UT_ERR(open(data_dir, O_WRONLY), EISDIR);
	UT_ERR(open(data_dir, O_RDWR), EISDIR);
	UT_ERR(open(data_dir, O_RDONLY | O_CREAT, 0644), EISDIR);
	fd = (int)UT_SYS(open(data_dir, O_RDONLY | O_DIRECTORY));
	UT_ERR(read(fd, buf, sizeof(buf)), EISDIR);
	UT_SYS(close(fd));
}

UTEST(bad_descriptors_are_ebadf)
{
	struct stat st;
	char buf[64];
	int fd;

	UT_ERR(syscall(SYS_fstat, -1, &st), EBADF);
	UT_ERR(syscall(SYS_fstat, 999, &st), EBADF);
	UT_ERR(syscall(SYS_getdents64, 999, buf, sizeof(buf)), EBADF);
	UT_ERR(fchdir(999), EBADF);
	UT_ERR(fsync(999), EBADF);
	UT_ERR(fdatasync(-1), EBADF);
	UT_ERR(fchmod(999, 0644), EBADF);
	UT_ERR(fchown(999, 0, 0), EBADF);
	UT_ERR(ftruncate(999, 0), EBADF);
	UT_ERR(openat(999, "relative", O_RDONLY), EBADF);
	UT_ERR(syscall(SYS_newfstatat, 999, "relative", &st, 0), EBADF);
	UT_ERR(syscall(SYS_newfstatat, 999, "", &st, AT_EMPTY_PATH), EBADF);
	/* An absolute path ignores dirfd. */
	fd = (int)UT_SYS(openat(999, "/", O_RDONLY | O_DIRECTORY));
	UT_SYS(close(fd));
	data_paths();
	fd = (int)UT_SYS(open(rows, O_RDONLY));
	UT_ERR(write(fd, "x", 1), EBADF);
	UT_ERR(pwrite(fd, "x", 1, 0), EBADF);
	UT_ERR(ftruncate(fd, 0), EINVAL);       /* not open for writing */
	UT_SYS(close(fd));
}

UTEST(bad_pointers_are_efault)
{
	struct stat st;
	char buf[64];
	int fd;

	data_paths();
	UT_ERR(open(NULL, O_RDONLY), EFAULT);
	UT_ERR(open(KERNEL_ADDR, O_RDONLY), EFAULT);
	UT_ERR(sys_stat(NULL, &st), EFAULT);
	UT_ERR(sys_stat(rows, NULL), EFAULT);
	UT_ERR(sys_stat(rows, KERNEL_ADDR), EFAULT);
	UT_ERR(syscall(SYS_lstat, rows, (void *)16), EFAULT);
	UT_ERR(syscall(SYS_access, NULL, F_OK), EFAULT);
	UT_ERR(syscall(SYS_mkdir, NULL, 0777), EFAULT);
	UT_ERR(syscall(SYS_unlink, NULL), EFAULT);
	UT_ERR(syscall(SYS_rename, NULL, "x"), EFAULT);
	UT_ERR(syscall(SYS_chdir, NULL), EFAULT);
	UT_ERR(syscall(SYS_readlink, NULL, buf, sizeof(buf)), EFAULT);
	UT_ERR(syscall(SYS_getcwd, NULL, 100), EFAULT);
	UT_ERR(syscall(SYS_getcwd, KERNEL_ADDR, 100), EFAULT);
	fd = (int)UT_SYS(open(data_dir, O_RDONLY | O_DIRECTORY));
	UT_ERR(syscall(SYS_getdents64, fd, NULL, 4096), EFAULT);
	UT_ERR(syscall(SYS_fstat, fd, NULL), EFAULT);
	UT_ERR(syscall(SYS_fstatfs, fd, NULL), EFAULT);
	UT_SYS(close(fd));
}

UTEST(bad_flags_are_einval)
{
	struct stat st;
	struct timespec ts[2] = { { 0, 1000000000 }, { 0, 0 } };
	char buf[512];

	data_paths();
	UT_ERR(syscall(SYS_newfstatat, AT_FDCWD, rows, &st, 0x80000), EINVAL);
	UT_ERR(syscall(SYS_unlinkat, AT_FDCWD, "/x", 0x4), EINVAL);
	UT_ERR(syscall(SYS_renameat2, AT_FDCWD, "/a", AT_FDCWD, "/b",
		       RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	UT_ERR(syscall(SYS_statx, AT_FDCWD, rows, 0, 0x80000000U, buf), EINVAL);
	UT_ERR(syscall(SYS_linkat, AT_FDCWD, rows, AT_FDCWD, "/x", 0x8), EINVAL);
	UT_ERR(syscall(SYS_access, rows, 8), EINVAL);
	UT_ERR(syscall(SYS_faccessat2, AT_FDCWD, rows, F_OK, 0x1), EINVAL);
	UT_ERR(utimensat(AT_FDCWD, rows, ts, 0), EINVAL);
	UT_ERR(syscall(SYS_utimensat, AT_FDCWD, rows, NULL, 0x4), EINVAL);
	UT_ERR(syscall(SYS_readlink, rows, buf, 0), EINVAL);
	UT_ERR(syscall(SYS_umount2, "/", 0x100), EINVAL);
}

UTEST(readlink_of_a_non_link_is_einval)
{
	char buf[64];

	data_paths();
	UT_ERR(readlink(rows, buf, sizeof(buf)), EINVAL);
	UT_ERR(readlink(data_dir, buf, sizeof(buf)), EINVAL);
}

UTEST(getcwd_needs_room_for_the_path_and_nul)
{
	char buf[300];

	data_paths();
	UT_SYS(chdir(data_dir));
	UT_EQ(syscall(SYS_getcwd, buf, sizeof(buf)), (long)strlen(data_dir) + 1);
	UT_ASSERT(strcmp(buf, data_dir) == 0);
	UT_ERR(syscall(SYS_getcwd, buf, strlen(data_dir)), ERANGE);
	UT_ERR(syscall(SYS_getcwd, buf, 0), ERANGE);
	UT_SYS(chdir("/"));
	UT_EQ(syscall(SYS_getcwd, buf, 2), 2);
	UT_ASSERT(strcmp(buf, "/") == 0);
}

UTEST(access_checks_exec_bits)
{
	data_paths();
	UT_SYS(access(rows, R_OK | W_OK) == 0 || errno == EROFS ? 0 : -1);
	UT_ERR(access(rows, X_OK), EACCES);     /* mode 0644 */
	UT_SYS(access(data_dir, X_OK));         /* directories: searchable */
	UT_SYS(access(ut_datafile("not-elf"), X_OK));
}

UTEST(getdents_of_a_file_is_enotdir_and_of_a_tiny_buffer_einval)
{
	char buf[512];
	int fd;

	data_paths();
	fd = (int)UT_SYS(open(rows, O_RDONLY));
	UT_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open(data_dir, O_RDONLY | O_DIRECTORY));
	UT_ERR(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	UT_SYS(close(fd));
}

UTEST(lseek_bad_whence_and_negative_offsets_are_einval)
{
	int fd;

	data_paths();
	fd = (int)UT_SYS(open(rows, O_RDONLY));
	UT_ERR(lseek(fd, 0, 7), EINVAL);
	UT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	UT_ERR(lseek(fd, -20000, SEEK_END), EINVAL);
	UT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	UT_ERR(lseek(fd, 14000, SEEK_DATA), ENXIO);
	UT_ERR(lseek(fd, 20000, SEEK_HOLE), ENXIO);
	UT_EQ(lseek(fd, 100, SEEK_DATA), 100);
	UT_EQ(lseek(fd, 100, SEEK_HOLE), 14000);
	UT_ERR(pread(fd, (char[4]){ 0 }, 4, -1), EINVAL);
	UT_SYS(close(fd));
}

/* ---- what needs a writable /tmp ---- */

static char scratch_dir[128];

/* A fresh scratch directory (and the cwd), or the test skips. */
static const char *
scratch(void)
{
	static int n;

	if (mkdir("/tmp", 01777) != 0 && errno != EEXIST)
		UT_SKIP("no /tmp: the root is not writable");
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/vfs_errors.%d.%d",
		 (int)getpid(), n++);
	if (mkdir(scratch_dir, 0777) != 0) {
		if (errno == EROFS || errno == ENOSPC || errno == EPERM)
			UT_SKIP("/tmp is not writable");
		ut_fail(__FILE__, __LINE__, "mkdir %s: %s", scratch_dir,
			ut_errname(errno));
	}
	UT_SYS(chdir(scratch_dir));
	return scratch_dir;
}

/* Remove path and everything under it (not following symlinks). */
static void
rm_rf(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[512];
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		UT_SYS(unlink(path));
		return;
	}
	UT_ASSERT((d = opendir(path)) != NULL);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	UT_SYS(rmdir(path));
}

static void
scratch_done(void)
{
	UT_SYS(chdir("/"));
	rm_rf(scratch_dir);
}

static void
touch(const char *path)
{
	UT_SYS(close((int)UT_SYS(open(path, O_CREAT | O_WRONLY, 0644))));
}

UTEST(existing_names_are_eexist)
{
	scratch();
	touch("f");
	UT_SYS(mkdir("d", 0777));
	UT_ERR(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	UT_ERR(open("d", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
	UT_ERR(mkdir("f", 0777), EEXIST);
	UT_ERR(mkdir("d", 0777), EEXIST);
	UT_ERR(mkdir(".", 0777), EEXIST);
	UT_ERR(mkdir("/", 0777), EEXIST);
	UT_ERR(link("f", "d"), EEXIST);
	UT_ERR(symlink("anything", "f"), EEXIST);
	UT_SYS(symlink("dangling", "l"));
	UT_ERR(open("l", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	UT_ERR(syscall(SYS_renameat2, AT_FDCWD, "f", AT_FDCWD, "d",
		       RENAME_NOREPLACE), EEXIST);
	scratch_done();
}

UTEST(removing_the_wrong_kind_is_eisdir_or_enotdir)
{
	scratch();
	touch("f");
	UT_SYS(mkdir("d", 0777));
	UT_ERR(unlink("d"), EISDIR);
	UT_ERR(unlink("d/"), EISDIR);
	UT_ERR(unlink("f/"), ENOTDIR);
	UT_ERR(rmdir("f"), ENOTDIR);
	UT_ERR(unlinkat(AT_FDCWD, "f", AT_REMOVEDIR), ENOTDIR);
	UT_ERR(unlink("missing"), ENOENT);
	UT_ERR(rmdir("missing"), ENOENT);
	UT_SYS(rmdir("d/"));                    /* a trailing slash is fine */
	UT_SYS(unlink("f"));
	scratch_done();
}

UTEST(rmdir_of_dots_and_full_directories)
{
	scratch();
	UT_SYS(mkdir("d", 0777));
	touch("d/f");
	UT_ERR(rmdir("d"), ENOTEMPTY);
	UT_ERR(rmdir("d/."), EINVAL);
	UT_ERR(rmdir("d/.."), ENOTEMPTY);
	UT_ERR(rmdir("."), EINVAL);
	UT_ERR(rmdir("/"), EBUSY);
	UT_ERR(unlink("."), EISDIR);
	scratch_done();
}

UTEST(rename_errors)
{
	struct stat a, b;

	scratch();
	touch("f");
	touch("g");
	UT_SYS(mkdir("d", 0777));
	UT_SYS(mkdir("d/sub", 0777));
	UT_SYS(mkdir("e", 0777));
	touch("e/x");
	UT_SYS(mkdir("empty", 0777));
	UT_ERR(rename("d", "d/sub/inside"), EINVAL);    /* into itself */
	UT_ERR(rename("d", "d/inside"), EINVAL);
	UT_ERR(rename("d", "e"), ENOTEMPTY);
	UT_ERR(rename("d", "f"), ENOTDIR);
	UT_ERR(rename("f", "d"), EISDIR);
	UT_ERR(rename("missing", "z"), ENOENT);
	UT_ERR(rename("f", "nodir/z"), ENOENT);
	UT_ERR(rename("f", "g/z"), ENOTDIR);
	UT_ERR(rename("f/", "z"), ENOTDIR);
	UT_ERR(rename("f", "z/"), ENOTDIR);
	UT_ERR(rename("d/sub", "d/sub/.."), EBUSY);
	UT_ERR(rename(".", "z"), EBUSY);
	UT_SYS(rename("f", "f"));               /* itself: nothing happens */
	UT_SYS(link("f", "f2"));
	UT_SYS(rename("f", "f2"));              /* the same file: both stay */
	UT_SYS(lstat("f", &a));
	UT_SYS(lstat("f2", &b));
	UT_EQ(a.st_ino, b.st_ino);
	UT_SYS(rename("d", "empty"));           /* over an empty directory */
	UT_ERR(lstat("d", &a), ENOENT);
	UT_SYS(rename("f", "g"));
	UT_ERR(lstat("f", &a), ENOENT);
	scratch_done();
}

UTEST(symlink_loops_are_eloop)
{
	struct stat st;

	scratch();
	UT_SYS(symlink("b", "a"));
	UT_SYS(symlink("a", "b"));
	UT_SYS(symlink("self", "self"));
	UT_ERR(open("a", O_RDONLY), ELOOP);
	UT_ERR(sys_stat("a", &st), ELOOP);
	UT_ERR(sys_stat("self/x", &st), ELOOP);
	UT_ERR(chdir("a"), ELOOP);
	UT_ERR(access("a", F_OK), ELOOP);
	UT_SYS(lstat("a", &st));
	UT_ASSERT(S_ISLNK(st.st_mode));
	touch("f");
	UT_SYS(symlink("f", "lf"));
	UT_ERR(open("lf", O_RDONLY | O_NOFOLLOW), ELOOP);
	UT_ERR(open("lf", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	scratch_done();
}

UTEST(link_of_a_directory_is_eperm)
{
	scratch();
	UT_SYS(mkdir("d", 0777));
	UT_ERR(link("d", "d2"), EPERM);
	UT_ERR(link("missing", "x"), ENOENT);
	touch("f");
	UT_ERR(link("f", "nodir/x"), ENOENT);
	UT_ERR(link("f", "newname/"), ENOENT);
	scratch_done();
}

UTEST(create_with_a_trailing_slash_is_eisdir)
{
	scratch();
	UT_ERR(open("new/", O_CREAT | O_WRONLY, 0644), EISDIR);
	UT_ERR(open(".", O_CREAT | O_RDONLY, 0644), EISDIR);
	UT_ERR(open("nodir/new", O_CREAT | O_WRONLY, 0644), ENOENT);
	UT_SYS(mkdir("d/", 0777));              /* mkdir takes one */
	scratch_done();
}

UTEST(truncate_errors)
{
	int fd;

	scratch();
	UT_SYS(mkdir("d", 0777));
	fd = (int)UT_SYS(open("f", O_CREAT | O_RDWR, 0644));
	UT_ERR(ftruncate(fd, -1), EINVAL);
	UT_ERR(truncate("f", -1), EINVAL);
	UT_ERR(truncate("d", 0), EISDIR);
	UT_ERR(pwrite(fd, "x", 1, -1), EINVAL);
	UT_SYS(close(fd));
	scratch_done();
}

UTEST(getcwd_of_a_removed_directory_is_enoent)
{
	char buf[256];

	scratch();
	UT_SYS(mkdir("gone", 0777));
	UT_SYS(chdir("gone"));
	UT_SYS(rmdir("../gone"));
	UT_ERR(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	UT_ERR(open("new", O_CREAT | O_WRONLY, 0644), ENOENT);
	UT_ERR(mkdir("new", 0777), ENOENT);
	scratch_done();
}

/* A tmpfs mounted at path with opts, or the test skips. */
static void
mount_tmpfs(const char *path, unsigned long flags, const char *opts)
{
	UT_SYS(mkdir(path, 0777));
	if (mount("none", path, "tmpfs", flags, opts) != 0) {
		if (errno == EPERM || errno == ENODEV)
			UT_SKIP("no tmpfs to mount");
		ut_fail(__FILE__, __LINE__, "mount tmpfs on %s: %s", path,
			ut_errname(errno));
	}
}

UTEST(read_only_mount_is_erofs)
{
	int fd;

	scratch();
	mount_tmpfs("ro", MS_RDONLY, NULL);
	UT_ERR(mkdir("ro/d", 0777), EROFS);
	UT_ERR(open("ro/f", O_CREAT | O_WRONLY, 0644), EROFS);
	UT_ERR(symlink("x", "ro/l"), EROFS);
	UT_ERR(unlink("ro/missing"), EROFS);
	UT_ERR(rmdir("ro/missing"), EROFS);
	UT_ERR(access("ro", W_OK), EROFS);
	UT_ERR(mkdir("ro/.", 0777), EEXIST);    /* EEXIST before EROFS */
	UT_ERR(chmod("ro", 0700), EROFS);
	fd = (int)UT_SYS(open("ro", O_RDONLY | O_DIRECTORY));
	UT_ERR(fchmod(fd, 0700), EROFS);
	UT_SYS(close(fd));
	UT_SYS(umount2("ro", 0));
	scratch_done();
}

UTEST(across_mounts_is_exdev_and_a_mount_point_is_ebusy)
{
	scratch();
	mount_tmpfs("m", 0, NULL);
	touch("f");
	UT_SYS(mkdir("d", 0777));
	UT_ERR(rename("f", "m/f"), EXDEV);
	UT_ERR(link("f", "m/f"), EXDEV);
	UT_ERR(rename("d", "m/d"), EXDEV);
	UT_ERR(rmdir("m"), EBUSY);
	UT_ERR(rename("m", "m2"), EBUSY);
	UT_ERR(umount2("d", 0), EINVAL);        /* not a mount point */
	UT_ERR(umount2("missing", 0), ENOENT);
	UT_SYS(umount2("m", 0));
	scratch_done();
}

UTEST(a_full_file_system_is_enospc)
{
	static char buf[4096];
	long n = 0, total = 0;
	int fd;

	scratch();
	mount_tmpfs("small", 0, "size=64k");
	fd = (int)UT_SYS(open("small/f", O_CREAT | O_WRONLY, 0644));
	memset(buf, 'x', sizeof(buf));
	while (total < (1L << 20) && (n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	UT_EQ(n, -1);
	UT_EQ(errno, ENOSPC);
	UT_ASSERT(total <= 64 * 1024);
	UT_SYS(close(fd));
	UT_SYS(umount2("small", 0));
	scratch_done();
}
