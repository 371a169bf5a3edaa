/*
 * tests/user/dirs.c - folders: mkdir and rmdir, listing with getdents64,
 * the working directory, and renaming folders.
 *
 * Each test runs on /tmp (tmpfs) and on /mnt (ext2) in a fresh folder of
 * its own (UT_EACH_FS, utest.h).  What they hold uvmkern to, as Linux
 * does it:
 *
 *   - a folder's link count is 2 plus one per subfolder (its name, its
 *     ".", and each child's "..");
 *   - getdents64 lists each name exactly once, "." and ".." included,
 *     over as many calls as the buffer needs, even while other names are
 *     created and removed between calls (those may show or not, but at
 *     most once); a d_off handed back to lseek resumes the listing there;
 *   - rename moves a folder with everything in it and re-points its ".."
 *     (link counts of both parents follow); moving a folder into itself
 *     is EINVAL;
 *   - the working directory is a folder, not a path: getcwd follows it
 *     through renames, and fails with ENOENT once it is removed.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct dent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long
list_dir(int fd, void *buf, size_t n)
{
	return syscall(SYS_getdents64, fd, buf, n);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static long
rename2(const char *from, const char *to, unsigned flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static nlink_t
nlink_of(const char *path)
{
	struct stat st;

	UT_SYS(lstat(path, &st));
	return st.st_nlink;
}

static ino_t
ino_of(const char *path)
{
	struct stat st;

	UT_SYS(lstat(path, &st));
	return st.st_ino;
}

static void
touch(const char *path)
{
	UT_SYS(close((int)UT_SYS(open(path, O_CREAT | O_WRONLY, 0644))));
}

/* ---- mkdir, rmdir ---- */

static void
mkdir_rmdir_link_counts(const char *dir)
{
	struct stat st;

	(void)dir;
	umask(022);
	UT_EQ(nlink_of("."), 2);
	UT_SYS(mkdir("d", 0777));
	UT_SYS(stat("d", &st));
	UT_EQ(st.st_mode, S_IFDIR | 0755);
	UT_EQ(st.st_nlink, 2);
	UT_EQ(nlink_of("."), 3);                    /* d's ".." */
	UT_SYS(mkdir("d/e", 0700));
	UT_SYS(stat("d/e", &st));
	UT_EQ(st.st_mode, S_IFDIR | 0700);
	UT_EQ(nlink_of("d"), 3);
	UT_EQ(ino_of("d/e/.."), ino_of("d"));
	UT_EQ(ino_of("d/."), ino_of("d"));
	touch("d/f");                               /* files add no link */
	UT_EQ(nlink_of("d"), 3);
	UT_SYS(mkdir("s", 01777));                  /* the sticky bit stays */
	UT_SYS(stat("s", &st));
	UT_EQ(st.st_mode, S_IFDIR | 01755);
	UT_SYS(rmdir("s"));
	UT_SYS(rmdir("d/e"));
	UT_EQ(nlink_of("d"), 2);
	UT_SYS(unlink("d/f"));
	UT_SYS(rmdir("d"));
	UT_ERR(stat("d", &st), ENOENT);
	UT_EQ(nlink_of("."), 2);
}
UTEST(mkdir_and_rmdir_keep_the_link_counts) { UT_EACH_FS(mkdir_rmdir_link_counts); }

static void
mkdir_rmdir_errors(const char *dir)
{
	(void)dir;
	UT_SYS(mkdir("d", 0755));
	touch("d/f");
	touch("f");
	UT_SYS(symlink("d", "ld"));
	UT_ERR(mkdir("d", 0755), EEXIST);
	UT_ERR(mkdir("f", 0755), EEXIST);
	UT_ERR(mkdir("ld", 0755), EEXIST);
	UT_ERR(mkdir("missing/x", 0755), ENOENT);
	UT_ERR(mkdir("f/x", 0755), ENOTDIR);
	UT_ERR(rmdir("d"), ENOTEMPTY);
	UT_ERR(rmdir("f"), ENOTDIR);
	UT_ERR(rmdir("ld"), ENOTDIR);               /* not followed */
	UT_ERR(rmdir("missing"), ENOENT);
	UT_ERR(rmdir("d/."), EINVAL);
	UT_ERR(rmdir("d/.."), ENOTEMPTY);
	UT_ERR(unlink("d"), EISDIR);                /* Linux's errno for it */
	char name[300];
	memset(name, 'n', sizeof(name));
	name[256] = '\0';
	UT_ERR(mkdir(name, 0755), ENAMETOOLONG);
	static char longpath[PATH_MAX + 10];
	for (size_t i = 0; i + 2 < sizeof(longpath); i += 2)
		memcpy(longpath + i, "./", 2);
	longpath[sizeof(longpath) - 2] = 'x';
	longpath[sizeof(longpath) - 1] = '\0';
	UT_ERR(mkdir(longpath, 0755), ENAMETOOLONG);
	UT_SYS(mkdir("./d/../e/", 0755));           /* dots and a trailing slash */
	UT_SYS(rmdir("e/"));
	UT_ERR(rmdir("f/"), ENOTDIR);
	/* What failed changed nothing. */
	UT_EQ(nlink_of("d"), 2);
	UT_EQ(nlink_of("."), 3);
}
UTEST(mkdir_rmdir_unlink_errors) { UT_EACH_FS(mkdir_rmdir_errors); }

static void
at_calls(const char *dir)
{
	struct stat st;
	int dfd;

	(void)dir;
	UT_SYS(mkdir("d", 0755));
	dfd = (int)UT_SYS(open("d", O_RDONLY | O_DIRECTORY));
	UT_SYS(mkdirat(dfd, "sub", 0755));
	UT_SYS(close((int)UT_SYS(openat(dfd, "sub/f", O_CREAT | O_WRONLY, 0644))));
	UT_SYS(symlinkat("sub/f", dfd, "l"));
	UT_SYS(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW));
	UT_ASSERT(S_ISLNK(st.st_mode));
	UT_SYS(fstatat(dfd, "l", &st, 0));
	UT_ASSERT(S_ISREG(st.st_mode));
	UT_ERR(unlinkat(dfd, "sub", 0), EISDIR);
	UT_ERR(unlinkat(dfd, "sub/f", AT_REMOVEDIR), ENOTDIR);
	UT_ERR(unlinkat(dfd, "sub", AT_REMOVEDIR), ENOTEMPTY);
	UT_SYS(unlinkat(dfd, "sub/f", 0));
	UT_SYS(unlinkat(dfd, "sub", AT_REMOVEDIR));
	UT_SYS(unlinkat(dfd, "l", 0));
	/* A file descriptor that is no folder: ENOTDIR; a bad one: EBADF. */
	touch("f");
	int ffd = (int)UT_SYS(open("f", O_RDONLY));
	UT_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
	UT_ERR(openat(9999, "x", O_RDONLY), EBADF);
	UT_SYS(close(ffd));
	/* read() on a folder is EISDIR. */
	char c;
	UT_ERR(read(dfd, &c, 1), EISDIR);
	UT_SYS(close(dfd));
	UT_SYS(rmdir("d"));
}
UTEST(at_calls_work_relative_to_a_folder_descriptor) { UT_EACH_FS(at_calls); }

/* ---- listing ---- */

#define NFILES 300
#define NAMELEN 100       /* long names: the folder spans many blocks */

/* Name number i: "f<i>" padded with its own digits to NAMELEN. */
static void
long_name(char *buf, const char *prefix, int i)
{
	int n = snprintf(buf, NAMELEN + 1, "%s%03d-", prefix, i);

	for (; n < NAMELEN; n++)
		buf[n] = (char)('a' + (i + n) % 26);
	buf[NAMELEN] = '\0';
}

/*
 * Which of the names the listing has shown, and how often.  gone_ok: a
 * name removed while the directory was being read may still be listed
 * (POSIX leaves it unspecified; Linux's ext4 driver lists it from the
 * names it cached when the directory is hashed, as an image made with
 * dir_index is), so it need not exist any more.
 */
struct seen {
	int files[NFILES], news[NFILES];
	int dot, dotdot, other;
	bool gone_ok;
};

/* d names an existing file with d's inode (or, with gone_ok, none). */
static void
check_ino(const struct seen *s, const struct dent64 *d)
{
	struct stat st;

	if (lstat(d->d_name, &st) != 0 && s->gone_ok && errno == ENOENT)
		return;
	UT_EQ(d->d_ino, ino_of(d->d_name));
}

static void
count_name(struct seen *s, const struct dent64 *d)
{
	char want[NAMELEN + 1];
	int i;

	if (strcmp(d->d_name, ".") == 0) {
		s->dot++;
		UT_EQ(d->d_type, DT_DIR);
		UT_EQ(d->d_ino, ino_of("."));
		return;
	}
	if (strcmp(d->d_name, "..") == 0) {
		s->dotdot++;
		UT_EQ(d->d_type, DT_DIR);
		return;
	}
	if ((d->d_name[0] == 'f' || d->d_name[0] == 'n') &&
	    sscanf(d->d_name + 1, "%3d-", &i) == 1 && i >= 0 && i < NFILES) {
		long_name(want, d->d_name[0] == 'f' ? "f" : "n", i);
		if (strcmp(want, d->d_name) == 0) {
			(d->d_name[0] == 'f' ? s->files : s->news)[i]++;
			UT_EQ(d->d_type, DT_REG);
			check_ino(s, d);
			return;
		}
	}
	ut_fail(__FILE__, __LINE__, "listing shows a name never made: \"%s\"",
		d->d_name);
}

/* Reads one buffer's worth (n bytes) into s; the bytes getdents64 gave. */
static long
list_some(int fd, struct seen *s, size_t n)
{
	static char buf[8192] __attribute__((aligned(8)));
	long got = UT_SYS(list_dir(fd, buf, n));

	for (long off = 0; off < got;) {
		struct dent64 *d = (struct dent64 *)(buf + off);
		UT_ASSERT(d->d_reclen > 0 && off + d->d_reclen <= got);
		count_name(s, d);
		off += d->d_reclen;
	}
	return got;
}

static void
make_names(const char *prefix, int from, int to)
{
	char name[NAMELEN + 1];

	for (int i = from; i < to; i++) {
		long_name(name, prefix, i);
		touch(name);
	}
}

static void
listing_each_name_once(const char *dir)
{
	struct seen s;
	int fd;

	(void)dir;
	make_names("f", 0, NFILES);
	memset(&s, 0, sizeof(s));
	fd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	int calls = 0;
	while (list_some(fd, &s, 512) > 0)          /* a few names a call */
		calls++;
	UT_ASSERT(calls >= NFILES / 5);
	UT_EQ(s.dot, 1);
	UT_EQ(s.dotdot, 1);
	for (int i = 0; i < NFILES; i++)
		if (s.files[i] != 1)
			ut_fail(__FILE__, __LINE__, "name f%03d listed %d times", i,
				s.files[i]);
	/* Again after a rewind, in big reads. */
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	memset(&s, 0, sizeof(s));
	while (list_some(fd, &s, 8192) > 0)
		;
	for (int i = 0; i < NFILES; i++)
		UT_EQ(s.files[i], 1);
	UT_EQ(s.dot + s.dotdot, 2);
	/* A buffer too small for one entry is EINVAL. */
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	char tiny[8];
	UT_ERR(list_dir(fd, tiny, sizeof(tiny)), EINVAL);
	UT_SYS(close(fd));
	fd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	touch("plain");
	int ffd = (int)UT_SYS(open("plain", O_RDONLY));
	UT_ERR(list_dir(ffd, tiny, sizeof(tiny)), ENOTDIR);
	UT_SYS(close(ffd));
	UT_SYS(close(fd));
}
UTEST(getdents64_lists_every_name_exactly_once) { UT_EACH_FS(listing_each_name_once); }

static void
listing_under_changes(const char *dir)
{
	char name[NAMELEN + 1];
	struct seen s;
	int fd;

	(void)dir;
	make_names("f", 0, NFILES);
	memset(&s, 0, sizeof(s));
	fd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	UT_ASSERT(list_some(fd, &s, 1024) > 0);
	/* Remove every odd name not yet listed, and make 100 new ones. */
	int removed[NFILES] = { 0 };
	for (int i = 1; i < NFILES; i += 2)
		if (s.files[i] == 0) {
			long_name(name, "f", i);
			UT_SYS(unlink(name));
			removed[i] = 1;
		}
	make_names("n", 0, 100);
	s.gone_ok = true;
	while (list_some(fd, &s, 1024) > 0)
		;
	UT_EQ(s.dot, 1);
	UT_EQ(s.dotdot, 1);
	for (int i = 0; i < NFILES; i++) {
		if (removed[i] ? s.files[i] > 1 : s.files[i] != 1)
			ut_fail(__FILE__, __LINE__, "name f%03d (%s) listed %d times",
				i, removed[i] ? "removed" : "kept", s.files[i]);
		if (s.news[i] > 1)
			ut_fail(__FILE__, __LINE__, "new name n%03d listed %d times",
				i, s.news[i]);
	}
	/* From the start again: exactly what is there now. */
	UT_EQ(lseek(fd, 0, SEEK_SET), 0);
	memset(&s, 0, sizeof(s));
	while (list_some(fd, &s, 4096) > 0)
		;
	for (int i = 0; i < NFILES; i++) {
		UT_EQ(s.files[i], removed[i] ? 0 : 1);
		UT_EQ(s.news[i], i < 100 ? 1 : 0);
	}
	UT_SYS(close(fd));
}
UTEST(getdents64_lists_kept_names_once_under_creates_and_deletes)
{
	UT_EACH_FS(listing_under_changes);
}

static void
listing_resumes_at_d_off(const char *dir)
{
	static char buf[16384] __attribute__((aligned(8)));
	char rest[8192] __attribute__((aligned(8)));
	struct dent64 *d;
	long n, k;
	int fd;

	(void)dir;
	make_names("f", 0, 40);
	fd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	n = UT_SYS(list_dir(fd, buf, sizeof(buf)));
	UT_EQ(list_dir(fd, rest, sizeof(rest)), 0);     /* all in one */
	/* Entry 10's d_off is where entry 11 begins. */
	d = (struct dent64 *)buf;
	for (int i = 0; i < 10; i++)
		d = (struct dent64 *)((char *)d + d->d_reclen);
	k = (char *)d + d->d_reclen - buf;
	UT_EQ(lseek(fd, d->d_off, SEEK_SET), d->d_off);
	UT_EQ(list_dir(fd, rest, sizeof(rest)), n - k);
	UT_ASSERT(memcmp(rest, buf + k, n - k) == 0);
	UT_SYS(close(fd));
}
UTEST(getdents64_resumes_at_a_d_off_given_to_lseek)
{
	UT_EACH_FS(listing_resumes_at_d_off);
}

/* ---- the working directory ---- */

static void
expect_cwd(int line, const char *want)
{
	char buf[PATH_MAX];

	if (getcwd(buf, sizeof(buf)) == NULL)
		ut_fail(__FILE__, line, "getcwd: %s", ut_errname(errno));
	if (strcmp(buf, want) != 0)
		ut_fail(__FILE__, line, "getcwd is \"%s\", not \"%s\"", buf, want);
}

static void
chdir_and_getcwd(const char *dir)
{
	char want[PATH_MAX], small[4];
	int fd;

	expect_cwd(__LINE__, dir);
	UT_SYS(mkdir("a", 0755));
	UT_SYS(mkdir("a/b", 0755));
	UT_SYS(mkdir("a/b/c", 0755));
	UT_SYS(chdir("a/b/c"));
	snprintf(want, sizeof(want), "%s/a/b/c", dir);
	expect_cwd(__LINE__, want);
	touch("here");
	snprintf(want, sizeof(want), "%s/a/b/c/here", dir);
	UT_SYS(access(want, F_OK));
	UT_SYS(chdir("../.."));
	snprintf(want, sizeof(want), "%s/a", dir);
	expect_cwd(__LINE__, want);
	fd = (int)UT_SYS(open("b", O_RDONLY | O_DIRECTORY));
	UT_SYS(fchdir(fd));
	snprintf(want, sizeof(want), "%s/a/b", dir);
	expect_cwd(__LINE__, want);
	UT_SYS(close(fd));
	UT_ERR(syscall(SYS_getcwd, small, sizeof(small)), ERANGE);
	UT_ERR(chdir("c/here"), ENOTDIR);
	UT_ERR(chdir("missing"), ENOENT);
	fd = (int)UT_SYS(open("c/here", O_RDONLY));
	UT_ERR(fchdir(fd), ENOTDIR);
	UT_SYS(close(fd));
	expect_cwd(__LINE__, want);                 /* failures moved nothing */
	UT_SYS(chdir(dir));
}
UTEST(chdir_fchdir_and_getcwd) { UT_EACH_FS(chdir_and_getcwd); }

static void
removed_cwd(const char *dir)
{
	char buf[PATH_MAX];
	struct stat st;

	(void)dir;
	UT_SYS(mkdir("d", 0755));
	UT_SYS(chdir("d"));
	int fd = (int)UT_SYS(open(".", O_RDONLY | O_DIRECTORY));
	UT_SYS(rmdir("../d"));                      /* one's own cwd: allowed */
	UT_ERR(list_dir(fd, buf, sizeof(buf)), ENOENT);   /* a dead folder */
	UT_SYS(close(fd));
	UT_ERR(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	UT_ERR(open("x", O_CREAT | O_RDWR, 0644), ENOENT);
	UT_ERR(mkdir("y", 0755), ENOENT);
	UT_SYS(stat(".", &st));
	UT_EQ(st.st_nlink, 0);
	UT_SYS(chdir(dir));
}
UTEST(a_removed_cwd_has_no_path_and_takes_no_names) { UT_EACH_FS(removed_cwd); }

/* ---- renaming folders ---- */

static void
rename_folder_moves_its_tree(const char *dir)
{
	char want[PATH_MAX];

	UT_SYS(mkdir("x", 0755));
	UT_SYS(mkdir("x/y", 0755));
	UT_SYS(mkdir("x/y/deep", 0755));
	touch("x/y/f");
	UT_SYS(mkdir("z", 0755));
	ino_t y = ino_of("x/y");
	UT_EQ(nlink_of("x"), 3);
	UT_EQ(nlink_of("z"), 2);
	UT_SYS(chdir("x/y"));                       /* our cwd moves along */
	UT_SYS(rename("../y", "../../z/y"));
	snprintf(want, sizeof(want), "%s/z/y", dir);
	expect_cwd(__LINE__, want);
	UT_SYS(chdir(dir));
	UT_ERR(access("x/y", F_OK), ENOENT);
	UT_EQ(ino_of("z/y"), y);
	UT_SYS(access("z/y/f", F_OK));
	UT_SYS(access("z/y/deep", F_OK));
	/* ".." now leads to the new parent; the parents' counts follow. */
	UT_EQ(ino_of("z/y/.."), ino_of("z"));
	UT_EQ(ino_of("z/y/deep/../.."), ino_of("z"));
	UT_EQ(nlink_of("x"), 2);
	UT_EQ(nlink_of("z"), 3);
	UT_EQ(nlink_of("z/y"), 3);
	/* A rename in the same folder: the name changes, nothing else. */
	UT_SYS(rename("z/y", "z/w"));
	UT_EQ(ino_of("z/w"), y);
	UT_EQ(nlink_of("z"), 3);
	UT_EQ(ino_of("z/w/.."), ino_of("z"));
}
UTEST(rename_moves_a_folder_with_its_tree_and_its_dotdot)
{
	UT_EACH_FS(rename_folder_moves_its_tree);
}

static void
rename_folder_errors(const char *dir)
{
	(void)dir;
	UT_SYS(mkdir("a", 0755));
	UT_SYS(mkdir("a/b", 0755));
	UT_SYS(mkdir("a/b/c", 0755));
	touch("f");
	UT_SYS(mkdir("full", 0755));
	touch("full/x");
	UT_ERR(rename("a", "a/b/new"), EINVAL);    /* into its own subtree */
	UT_ERR(rename("a", "a/new"), EINVAL);
	UT_ERR(rename("a", "a/b/c"), EINVAL);
	UT_ERR(rename("a/b", "a/b/c/d"), EINVAL);
	UT_ERR(rename("a", "full"), ENOTEMPTY);
	UT_ERR(rename("a", "f"), ENOTDIR);
	UT_ERR(rename("f", "full"), EISDIR);
	UT_ERR(rename("a/.", "g"), EBUSY);
	UT_ERR(rename("a/..", "g"), EBUSY);
	UT_ERR(rename2("f", "full/x", RENAME_NOREPLACE), EEXIST);
	UT_SYS(rename("a", "a"));                   /* to itself: nothing */
	UT_EQ(nlink_of("a"), 3);
	/* Over an empty folder: replaced, and the count of "." is right. */
	UT_SYS(mkdir("empty", 0755));
	UT_EQ(nlink_of("."), 5);                    /* a, full, empty */
	ino_t a = ino_of("a");
	UT_SYS(rename("a", "empty"));
	UT_EQ(ino_of("empty"), a);
	UT_ERR(access("a", F_OK), ENOENT);
	UT_EQ(nlink_of("."), 4);
	UT_SYS(access("empty/b/c", F_OK));
}
UTEST(rename_of_folders_einval_into_itself_and_other_errors)
{
	UT_EACH_FS(rename_folder_errors);
}
