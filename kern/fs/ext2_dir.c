/*
 * kern/fs/ext2_dir.c - directories: linear lists of variable-length
 * entries, each block tiled exactly by its entries' rec_len.
 *
 * Adding "cat" (needs 8 + 3 -> 12 bytes) to a 1 KiB block:
 *
 *   before  [2 "." 12][2 ".." 1012                                 ]
 *   after   [2 "." 12][2 ".." 12][14 "cat" 1000                    ]
 *           ".." kept what its name needs (12), the rest went to "cat"
 *
 * Removing "cat" merges its space back into the entry before it (".."'s
 * rec_len 1012 again); the first entry of a block has none before it,
 * so it is emptied by setting its inode to 0.  A block is never given
 * back: a directory only grows (as in Linux's ext2).  A new entry takes
 * the first empty entry or the first slack that fits; failing that, a
 * new block at the end of the directory.
 *
 * Directory blocks are metadata: they are read and written through the
 * block cache (bcache.h), never through a page cache.  Every entry read
 * is checked (rec_len a multiple of 4, at least its name's size, not
 * past the block; the inode number in range; the name without a '/' or
 * NUL): a bad one is -EIO, and nothing is changed in that block.
 * Directories that Linux's ext4 indexed (EXT2_INDEX_FL) read as linear
 * ones, since the index blocks look like empty entries; the flag is
 * cleared when such a directory changes, which e2fsck accepts.
 *
 * Locking: e2_lock held by the caller for every function here.
 */
#include "kern/fs/ext2_fs.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

/* Where a directory walk is: the block held, and the entry in it. */
struct dirpos {
	struct buf *bp;
	uint64_t lbn;
	uint32_t off;                   /* of the entry in the block */
	uint32_t prev;                  /* of the entry before (UINT32_MAX: none) */
};

uint8_t
ext2_mode_to_ft(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR: return EXT2_FT_DIR;
	case EXT2_S_IFCHR: return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK: return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO: return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
	case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static uint64_t
dir_nblocks(struct ext2_node *dn)
{
	return ext2_node_size(dn) / dn->n_fs->e2_bsize;
}

/* Block lbn of the directory, held.  A hole is corruption. */
static int
dir_block(struct ext2_node *dn, uint64_t lbn, struct buf **bpp)
{
	uint32_t pbn;
	int error;

	error = ext2_bmap(dn, lbn, false, &pbn);
	if (error == 0 && pbn == 0)
		error = -EIO;
	if (error == 0)
		error = bcache_read(&dn->n_fs->e2_bc, pbn, bpp);
	return error;
}

/* The entry at off of block data, checked; NULL if corrupt. */
static struct ext2_dirent *
dirent_at(struct ext2_fs *fs, void *data, uint32_t off)
{
	struct ext2_dirent *de = (struct ext2_dirent *)((char *)data + off);
	const char *name = (const char *)(de + 1);

	if (off + 8 > fs->e2_bsize || de->rec_len < 8 || de->rec_len % 4 != 0 ||
	    off + de->rec_len > fs->e2_bsize ||
	    de->rec_len < EXT2_DIRENT_SIZE(de->name_len) ||
	    de->inode > fs->e2_sb.s_inodes_count ||
	    (!fs->e2_filetype && de->file_type != 0))
		return NULL;
	if (de->inode != 0 && de->name_len == 0)
		return NULL;
	for (uint32_t i = 0; de->inode != 0 && i < de->name_len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return NULL;
	return de;
}

/*
 * Step pos to the next entry (the first when pos->bp is NULL), reading
 * blocks as needed.  Returns 1 with pos->bp held and the entry in *dep,
 * 0 at the end (nothing held), or -EIO.
 */
static int
dir_next(struct ext2_node *dn, struct dirpos *pos, struct ext2_dirent **dep)
{
	struct ext2_fs *fs = dn->n_fs;
	int error;

	if (pos->bp != NULL) {
		struct ext2_dirent *cur = (void *)((char *)pos->bp->b_data + pos->off);
		pos->prev = pos->off;
		pos->off += cur->rec_len;
		if (pos->off >= fs->e2_bsize) {
			bcache_release(&fs->e2_bc, pos->bp);
			pos->bp = NULL;
			pos->lbn++;
		}
	}
	if (pos->bp == NULL) {
		if (pos->lbn >= dir_nblocks(dn))
			return 0;
		error = dir_block(dn, pos->lbn, &pos->bp);
		if (error != 0)
			return error;
		pos->off = 0;
		pos->prev = UINT32_MAX;
	}
	*dep = dirent_at(fs, pos->bp->b_data, pos->off);
	if (*dep == NULL) {
		bcache_release(&fs->e2_bc, pos->bp);
		pos->bp = NULL;
		return -EIO;
	}
	return 1;
}

static void
dir_done(struct ext2_node *dn, struct dirpos *pos)
{
	if (pos->bp != NULL)
		bcache_release(&dn->n_fs->e2_bc, pos->bp);
	pos->bp = NULL;
}

static bool
dirent_is(const struct ext2_dirent *de, const char *name, size_t len)
{
	return de->inode != 0 && de->name_len == len &&
	    memcmp(de + 1, name, len) == 0;
}

/* Find name: 1 with pos at its entry (held), 0 (absent), -EIO. */
static int
dir_find(struct ext2_node *dn, const char *name, size_t len,
    struct dirpos *pos, struct ext2_dirent **dep)
{
	int r;

	memset(pos, 0, sizeof(*pos));
	while ((r = dir_next(dn, pos, dep)) == 1)
		if (dirent_is(*dep, name, len))
			return 1;
	return r;
}

/* The directory changed: times, and it is no longer an indexed one. */
static int
dir_touch(struct ext2_node *dn)
{
	dn->n_di.i_flags &= ~EXT2_INDEX_FL;
	dn->n_di.i_mtime = dn->n_di.i_ctime = ext2_now();
	return ext2_node_update(dn);
}

/*
 * ext2_dir_lookup - the inode number of entry name in directory dn.
 *  => e2_lock held; 0 and *inop; -ENOENT; -EIO (a corrupt entry).
 */
int
ext2_dir_lookup(struct ext2_node *dn, const char *name, size_t len,
    uint32_t *inop)
{
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	KASSERT(mutex_owned(&dn->n_fs->e2_lock));
	r = dir_find(dn, name, len, &pos, &de);
	if (r == 1) {
		*inop = de->inode;
		dir_done(dn, &pos);
		if (*inop < EXT2_ROOT_INO)
			return -EIO;
		return 0;
	}
	return r == 0 ? -ENOENT : r;
}

/* Fill entry de (rec_len given) with name and ino. */
static void
dirent_fill(struct ext2_fs *fs, struct ext2_dirent *de, uint16_t rec_len,
    const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	de->inode = ino;
	de->rec_len = rec_len;
	de->name_len = (uint8_t)len;
	de->file_type = fs->e2_filetype ? ext2_mode_to_ft(mode) : 0;
	memcpy(de + 1, name, len);
}

/* Put the entry into the slack of an existing one; 1 if done. */
static int
dir_add_in_place(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode)
{
	struct ext2_fs *fs = dn->n_fs;
	uint32_t need = EXT2_DIRENT_SIZE(len);
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	memset(&pos, 0, sizeof(pos));
	while ((r = dir_next(dn, &pos, &de)) == 1) {
		uint32_t used = de->inode ? EXT2_DIRENT_SIZE(de->name_len) : 0;
		if (de->rec_len - used < need)
			continue;
		if (used == 0) {
			dirent_fill(fs, de, de->rec_len, name, len, ino, mode);
		} else {
			struct ext2_dirent *nde = (void *)((char *)de + used);
			dirent_fill(fs, nde, (uint16_t)(de->rec_len - used), name,
			    len, ino, mode);
			de->rec_len = (uint16_t)used;
		}
		bcache_dirty(&fs->e2_bc, pos.bp);
		dir_done(dn, &pos);
		return 1;
	}
	return r;
}

/* A new block at the end of the directory holding just this entry. */
static int
dir_add_block(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode)
{
	struct ext2_fs *fs = dn->n_fs;
	uint64_t lbn = dir_nblocks(dn);
	uint32_t pbn;
	struct buf *bp;
	int error;

	error = ext2_bmap(dn, lbn, true, &pbn);
	if (error != 0)
		return error;
	error = bcache_get(&fs->e2_bc, pbn, &bp);
	if (error != 0)
		return error;
	dirent_fill(fs, bp->b_data, (uint16_t)fs->e2_bsize, name, len, ino, mode);
	bcache_release(&fs->e2_bc, bp);
	ext2_node_set_size(dn, (lbn + 1) * fs->e2_bsize);
	return 0;
}

/*
 * ext2_dir_add - a new entry name -> ino (of the given mode) in dn.  The
 * caller checked the name is absent and counts the link.
 *  => e2_lock held; 0; -ENOSPC (no block for a new block), -EIO.
 */
int
ext2_dir_add(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode)
{
	int r;

	KASSERT(mutex_owned(&dn->n_fs->e2_lock));
	KASSERT(len > 0 && len <= EXT2_NAME_MAX);
	r = dir_add_in_place(dn, name, len, ino, mode);
	if (r == 0)
		r = dir_add_block(dn, name, len, ino, mode);
	if (r < 0)
		return r;
	return dir_touch(dn);
}

/*
 * ext2_dir_remove - drop entry name from dn (merged into the entry
 * before it, or emptied if first in its block).
 *  => e2_lock held; 0; -ENOENT; -EIO.
 */
int
ext2_dir_remove(struct ext2_node *dn, const char *name, size_t len)
{
	struct ext2_fs *fs = dn->n_fs;
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	KASSERT(mutex_owned(&fs->e2_lock));
	r = dir_find(dn, name, len, &pos, &de);
	if (r != 1)
		return r == 0 ? -ENOENT : r;
	if (pos.prev == UINT32_MAX) {
		de->inode = 0;
	} else {
		struct ext2_dirent *prev = (void *)((char *)pos.bp->b_data + pos.prev);
		prev->rec_len = (uint16_t)(prev->rec_len + de->rec_len);
	}
	bcache_dirty(&fs->e2_bc, pos.bp);
	dir_done(dn, &pos);
	return dir_touch(dn);
}

/*
 * ext2_dir_set - point the existing entry name at ino (rename over a
 * file, a moved directory's "..").
 *  => e2_lock held; 0; -ENOENT; -EIO.
 */
int
ext2_dir_set(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode)
{
	struct ext2_fs *fs = dn->n_fs;
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	KASSERT(mutex_owned(&fs->e2_lock));
	r = dir_find(dn, name, len, &pos, &de);
	if (r != 1)
		return r == 0 ? -ENOENT : r;
	de->inode = ino;
	de->file_type = fs->e2_filetype ? ext2_mode_to_ft(mode) : 0;
	bcache_dirty(&fs->e2_bc, pos.bp);
	dir_done(dn, &pos);
	return dir_touch(dn);
}

/*
 * ext2_dir_isempty - whether dn has no entries but "." and "..".
 *  => e2_lock held; 1 (empty), 0 (not), -EIO.
 */
int
ext2_dir_isempty(struct ext2_node *dn)
{
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	memset(&pos, 0, sizeof(pos));
	while ((r = dir_next(dn, &pos, &de)) == 1) {
		if (de->inode == 0 || dirent_is(de, ".", 1) || dirent_is(de, "..", 2))
			continue;
		dir_done(dn, &pos);
		return 0;
	}
	return r == 0 ? 1 : r;
}

/*
 * ext2_dir_init - the first block of a new directory: "." and ".."
 * (pino); dn's link count becomes 2 (its name and its ".").
 *  => e2_lock held; 0; -ENOSPC; -EIO.
 */
int
ext2_dir_init(struct ext2_node *dn, uint32_t pino)
{
	struct ext2_fs *fs = dn->n_fs;
	struct ext2_dirent *dot;
	uint32_t pbn;
	struct buf *bp;
	int error;

	error = ext2_bmap(dn, 0, true, &pbn);
	if (error == 0)
		error = bcache_get(&fs->e2_bc, pbn, &bp);
	if (error != 0)
		return error;
	dot = bp->b_data;
	dirent_fill(fs, dot, 12, ".", 1, dn->n_ino, EXT2_S_IFDIR);
	dirent_fill(fs, (void *)((char *)dot + 12), (uint16_t)(fs->e2_bsize - 12),
	    "..", 2, pino, EXT2_S_IFDIR);
	bcache_release(&fs->e2_bc, bp);
	ext2_node_set_size(dn, fs->e2_bsize);
	dn->n_di.i_links_count = 2;
	return ext2_node_update(dn);
}

/*
 * ext2_dir_read - the first entry in use at or after byte cookie of dn:
 * its inode, DT_ type (0 unknown without the filetype feature), name
 * (NUL-ended, len in *lenp) and the cookie after it in *nextp.
 *  => e2_lock held; 0 (an entry), 1 (the end), -EIO.
 */
int
ext2_dir_read(struct ext2_node *dn, uint64_t cookie, uint32_t *inop,
    uint8_t *typep, char *name, size_t *lenp, uint64_t *nextp)
{
	static const uint8_t ft_to_dt[] = { 0, 8, 4, 2, 6, 1, 12, 10 };
	struct ext2_fs *fs = dn->n_fs;
	struct ext2_dirent *de;
	struct dirpos pos;
	int r;

	memset(&pos, 0, sizeof(pos));
	pos.lbn = cookie / fs->e2_bsize;
	while ((r = dir_next(dn, &pos, &de)) == 1) {
		uint64_t at = pos.lbn * fs->e2_bsize + pos.off;
		if (de->inode == 0 || at < cookie)
			continue;
		*inop = de->inode;
		*typep = de->file_type < ARRAY_SIZE(ft_to_dt) ? ft_to_dt[de->file_type] : 0;
		memcpy(name, de + 1, de->name_len);
		name[de->name_len] = '\0';
		*lenp = de->name_len;
		*nextp = at + de->rec_len;
		dir_done(dn, &pos);
		return 0;
	}
	return r == 0 ? 1 : r;
}
