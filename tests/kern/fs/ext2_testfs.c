/*
 * tests/kern/fs/ext2_testfs.c - a small mkfs for the ext2 suites (see
 * ext2_testfs.h), written from the format in kern/fs/ext2_fs.h.
 *
 * Layout of each group g (first block fdb + g * bpg):
 *   [superblock][descriptor table]   if g has a copy (sparse_super rule)
 *   [block bitmap][inode bitmap][inode table (ipg * isize bytes)]
 * then, in group 0, one block for the root directory ("." and "..").
 * Reserved inodes 1..first_ino-1 are marked in use; the bits past the
 * end of the last group are set, as mke2fs does.
 */
#include "tests/kern/fs/ext2_testfs.h"
#include "dev/blk.h"
#include "kern/core/cmdline.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

const struct ext2_mkfs_opts ext2t_1k = { 1024, 2048, 1024, 64, 128, 1, true };
const struct ext2_mkfs_opts ext2t_4k = { 4096, 2048, 1024, 64, 256, 1, true };
const struct ext2_mkfs_opts ext2t_rev0 = { 2048, 1024, 1024, 64, 128, 0, false };
const struct ext2_mkfs_opts ext2t_tiny = { 1024, 128, 128, 16, 128, 1, true };

struct blkdev *
ext2t_scratch(void)
{
	const char *name = kopt_get("scratch");
	struct blkdev *d = name != NULL ? blk_lookup(name) : NULL;

	if (d == NULL)
		ktest_fail(__FILE__, __LINE__, "no scratch disk (make test passes scratch=vdb)");
	if (d == blk_lookup("vda"))
		ktest_fail(__FILE__, __LINE__, "scratch=%s is the swap disk", name);
	return d;
}

void
ext2t_rawblk(struct blkdev *dev, uint32_t bsize, uint64_t blkno, void *buf,
    bool write)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_NOFAIL);
	struct blk_seg seg = { vm_page_phys(pg), bsize };
	uint64_t sector = blkno * (bsize / BLK_SECTOR);
	int error;

	if (write)
		memcpy(vm_page_kva(pg), buf, bsize);
	error = blk_io(dev, write ? BLK_WRITE : BLK_READ, sector, &seg, 1);
	if (!write)
		memcpy(buf, vm_page_kva(pg), bsize);
	vm_page_free(pg);
	KT_EQ(error, 0);
}

struct mkfs {
	struct blkdev *dev;
	const struct ext2_mkfs_opts *o;
	uint32_t ngroups, gdblocks, itb, fdb, rootblk;
	uint8_t *blk;                   /* one block of scratch */
	struct ext2_gd *gd;
};

static bool
mk_has_super(const struct mkfs *m, uint32_t g)
{
	uint32_t n = g;

	if (g <= 1 || m->o->rev == 0)
		return true;
	for (uint32_t b = 3; b <= 7; b += 2) {
		n = g;
		while (n % b == 0)
			n /= b;
		if (n == 1)
			return true;
	}
	return false;
}

static void
mk_put(struct mkfs *m, uint64_t blkno)
{
	ext2t_rawblk(m->dev, m->o->bsize, blkno, m->blk, true);
}

static void
mk_bitset(uint8_t *map, uint32_t i)
{
	map[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Group g's bitmaps, inode table, descriptor; returns blocks it uses. */
static void
mk_group(struct mkfs *m, uint32_t g)
{
	const struct ext2_mkfs_opts *o = m->o;
	uint32_t first = m->fdb + g * o->bpg;
	uint32_t n = MIN(o->bpg, o->nblocks - first), used = 0, iused = 0;
	uint32_t firstino = o->rev == 0 ? 11 : 11;

	if (mk_has_super(m, g))
		used = 1 + m->gdblocks;
	m->gd[g].bg_block_bitmap = first + used;
	m->gd[g].bg_inode_bitmap = first + used + 1;
	m->gd[g].bg_inode_table = first + used + 2;
	used += 2 + m->itb;
	if (g == 0)
		m->rootblk = first + used++;
	memset(m->blk, 0, o->bsize);
	for (uint32_t i = 0; i < used; i++)
		mk_bitset(m->blk, i);
	for (uint32_t i = n; i < 8 * o->bsize; i++)
		mk_bitset(m->blk, i);
	mk_put(m, m->gd[g].bg_block_bitmap);
	memset(m->blk, 0, o->bsize);
	for (uint32_t i = 0; g == 0 && i < firstino - 1; i++, iused++)
		mk_bitset(m->blk, i);
	for (uint32_t i = o->ipg; i < 8 * o->bsize; i++)
		mk_bitset(m->blk, i);
	mk_put(m, m->gd[g].bg_inode_bitmap);
	memset(m->blk, 0, o->bsize);
	for (uint32_t i = 0; i < m->itb; i++)
		mk_put(m, m->gd[g].bg_inode_table + i);
	m->gd[g].bg_free_blocks_count = (uint16_t)(n - used);
	m->gd[g].bg_free_inodes_count = (uint16_t)(o->ipg - iused);
	m->gd[g].bg_used_dirs_count = g == 0;
}

static void
mk_root(struct mkfs *m)
{
	const struct ext2_mkfs_opts *o = m->o;
	struct ext2_dinode di;
	struct ext2_dirent *de = (void *)m->blk;

	memset(m->blk, 0, o->bsize);
	*de = (struct ext2_dirent){ 2, 12, 1, o->filetype ? EXT2_FT_DIR : 0 };
	memcpy(de + 1, ".", 1);
	de = (void *)(m->blk + 12);
	*de = (struct ext2_dirent){ 2, (uint16_t)(o->bsize - 12), 2,
	    o->filetype ? EXT2_FT_DIR : 0 };
	memcpy(de + 1, "..", 2);
	mk_put(m, m->rootblk);
	memset(&di, 0, sizeof(di));
	di.i_mode = EXT2_S_IFDIR | 0755;
	di.i_size = o->bsize;
	di.i_links_count = 2;
	di.i_blocks = o->bsize / 512;
	di.i_block[0] = m->rootblk;
	di.i_atime = di.i_ctime = di.i_mtime = ext2_now();
	/* Inode 2 is the second slot of group 0's table's first block. */
	ext2t_rawblk(m->dev, o->bsize, m->gd[0].bg_inode_table, m->blk, false);
	memcpy(m->blk + o->isize, &di, sizeof(di));
	mk_put(m, m->gd[0].bg_inode_table);
}

static void
mk_super(struct mkfs *m)
{
	const struct ext2_mkfs_opts *o = m->o;
	struct ext2_super sb;
	uint32_t fb = 0, fi = 0;

	for (uint32_t g = 0; g < m->ngroups; g++) {
		fb += m->gd[g].bg_free_blocks_count;
		fi += m->gd[g].bg_free_inodes_count;
	}
	memset(&sb, 0, sizeof(sb));
	sb.s_inodes_count = m->ngroups * o->ipg;
	sb.s_blocks_count = o->nblocks;
	sb.s_free_blocks_count = fb;
	sb.s_free_inodes_count = fi;
	sb.s_first_data_block = m->fdb;
	sb.s_log_block_size = o->bsize == 1024 ? 0 : o->bsize == 2048 ? 1 : 2;
	sb.s_log_frag_size = sb.s_log_block_size;
	sb.s_blocks_per_group = sb.s_frags_per_group = o->bpg;
	sb.s_inodes_per_group = o->ipg;
	sb.s_max_mnt_count = -1;
	sb.s_magic = EXT2_SUPER_MAGIC;
	sb.s_state = EXT2_VALID_FS;
	sb.s_errors = 1;
	sb.s_rev_level = o->rev;
	if (o->rev == 1) {
		sb.s_first_ino = 11;
		sb.s_inode_size = (uint16_t)o->isize;
		sb.s_feature_incompat = o->filetype ? EXT2_FEATURE_INCOMPAT_FILETYPE : 0;
		sb.s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
		    EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	}
	for (uint32_t g = 0; g < m->ngroups; g++) {
		uint32_t first = m->fdb + g * o->bpg;
		if (!mk_has_super(m, g))
			continue;
		memset(m->blk, 0, o->bsize);
		sb.s_block_group_nr = (uint16_t)g;
		memcpy(m->blk + (g == 0 && o->bsize > 1024 ? 1024 : 0), &sb, sizeof(sb));
		mk_put(m, first);
		for (uint32_t i = 0; i < m->gdblocks; i++) {
			memset(m->blk, 0, o->bsize);
			memcpy(m->blk, (char *)m->gd + i * o->bsize,
			    MIN(o->bsize, m->ngroups * 32 - i * o->bsize));
			mk_put(m, first + 1 + i);
		}
	}
}

void
ext2t_mkfs(struct blkdev *dev, const struct ext2_mkfs_opts *o)
{
	struct mkfs m = { .dev = dev, .o = o };
	size_t gdsize;

	KT_ASSERT((uint64_t)o->nblocks * o->bsize <= dev->nsectors * BLK_SECTOR);
	m.fdb = o->bsize == 1024 ? 1 : 0;
	m.ngroups = (o->nblocks - m.fdb + o->bpg - 1) / o->bpg;
	m.gdblocks = (m.ngroups * 32 + o->bsize - 1) / o->bsize;
	m.itb = o->ipg * o->isize / o->bsize;
	gdsize = m.ngroups * sizeof(struct ext2_gd);
	m.blk = kmem_alloc(o->bsize, 0);
	m.gd = kmem_zalloc(gdsize);
	KT_ASSERT(m.blk != NULL && m.gd != NULL);
	for (uint32_t g = 0; g < m.ngroups; g++)
		mk_group(&m, g);
	mk_root(&m);
	mk_super(&m);
	kmem_free(m.blk, o->bsize);
	kmem_free(m.gd, gdsize);
}

static void
fs_cleanup(void *arg)
{
	struct ext2_fs *fs = arg;

	if (mutex_owned(&fs->e2_lock))  /* a failed assertion left it held */
		mutex_exit(&fs->e2_lock);
	ext2_fs_close(fs);
}

struct ext2_fs *
ext2t_fresh(const struct ext2_mkfs_opts *o)
{
	struct blkdev *dev = ext2t_scratch();
	struct ext2_fs *fs = NULL;

	ext2t_mkfs(dev, o);
	KT_EQ(ext2_fs_open(dev, &fs), 0);
	ktest_cleanup_push(fs_cleanup, fs);
	return fs;
}

static void
node_cleanup(void *arg)
{
	ext2_node_free(arg);
}

struct ext2_node *
ext2t_node(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_node *n = NULL;
	int error;

	mutex_enter(&fs->e2_lock);
	error = ext2_node_load(fs, ino, &n);
	mutex_exit(&fs->e2_lock);
	KT_EQ(error, 0);
	ktest_cleanup_push(node_cleanup, n);
	return n;
}

struct ext2_node *
ext2t_root(struct ext2_fs *fs)
{
	return ext2t_node(fs, EXT2_ROOT_INO);
}

struct ext2_node *
ext2t_create(struct ext2_node *dn, const char *name, uint32_t mode)
{
	struct ext2_fs *fs = dn->n_fs;
	struct ext2_node *n = NULL;
	int error;

	mutex_enter(&fs->e2_lock);
	error = ext2_node_make(fs, dn->n_ino, mode, &n);
	if (error == 0 && EXT2_ISDIR(mode)) {
		error = ext2_dir_init(n, dn->n_ino);
		dn->n_di.i_links_count++;
	}
	if (error == 0)
		error = ext2_dir_add(dn, name, strlen(name), n->n_ino, mode);
	mutex_exit(&fs->e2_lock);
	KT_EQ(error, 0);
	ktest_cleanup_push(node_cleanup, n);
	return n;
}

bool
ext2t_bit(struct ext2_fs *fs, bool inode, uint32_t n)
{
	bool set = false;
	int error;

	mutex_enter(&fs->e2_lock);
	error = ext2_bit_test(fs, inode, n, &set);
	mutex_exit(&fs->e2_lock);
	KT_EQ(error, 0);
	return set;
}

int
ext2t_check(struct ext2_fs *fs)
{
	return ext2_fs_check(fs, kprint);
}
