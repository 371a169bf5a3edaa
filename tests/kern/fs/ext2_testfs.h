/*
 * tests/kern/fs/ext2_testfs.h - helpers the ext2 suites share: a small
 * mkfs that writes a fresh ext2 file system of a chosen geometry onto
 * the scratch disk (vdb), so each test starts from a known image, and
 * raw block access to corrupt one.
 */
#ifndef TESTS_KERN_FS_EXT2_TESTFS_H
#define TESTS_KERN_FS_EXT2_TESTFS_H

#include "kern/fs/ext2_fs.h"

struct blkdev;

struct ext2_mkfs_opts {
	uint32_t bsize;                 /* 1024, 2048, 4096 */
	uint32_t nblocks;               /* s_blocks_count */
	uint32_t bpg;                   /* blocks per group (multiple of 8) */
	uint32_t ipg;                   /* inodes per group */
	uint32_t isize;                 /* 128 or 256 (rev 1) */
	uint32_t rev;                   /* 0 or 1 */
	bool filetype;                  /* rev 1: the filetype feature */
};

/* The presets the tests use. */
extern const struct ext2_mkfs_opts ext2t_1k;    /* 2 MiB, 2 groups, 1 KiB blocks */
extern const struct ext2_mkfs_opts ext2t_4k;    /* 8 MiB, 2 groups, 256-byte inodes */
extern const struct ext2_mkfs_opts ext2t_rev0;  /* rev 0, 2 KiB blocks */
extern const struct ext2_mkfs_opts ext2t_tiny;  /* 128 blocks: fills up fast */

/* The scratch disk (scratch= on the command line), or the test fails. */
struct blkdev *ext2t_scratch(void);

/* Write a fresh file system on dev: root directory (inode 2) only. */
void ext2t_mkfs(struct blkdev *dev, const struct ext2_mkfs_opts *o);

/* mkfs then open it; the test's cleanup closes it. */
struct ext2_fs *ext2t_fresh(const struct ext2_mkfs_opts *o);

/* Raw access to block blkno (bsize bytes) of dev, outside any cache. */
void ext2t_rawblk(struct blkdev *dev, uint32_t bsize, uint64_t blkno,
    void *buf, bool write);

/* The root directory's node (freed by the test's cleanup). */
struct ext2_node *ext2t_root(struct ext2_fs *fs);

/* Load inode ino as a node (freed by the test's cleanup). */
struct ext2_node *ext2t_node(struct ext2_fs *fs, uint32_t ino);

/* A file of mode in dn called name: made, entered, returned. */
struct ext2_node *ext2t_create(struct ext2_node *dn, const char *name,
    uint32_t mode);

/* Whether block / inode n is set in its bitmap. */
bool ext2t_bit(struct ext2_fs *fs, bool inode, uint32_t n);

/* The checker's verdict, printed if not 0. */
int ext2t_check(struct ext2_fs *fs);

#endif
