/*
 * tools/mkinitrd.c - pack a directory tree into a cpio "newc" archive.
 *
 *   mkinitrd [-n PATH:TYPE:MAJOR:MINOR:MODE]... DIR > initrd.cpio
 *
 * The archive is what Linux unpacks as an initramfs and what uvmkern's
 * initrd file system reads (a multiboot2 module), so both boot the same
 * tree.  It holds DIR's directories, regular files and symbolic links,
 * named relative to DIR ("init", "tests/fork"), each directory before
 * what it contains and names in byte order.  Everything is owned by root
 * with mtime 0 and inode numbers counted from 1, so the same tree gives
 * the same bytes on every machine.  Permission bits come from the files.
 *
 * -n adds a device node that the tree cannot hold without root, e.g.
 * -n dev/console:c:5:1:0600 (TYPE c or b, mode in octal).
 *
 * The newc format: per entry a 110-byte ASCII header - the magic "070701"
 * then 13 eight-digit hex fields (ino, mode, uid, gid, nlink, mtime,
 * filesize, devmajor, devminor, rdevmajor, rdevminor, namesize with its
 * NUL, check) - then the name and its NUL padded to a multiple of 4, then
 * the data padded to a multiple of 4.  An entry named TRAILER!!! ends it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NODES 16

struct node {
	char path[256];
	unsigned mode;          /* S_IFCHR or S_IFBLK | permissions */
	unsigned major, minor;
};

static unsigned long next_ino = 1;
static unsigned long written;       /* bytes out so far, for padding */

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "mkinitrd: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void
emit(const void *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		die("write", "stdout");
	written += n;
}

static void
pad4(void)
{
	static const char zeros[4];

	emit(zeros, (4 - written % 4) % 4);
}

static void
header(const char *name, unsigned mode, unsigned long size, unsigned nlink,
       unsigned rmajor, unsigned rminor)
{
	uint32_t f[13] = {
		(uint32_t)next_ino++, mode, 0, 0, nlink, 0, (uint32_t)size,
		0, 0, rmajor, rminor, (uint32_t)strlen(name) + 1, 0,
	};
	char h[8 * 13 + 1];

	if (size > 0xffffffffUL)
		die("too big for newc (4 GiB):", name);
	for (int i = 0; i < 13; i++)
		snprintf(h + 8 * i, 9, "%08X", (unsigned)f[i]);
	emit("070701", 6);
	emit(h, 8 * 13);
	emit(name, strlen(name) + 1);
	pad4();
}

static void
copy_file(const char *path, unsigned long size)
{
	char buf[65536];
	unsigned long left = size;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die("open", path);
	while (left > 0) {
		size_t n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), f);
		if (n == 0)
			die("read (file shrank?)", path);
		emit(buf, n);
		left -= n;
	}
	fclose(f);
	pad4();
}

static void
add_symlink(const char *name, const char *path, const struct stat *st)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target));

	if (n < 0)
		die("readlink", path);
	header(name, (unsigned)st->st_mode, (unsigned long)n, 1, 0, 0);
	emit(target, (size_t)n);
	pad4();
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_tree(const char *root, const char *rel);

/* One entry; name is relative to the root ("" for the root itself). */
static void
add_entry(const char *root, const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (lstat(path, &st) != 0)
		die("stat", path);
	if (S_ISDIR(st.st_mode)) {
		if (*rel)
			header(rel, (unsigned)st.st_mode, 0, 2, 0, 0);
		add_tree(root, rel);
	} else if (S_ISREG(st.st_mode)) {
		header(rel, (unsigned)st.st_mode, (unsigned long)st.st_size, 1, 0, 0);
		copy_file(path, (unsigned long)st.st_size);
	} else if (S_ISLNK(st.st_mode)) {
		add_symlink(rel, path, &st);
	} else {
		fprintf(stderr, "mkinitrd: skipping %s (not a file, folder or link)\n",
			path);
	}
}

static void
add_tree(const char *root, const char *rel)
{
	char path[4096], child[4096];
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if ((d = opendir(path)) == NULL)
		die("opendir", path);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n++] = strdup(e->d_name)) == NULL)
			die("out of memory in", path);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		add_entry(root, child);
		free(names[i]);
	}
	free(names);
}

static int
parse_node(const char *spec, struct node *nd)
{
	char type;
	unsigned mode;

	if (sscanf(spec, "%255[^:]:%c:%u:%u:%o", nd->path, &type, &nd->major,
		   &nd->minor, &mode) != 5 || (type != 'c' && type != 'b'))
		return -1;
	nd->mode = (type == 'c' ? S_IFCHR : S_IFBLK) | (mode & 07777);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mkinitrd [-n PATH:c|b:MAJOR:MINOR:MODE]... DIR > out.cpio\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct node nodes[MAX_NODES];
	int nnodes = 0, i;

	for (i = 1; i + 1 < argc && strcmp(argv[i], "-n") == 0; i += 2)
		if (nnodes == MAX_NODES || parse_node(argv[i + 1], &nodes[nnodes++]) != 0)
			usage();
	if (i != argc - 1)
		usage();
	add_entry(argv[i], "");
	for (int k = 0; k < nnodes; k++)
		header(nodes[k].path, nodes[k].mode, 0, 1, nodes[k].major,
		       nodes[k].minor);
	header("TRAILER!!!", 0, 0, 1, 0, 0);
	if (fflush(stdout) != 0)
		die("write", "stdout");
	return 0;
}
