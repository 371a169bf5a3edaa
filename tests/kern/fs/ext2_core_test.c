/*
 * tests/kern/fs/ext2_core_test.c - the ext2 core (kern/fs/ext2_*.c)
 * without the VFS, on fresh file systems written to the scratch disk:
 * geometry, bitmaps and free counts around allocation and free, block
 * maps with holes and indirect blocks, bmap runs, truncation, directory
 * entry layout, symlinks, a full disk, and the checker after each.
 */
#include "tests/kern/fs/ext2_testfs.h"
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"

static uint8_t tbuf[4096];

KTEST(ext2, mount_reads_the_geometry)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs);
	uint32_t ino = 0;

	KT_EQ(fs->e2_bsize, 1024);
	KT_EQ(fs->e2_ngroups, 2);
	KT_EQ(fs->e2_sb.s_inodes_count, 128);
	KT_EQ(fs->e2_first_ino, 11);
	KT_ASSERT(fs->e2_filetype);
	KT_ASSERT(EXT2_ISDIR(root->n_di.i_mode));
	KT_EQ(root->n_di.i_links_count, 2);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_lookup(root, "..", 2, &ino), 0);
	KT_EQ(ino, EXT2_ROOT_INO);
	KT_EQ(ext2_dir_lookup(root, "nope", 4, &ino), -ENOENT);
	KT_EQ(ext2_dir_isempty(root), 1);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2t_check(fs), 0);
}

/* Change one superblock field on a fresh image; the open must fail. */
static void
bad_super(size_t off, uint32_t value, size_t width)
{
	struct blkdev *dev = ext2t_scratch();
	struct ext2_fs *fs = NULL;

	ext2t_mkfs(dev, &ext2t_1k);
	ext2t_rawblk(dev, 1024, 1, tbuf, false);
	memcpy(tbuf + off, &value, width);
	ext2t_rawblk(dev, 1024, 1, tbuf, true);
	KT_EQ(ext2_fs_open(dev, &fs), -EINVAL);
}

KTEST(ext2, bad_superblocks_refused)
{
	bad_super(56, 0x1234, 2);               /* s_magic */
	bad_super(24, 7, 4);                    /* s_log_block_size */
	bad_super(4, 1u << 30, 4);              /* s_blocks_count past the disk */
	bad_super(40, 0, 4);                    /* s_inodes_per_group */
	bad_super(0, 4096, 4);                  /* s_inodes_count vs. groups */
	bad_super(96, 0x40, 4);                 /* incompat: extents */
	bad_super(88, 100, 2);                  /* s_inode_size not a power of 2 */
	bad_super(16, 100000, 4);               /* more free inodes than inodes */
	bad_super(76, 5, 4);                    /* s_rev_level */
}

KTEST(ext2, bad_group_descriptor_refused)
{
	struct blkdev *dev = ext2t_scratch();
	struct ext2_fs *fs = NULL;
	uint32_t past = 5000;

	ext2t_mkfs(dev, &ext2t_1k);
	ext2t_rawblk(dev, 1024, 2, tbuf, false);
	memcpy(tbuf + 32 + 8, &past, 4);        /* group 1's inode table */
	ext2t_rawblk(dev, 1024, 2, tbuf, true);
	KT_EQ(ext2_fs_open(dev, &fs), -EINVAL);
}

KTEST(ext2, block_alloc_and_free_keep_bitmaps_and_counts)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	uint32_t free0 = fs->e2_sb.s_free_blocks_count;
	uint32_t gfree1 = fs->e2_gd[1].bg_free_blocks_count, b = 0, b2 = 0;

	/* A goal in group 1: the block comes from group 1, at the goal. */
	uint32_t goal = (uint32_t)ext2_fs_group_first(fs, 1) + 100;
	KT_ASSERT(!ext2t_bit(fs, false, goal));
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_blkalloc(fs, goal, &b), 0);
	KT_EQ(ext2_blkalloc(fs, goal, &b2), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(b, goal);
	KT_EQ(b2, goal + 1);                    /* goal taken: the next one */
	KT_ASSERT(ext2t_bit(fs, false, b) && ext2t_bit(fs, false, b2));
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 2);
	KT_EQ(fs->e2_gd[1].bg_free_blocks_count, gfree1 - 2);
	KT_ASSERT(ext2t_check(fs) > 0);         /* used by no inode */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_blkfree(fs, b), 0);
	KT_EQ(ext2_blkfree(fs, b), -EIO);       /* twice: the bitmap says free */
	KT_EQ(ext2_blkfree(fs, b2), 0);
	KT_EQ(ext2_blkfree(fs, fs->e2_sb.s_blocks_count), -EIO);
	KT_EQ(ext2_blkfree(fs, 0), -EIO);
	mutex_exit(&fs->e2_lock);
	KT_ASSERT(!ext2t_bit(fs, false, b));
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0);
	KT_EQ(fs->e2_gd[1].bg_free_blocks_count, gfree1);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, inode_alloc_and_free_keep_bitmaps_and_counts)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	uint32_t ifree = fs->e2_sb.s_free_inodes_count, ino = 0, dino = 0;

	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_ialloc(fs, EXT2_ROOT_INO, false, &ino), 0);
	KT_EQ(ext2_ialloc(fs, EXT2_ROOT_INO, true, &dino), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ino, 11);                         /* the first unreserved */
	KT_EQ(dino, 65);                        /* the emptier group: group 1 */
	KT_ASSERT(ext2t_bit(fs, true, ino) && ext2t_bit(fs, true, dino));
	KT_EQ(fs->e2_sb.s_free_inodes_count, ifree - 2);
	KT_EQ(fs->e2_gd[1].bg_used_dirs_count, 1);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_ifree(fs, ino, false), 0);
	KT_EQ(ext2_ifree(fs, ino, false), -EIO);
	KT_EQ(ext2_ifree(fs, dino, true), 0);
	KT_EQ(ext2_ifree(fs, 3, false), -EIO);  /* reserved */
	KT_EQ(ext2_ifree(fs, 129, false), -EIO);
	mutex_exit(&fs->e2_lock);
	KT_EQ(fs->e2_sb.s_free_inodes_count, ifree);
	KT_EQ(fs->e2_gd[1].bg_used_dirs_count, 0);
	KT_EQ(ext2t_check(fs), 0);
}

/* Write n blocks of pattern to file f from block lbn on. */
static void
write_blocks(struct ext2_node *f, uint64_t lbn, int n)
{
	struct ext2_fs *fs = f->n_fs;

	for (int i = 0; i < n; i++) {
		memset(tbuf, 'a' + (int)((lbn + i) % 26), fs->e2_bsize);
		mutex_enter(&fs->e2_lock);
		int error = ext2_file_io(f, (lbn + i) * fs->e2_bsize, tbuf,
		    fs->e2_bsize, true);
		mutex_exit(&fs->e2_lock);
		KT_EQ(error, 0);
	}
}

static uint32_t
bmap(struct ext2_node *f, uint64_t lbn)
{
	uint32_t pbn = 1;

	mutex_enter(&f->n_fs->e2_lock);
	int error = ext2_bmap(f, lbn, false, &pbn);
	mutex_exit(&f->n_fs->e2_lock);
	KT_EQ(error, 0);
	return pbn;
}

KTEST(ext2, sequential_file_is_contiguous_and_maps_through_indirect_blocks)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *f = ext2t_create(ext2t_root(fs), "seq", EXT2_S_IFREG | 0644);
	uint32_t free0 = fs->e2_sb.s_free_blocks_count, b0;

	write_blocks(f, 0, 40);
	KT_EQ(ext2_node_size(f), 40 * 1024);
	/* 40 data blocks + 1 indirect block. */
	KT_EQ(f->n_di.i_blocks, 41 * 2);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 41);
	b0 = bmap(f, 0);
	for (int i = 1; i < 12; i++)
		KT_EQ(bmap(f, i), b0 + i);
	/* The indirect block is allocated just before block 12. */
	KT_EQ(f->n_di.i_block[EXT2_IND], b0 + 12);
	for (int i = 12; i < 40; i++)
		KT_EQ(bmap(f, i), b0 + i + 1);
	KT_EQ(bmap(f, 40), 0);                  /* past the end: a hole */
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, holes_and_double_indirect_blocks)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *f = ext2t_create(ext2t_root(fs), "sparse", EXT2_S_IFREG | 0644);
	uint32_t free0 = fs->e2_sb.s_free_blocks_count;
	uint64_t daddr = 0;
	size_t run = 0;

	write_blocks(f, 0, 1);
	write_blocks(f, 300, 1);                /* 12 + 256 + 32: double indirect */
	KT_EQ(ext2_node_size(f), 301 * 1024);
	/* data 0, data 300, the double-indirect block and one indirect. */
	KT_EQ(f->n_di.i_blocks, 4 * 2);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 4);
	KT_EQ(f->n_di.i_block[EXT2_IND], 0);
	KT_ASSERT(f->n_di.i_block[EXT2_DIND] != 0);
	for (int i = 1; i < 300; i += 37)
		KT_EQ(bmap(f, i), 0);
	KT_ASSERT(bmap(f, 300) != 0);
	/* Holes read as zeros. */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_file_io(f, 5000, tbuf, 100, false), 0);
	mutex_exit(&fs->e2_lock);
	for (int i = 0; i < 100; i++)
		KT_EQ(tbuf[i], 0);
	/* The pager's view: page 1 (blocks 4..7) is a hole as long as the
	 * hole goes on (at most EXT2_RUN_MAX blocks); page 0 is one mapped
	 * block, then the hole from byte 1024 on. */
	KT_EQ(ext2_bmap_run(f, 4096, false, &daddr, &run), 0);
	KT_EQ(daddr, UVN_HOLE);
	KT_EQ(run, 64 * 1024);
	KT_EQ(ext2_bmap_run(f, 0, false, &daddr, &run), 0);
	KT_EQ(daddr, (uint64_t)bmap(f, 0) * 1024);
	KT_EQ(run, 1024);
	KT_EQ(ext2_bmap_run(f, 1024, false, &daddr, &run), 0);
	KT_EQ(daddr, UVN_HOLE);
	KT_EQ(run, 64 * 1024);
	KT_EQ(ext2_bmap_run(f, 300 * 1024, false, &daddr, &run), 0);
	KT_EQ(daddr, (uint64_t)bmap(f, 300) * 1024);
	KT_EQ(run, 1024);                       /* the file's last block */
	KT_EQ(ext2t_check(fs), 0);
	/* Truncate to nothing: everything back. */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_truncate_blocks(f, 0), 0);
	ext2_node_set_size(f, 0);
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(f->n_di.i_blocks, 0);
	KT_EQ(f->n_di.i_block[EXT2_DIND], 0);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, bmap_run_on_4k_blocks_allocates_contiguously)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_4k);
	struct ext2_node *f = ext2t_create(ext2t_root(fs), "f", EXT2_S_IFREG | 0644);
	uint64_t daddr = 0, d0 = 0;
	size_t run = 0;

	mutex_enter(&fs->e2_lock);
	ext2_node_set_size(f, 10 * 4096 + 100);
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2_bmap_run(f, 0, false, &daddr, &run), 0);
	KT_EQ(daddr, UVN_HOLE);
	KT_EQ(run, 11 * 4096);                  /* the hole up to the end */
	for (int i = 0; i < 11; i++) {
		KT_EQ(ext2_bmap_run(f, (uint64_t)i * 4096, true, &daddr, &run), 0);
		if (i == 0)
			d0 = daddr;
		KT_EQ(daddr, d0 + (uint64_t)i * 4096);
	}
	KT_EQ(ext2_bmap_run(f, 0, false, &daddr, &run), 0);
	KT_EQ(daddr, d0);
	KT_EQ(run, 11 * 4096);                  /* one run to the end */
	KT_EQ(f->n_di.i_blocks, 11 * 8);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, truncate_frees_blocks_past_the_end_and_empty_indirect_blocks)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *f = ext2t_create(ext2t_root(fs), "big", EXT2_S_IFREG | 0644);
	uint32_t free0 = fs->e2_sb.s_free_blocks_count, ind;

	write_blocks(f, 0, 300);                /* 300 data + IND + DIND + 1 */
	KT_EQ(f->n_di.i_blocks, 303 * 2);
	ind = f->n_di.i_block[EXT2_IND];
	KT_ASSERT(ext2t_bit(fs, false, ind));
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_truncate_blocks(f, 13 * 1024 - 5), 0);  /* keeps blocks 0..12 */
	ext2_node_set_size(f, 13 * 1024 - 5);
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(f->n_di.i_blocks, 14 * 2);        /* 13 data + the indirect */
	KT_EQ(f->n_di.i_block[EXT2_DIND], 0);
	KT_ASSERT(ext2t_bit(fs, false, ind));
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 14);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_truncate_blocks(f, 12 * 1024), 0);
	ext2_node_set_size(f, 12 * 1024);
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(f->n_di.i_block[EXT2_IND], 0);    /* its only entry went */
	KT_ASSERT(!ext2t_bit(fs, false, ind));
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 12);
	KT_EQ(ext2t_check(fs), 0);
}

/* The rec_len of each entry of block lbn of dn, into lens (n of them). */
static int
dir_reclens(struct ext2_node *dn, uint64_t lbn, uint16_t *lens, uint32_t *inos)
{
	struct ext2_fs *fs = dn->n_fs;
	int n = 0;

	ext2t_rawblk(fs->e2_dev, fs->e2_bsize, bmap(dn, lbn), tbuf, false);
	for (uint32_t off = 0; off < fs->e2_bsize && n < 64; n++) {
		struct ext2_dirent *de = (void *)(tbuf + off);
		lens[n] = de->rec_len;
		inos[n] = de->inode;
		KT_ASSERT(de->rec_len >= 8);
		off += de->rec_len;
	}
	return n;
}

KTEST(ext2, directory_entries_split_and_merge)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs);
	uint16_t lens[64];
	uint32_t inos[64], ino = 0;
	char name[32];

	struct ext2_node *cat = ext2t_create(root, "cat", EXT2_S_IFREG | 0644);
	KT_EQ(ext2_fs_sync(fs), 0);
	KT_EQ(dir_reclens(root, 0, lens, inos), 3);
	KT_EQ(lens[0], 12);
	KT_EQ(lens[1], 12);                     /* ".." shrank to its size */
	KT_EQ(lens[2], 1024 - 24);              /* "cat" has the rest */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_remove(root, "cat", 3), 0);
	KT_EQ(ext2_dir_remove(root, "cat", 3), -ENOENT);
	cat->n_di.i_links_count = 0;
	KT_EQ(ext2_node_release(cat), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2_fs_sync(fs), 0);
	KT_EQ(dir_reclens(root, 0, lens, inos), 2);
	KT_EQ(lens[1], 1024 - 12);              /* merged back into ".." */
	/* Enough names of 16 bytes each to need a second block. */
	mutex_enter(&fs->e2_lock);
	for (int i = 0; i < 70; i++) {
		ksnprintf(name, sizeof(name), "entry-%05d", i);    /* 11 -> 20 bytes */
		KT_EQ(ext2_dir_add(root, name, strlen(name), 11, EXT2_S_IFREG), 0);
	}
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2_node_size(root), 2048);
	KT_EQ(root->n_di.i_blocks, 4);
	KT_EQ(ext2_fs_sync(fs), 0);
	int n = dir_reclens(root, 1, lens, inos);
	KT_ASSERT(n >= 1);
	/* Removing the first entry of block 1 empties it in place. */
	uint32_t first = inos[0];
	KT_EQ(first, 11);
	mutex_enter(&fs->e2_lock);
	for (int i = 0; i < 70; i++) {
		ksnprintf(name, sizeof(name), "entry-%05d", i);
		KT_EQ(ext2_dir_lookup(root, name, strlen(name), &ino), 0);
		KT_EQ(ino, 11);
	}
	ksnprintf(name, sizeof(name), "entry-%05d", 70 - n);
	KT_EQ(ext2_dir_remove(root, name, strlen(name)), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2_fs_sync(fs), 0);
	KT_EQ(dir_reclens(root, 1, lens, inos), n);
	KT_EQ(inos[0], 0);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_isempty(root), 0);
	for (int i = 0; i < 70; i++) {
		ksnprintf(name, sizeof(name), "entry-%05d", i);
		if (i != 70 - n)
			KT_EQ(ext2_dir_remove(root, name, strlen(name)), 0);
	}
	KT_EQ(ext2_dir_isempty(root), 1);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, subdirectory_links_and_dotdot)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs);
	struct ext2_node *a = ext2t_create(root, "a", EXT2_S_IFDIR | 0755);
	struct ext2_node *b = ext2t_create(root, "b", EXT2_S_IFDIR | 0755);
	struct ext2_node *c = ext2t_create(a, "c", EXT2_S_IFDIR | 0755);
	uint32_t ino = 0;

	KT_EQ(root->n_di.i_links_count, 4);
	KT_EQ(a->n_di.i_links_count, 3);
	KT_EQ(c->n_di.i_links_count, 2);
	KT_EQ(ext2t_check(fs), 0);
	/* Move c from a to b: the entry, "..", and the parents' links. */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_add(b, "c", 1, c->n_ino, EXT2_S_IFDIR), 0);
	KT_EQ(ext2_dir_remove(a, "c", 1), 0);
	KT_EQ(ext2_dir_set(c, "..", 2, b->n_ino, EXT2_S_IFDIR), 0);
	a->n_di.i_links_count--;
	b->n_di.i_links_count++;
	KT_EQ(ext2_node_update(a), 0);
	KT_EQ(ext2_node_update(b), 0);
	KT_EQ(ext2_dir_lookup(c, "..", 2, &ino), 0);
	KT_EQ(ino, b->n_ino);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2t_check(fs), 0);
	/* rmdir c: empty, then gone with its blocks and inode. */
	uint32_t ifree = fs->e2_sb.s_free_inodes_count;
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_isempty(c), 1);
	KT_EQ(ext2_dir_remove(b, "c", 1), 0);
	b->n_di.i_links_count--;
	KT_EQ(ext2_node_update(b), 0);
	c->n_di.i_links_count = 0;
	KT_EQ(ext2_node_release(c), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(fs->e2_sb.s_free_inodes_count, ifree + 1);
	KT_ASSERT(!ext2t_bit(fs, true, c->n_ino));
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, fast_and_slow_symlinks)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs);
	struct ext2_node *fast = ext2t_create(root, "fast", EXT2_S_IFLNK | 0777);
	struct ext2_node *slow = ext2t_create(root, "slow", EXT2_S_IFLNK | 0777);
	char longt[200], out[256];
	uint32_t free0;

	memset(longt, 'x', sizeof(longt));
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_symlink_set(fast, "target/file", 11), 0);
	free0 = fs->e2_sb.s_free_blocks_count;
	KT_EQ(ext2_symlink_set(slow, longt, sizeof(longt)), 0);
	KT_EQ(ext2_readlink_node(fast, out, sizeof(out)), 11);
	KT_ASSERT(memcmp(out, "target/file", 11) == 0);
	KT_EQ(ext2_readlink_node(slow, out, sizeof(out)), 200);
	KT_ASSERT(memcmp(out, longt, 200) == 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(fast->n_di.i_blocks, 0);
	KT_EQ(memcmp(fast->n_di.i_block, "target/file", 11), 0);
	KT_EQ(slow->n_di.i_blocks, 2);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 - 1);
	KT_EQ(ext2t_check(fs), 0);
	/* Deleting the fast link must not free its "blocks" (the text). */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_remove(root, "fast", 4), 0);
	fast->n_di.i_links_count = 0;
	KT_EQ(ext2_node_release(fast), 0);
	KT_EQ(ext2_dir_remove(root, "slow", 4), 0);
	slow->n_di.i_links_count = 0;
	KT_EQ(ext2_node_release(slow), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0 + 0);
	KT_EQ(ext2t_check(fs), 0);
}

/*
 * A slow link's block is zero after the target, even when the block last
 * held another file's bytes: the target ends at its first NUL, and
 * e2fsck calls a link whose text is longer than its size invalid.
 */
KTEST(ext2, slow_symlink_block_is_zero_after_the_target)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs);
	struct ext2_node *junk = ext2t_create(root, "junk", EXT2_S_IFREG | 0644);
	static char buf[1024];
	char target[100];

	memset(buf, 't', sizeof(buf));
	memset(target, 'y', sizeof(target));
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_file_io(junk, 0, buf, sizeof(buf), true), 0);
	KT_EQ(ext2_dir_remove(root, "junk", 4), 0);
	junk->n_di.i_links_count = 0;
	KT_EQ(ext2_node_release(junk), 0);      /* its block is free, not wiped */
	mutex_exit(&fs->e2_lock);
	struct ext2_node *link = ext2t_create(root, "link", EXT2_S_IFLNK | 0777);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_symlink_set(link, target, sizeof(target)), 0);
	KT_EQ(ext2_file_io(link, 0, buf, sizeof(buf), false), 0);
	mutex_exit(&fs->e2_lock);
	KT_ASSERT(memcmp(buf, target, sizeof(target)) == 0);
	for (size_t i = sizeof(target); i < sizeof(buf); i++)
		KT_EQ(buf[i], 0);
	KT_EQ(link->n_di.i_size, sizeof(target));
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, full_disk_is_enospc_and_stays_consistent)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_tiny);
	struct ext2_node *root = ext2t_root(fs);
	struct ext2_node *f = ext2t_create(root, "fill", EXT2_S_IFREG | 0644);
	uint32_t free0 = fs->e2_sb.s_free_blocks_count;
	int error = 0, i;

	memset(tbuf, 'z', 1024);
	mutex_enter(&fs->e2_lock);
	for (i = 0; i < 200 && error == 0; i++)
		error = ext2_file_io(f, (uint64_t)i * 1024, tbuf, 1024, true);
	mutex_exit(&fs->e2_lock);
	KT_EQ(error, -ENOSPC);
	KT_EQ(fs->e2_sb.s_free_blocks_count, 0);
	KT_EQ(fs->e2_gd[0].bg_free_blocks_count, 0);
	KT_EQ(ext2t_check(fs), 0);
	/* A directory cannot grow either; the name that did not fit is absent. */
	mutex_enter(&fs->e2_lock);
	for (int k = 0; k < 100; k++) {
		char name[16];
		ksnprintf(name, sizeof(name), "n%03d", k);
		error = ext2_dir_add(root, name, 4, f->n_ino, EXT2_S_IFREG);
		if (error != 0)
			break;
		f->n_di.i_links_count++;
	}
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(error, -ENOSPC);
	KT_EQ(ext2t_check(fs), 0);
	/* Free it all: the counts come back. */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_truncate_blocks(f, 0), 0);
	ext2_node_set_size(f, 0);
	KT_EQ(ext2_node_update(f), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(fs->e2_sb.s_free_blocks_count, free0);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, out_of_inodes_is_enospc)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_tiny);
	uint32_t ino = 0, got = 0;
	int error = 0;

	mutex_enter(&fs->e2_lock);
	while ((error = ext2_ialloc(fs, EXT2_ROOT_INO, false, &ino)) == 0)
		got++;
	KT_EQ(error, -ENOSPC);
	KT_EQ(got, 16 - 10);                    /* 16 inodes, 10 reserved */
	KT_EQ(fs->e2_sb.s_free_inodes_count, 0);
	for (uint32_t i = 11; i <= 16; i++)
		KT_EQ(ext2_ifree(fs, i, false), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, corrupt_entries_and_pointers_are_eio)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_1k);
	struct ext2_node *root = ext2t_root(fs), *n = NULL;
	struct ext2_node *f = ext2t_create(root, "f", EXT2_S_IFREG | 0644);
	uint32_t ino = 0, pbn = 0, rootblk = root->n_di.i_block[0];

	write_blocks(f, 0, 2);
	KT_EQ(ext2_fs_sync(fs), 0);
	mutex_enter(&fs->e2_lock);
	/* Inode numbers 0 and past the table. */
	KT_EQ(ext2_node_load(fs, 0, &n), -EIO);
	KT_EQ(ext2_node_load(fs, 129, &n), -EIO);
	KT_EQ(ext2_node_load(fs, 20, &n), -EIO);        /* not in use */
	/* A block pointer past the end of the disk. */
	f->n_di.i_block[1] = fs->e2_sb.s_blocks_count + 10;
	KT_EQ(ext2_bmap(f, 1, false, &pbn), -EIO);
	KT_EQ(ext2_file_io(f, 1024, tbuf, 10, false), -EIO);
	f->n_di.i_block[1] = f->n_di.i_block[0] + 1;
	mutex_exit(&fs->e2_lock);
	/* An entry naming an inode past the table: the lookup fails. */
	ext2t_rawblk(fs->e2_dev, 1024, rootblk, tbuf, false);
	struct ext2_dirent *de = (void *)(tbuf + 24);
	KT_EQ(de->name_len, 1);
	de->inode = 5000;
	ext2t_rawblk(fs->e2_dev, 1024, rootblk, tbuf, true);
	mutex_enter(&fs->e2_lock);
	bcache_forget(&fs->e2_bc, rootblk);
	KT_EQ(ext2_dir_lookup(root, "f", 1, &ino), -EIO);
	/* A rec_len running past the block. */
	de->inode = f->n_ino;
	de->rec_len = 2000;
	ext2t_rawblk(fs->e2_dev, 1024, rootblk, tbuf, true);
	bcache_forget(&fs->e2_bc, rootblk);
	KT_EQ(ext2_dir_lookup(root, "f", 1, &ino), -EIO);
	KT_EQ(ext2_dir_add(root, "g", 1, f->n_ino, EXT2_S_IFREG), -EIO);
	de->rec_len = 1024 - 24;
	ext2t_rawblk(fs->e2_dev, 1024, rootblk, tbuf, true);
	bcache_forget(&fs->e2_bc, rootblk);
	KT_EQ(ext2_dir_lookup(root, "f", 1, &ino), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, revision0_2k_blocks_no_filetype)
{
	struct ext2_fs *fs = ext2t_fresh(&ext2t_rev0);
	struct ext2_node *d, *f;
	uint32_t ino = 0;

	KT_EQ(fs->e2_bsize, 2048);
	KT_EQ(fs->e2_isize, 128);
	KT_ASSERT(!fs->e2_filetype);
	d = ext2t_create(ext2t_root(fs), "dir", EXT2_S_IFDIR | 0755);
	f = ext2t_create(d, "file", EXT2_S_IFREG | 0644);
	write_blocks(f, 0, 20);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_dir_lookup(d, "file", 4, &ino), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(ino, f->n_ino);
	KT_EQ(ext2t_check(fs), 0);
}

KTEST(ext2, blocks_of_4k_and_256_byte_inodes)
{
	struct ext2_fs *fs4 = ext2t_fresh(&ext2t_4k);
	struct ext2_node *d, *f;

	KT_EQ(fs4->e2_isize, 256);
	KT_EQ(fs4->e2_ipb, 16);
	d = ext2t_create(ext2t_root(fs4), "dir", EXT2_S_IFDIR | 0755);
	f = ext2t_create(d, "file", EXT2_S_IFREG | 0644);
	write_blocks(f, 0, 1040);               /* 12 + 1024: into the double-indirect tree */
	KT_EQ(f->n_di.i_blocks, (1040 + 3) * 8);
	KT_EQ(ext2t_check(fs4), 0);
	/* Reopen after a sync: the same bytes come back from the disk. */
	uint32_t fino = f->n_ino;
	KT_EQ(ext2_fs_sync(fs4), 0);
	struct ext2_node *g = ext2t_node(fs4, fino);
	mutex_enter(&fs4->e2_lock);
	KT_EQ(ext2_file_io(g, 1039 * 4096, tbuf, 4096, false), 0);
	mutex_exit(&fs4->e2_lock);
	KT_EQ(tbuf[0], 'a' + 1039 % 26);
	KT_EQ(tbuf[4095], 'a' + 1039 % 26);
}
