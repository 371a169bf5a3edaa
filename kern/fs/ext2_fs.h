/*
 * kern/fs/ext2_fs.h - the Second Extended File System: its on-disk
 * format and the in-core structures of a mounted one.
 *
 * The disk, in blocks of 1, 2 or 4 KiB, is cut into block groups:
 *
 *   block 0        1         2..        bb   ib   it ...       data ...
 *   +-----------+---------+-----------+----+----+-----------+----------+
 *   | boot (1K) | super   | group     | bb | ib | inode     | file and |
 *   |           | block   | descs     |    |    | table     | dir data |
 *   +-----------+---------+-----------+----+----+-----------+----------+
 *   \___________ group 0 (blocks_per_group blocks) _____________________/
 *   then group 1, 2, ... (each with a backup superblock and descriptor
 *   copy if it is 0, 1 or a power of 3, 5 or 7 under sparse_super, else
 *   every group), each with its block bitmap (bb), inode bitmap (ib) and
 *   its part of the inode table (it).
 *
 * The superblock always sits at byte 1024; with 1 KiB blocks that is
 * block 1 (s_first_data_block 1), else inside block 0.  Inode i (from
 * 1) is entry (i-1) % inodes_per_group of group (i-1) / inodes_per_group's
 * table.  Inode 2 is the root directory; inodes below s_first_ino are
 * reserved.
 *
 * A file's blocks are found through i_block[15]:
 *
 *   i_block[0..11]  -> data blocks 0..11
 *   i_block[12]     -> indirect block -> apb data blocks
 *   i_block[13]     -> double indirect -> apb indirect -> apb^2 data
 *   i_block[14]     -> triple indirect -> ...            apb^3 data
 *   (apb = block size / 4 addresses per block; 0 = a hole)
 *
 * A directory is a file of variable-length entries {inode, rec_len,
 * name_len, file_type, name} that tile each block exactly; a removed
 * entry is merged into the one before it (its rec_len grows), and the
 * first entry of a block is emptied by setting its inode to 0.
 *
 * In core, one struct ext2_fs per mounted disk holds the superblock and
 * group descriptors (written back at sync), the metadata block cache and
 * the lock; one struct ext2_node per file in use holds a copy of its
 * on-disk inode and the file's vnode-pager object.
 *
 * Locking: fs->e2_lock, a sleeping mutex, covers everything of one file
 * system: the superblock and descriptors, the bitmaps, the block cache,
 * every node's inode copy and block map, and directory contents.  It is
 * taken inside a vnode's v_lock and is held across disk I/O, but never
 * across a call into the VM (uvn_setsize, uvn_flush) or the VFS (vrele,
 * vcache_get), which may come back for it through the pager's bmap.
 */
#ifndef KERN_FS_EXT2_FS_H
#define KERN_FS_EXT2_FS_H

#include "kern/core/mutex.h"
#include "kern/fs/bcache.h"
#include "kern/lib/printf.h"
#include "kern/lib/types.h"
#include "uvm/uvm_vnode.h"

struct blkdev;
struct mount;
struct vnode;

#define EXT2_SUPER_MAGIC 0xEF53
#define EXT2_SB_OFFSET 1024
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR 12
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_NBLOCKS 15
#define EXT2_NAME_MAX 255
#define EXT2_LINK_MAX 32000
#define EXT2_MAX_BSIZE 4096

/* s_state */
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2

/* Features.  Mount refuses incompat ones it does not know; unknown
 * ro_compat ones make the mount read-only. */
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_INCOMPAT_SUPP EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_FEATURE_RO_COMPAT_SUPP \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* i_mode's type bits (the same as Linux's st_mode). */
#define EXT2_S_IFMT 0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK 0120000
#define EXT2_S_IFREG 0100000
#define EXT2_S_IFBLK 0060000
#define EXT2_S_IFDIR 0040000
#define EXT2_S_IFCHR 0020000
#define EXT2_S_IFIFO 0010000
#define EXT2_ISDIR(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFDIR)
#define EXT2_ISREG(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFREG)
#define EXT2_ISLNK(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFLNK)

/* i_flags */
#define EXT2_INDEX_FL 0x00001000        /* hashed directory (we keep it linear) */

/* Directory entries' file_type (EXT2_FEATURE_INCOMPAT_FILETYPE). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHRDEV 3
#define EXT2_FT_BLKDEV 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

/* The superblock (1024 bytes at byte 1024; little-endian like x86). */
struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;      /* block size = 1024 << this */
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime, s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck, s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;           /* 0: fixed inode size, no features */
	uint16_t s_def_resuid, s_def_resgid;
	/* Revision 1 (dynamic) only: */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algo_bitmap;
	uint8_t s_prealloc_blocks, s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest[1024 - 208];
};

/* One group descriptor (32 bytes; the table follows the superblock). */
struct ext2_gd {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint8_t bg_reserved[12];
};

/* An inode: the first 128 bytes (larger inodes have extra we keep as is). */
struct ext2_dinode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime, i_ctime, i_mtime, i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;              /* 512-byte units, indirect blocks too */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;           /* regular files (large_file) */
	uint32_t i_faddr;
	uint8_t i_osd2[12];
};

/* A directory entry's fixed part; the name follows (not NUL-ended). */
struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;              /* name_len's high byte without FILETYPE */
};

#define EXT2_DIRENT_SIZE(namelen) ROUND_UP(8u + (namelen), 4u)

/* A mounted ext2 file system. */
struct ext2_fs {
	struct kmutex e2_lock;          /* see "Locking" above */
	struct blkdev *e2_dev;
	struct mount *e2_mount;         /* NULL when the core is used alone */
	struct bcache e2_bc;
	struct ext2_super e2_sb;        /* in-core copy, written at sync */
	struct ext2_gd *e2_gd;          /* [e2_ngroups], written at sync */
	uint32_t e2_ngroups;
	uint32_t e2_gdblocks;           /* blocks of the descriptor table */
	uint32_t e2_bsize;
	uint32_t e2_apb;                /* block addresses per block */
	uint32_t e2_isize;              /* bytes per on-disk inode */
	uint32_t e2_ipb;                /* inodes per block */
	uint32_t e2_first_ino;          /* first non-reserved inode */
	bool e2_filetype;               /* entries carry file_type */
	bool e2_rdonly;                 /* unknown ro_compat features */
	bool e2_sbdirty;                /* superblock or descriptors changed */
	uint32_t e2_last_group;         /* where the last inode went */
	uint8_t *e2_zombies;            /* [inodes/8+1]: freed inodes whose
	                                   vnode is still cached: not reused
	                                   until it is reclaimed */
};

/* A file in use: its inode, and (regular files) its pager object. */
struct ext2_node {
	struct uvm_vnode n_uvn;         /* v_obj = &n_uvn.u_obj (VREG) */
	struct ext2_fs *n_fs;
	uint32_t n_ino;
	struct ext2_dinode n_di;        /* copy of the on-disk inode */
	struct vnode *n_vnode;          /* NULL when the core is used alone */
	uint32_t n_lastblk;             /* last block allocated: the next goal */
	bool n_released;                /* its inode was freed (no links left) */
};

/* ext2_super.c: mounting, the superblock and descriptors, the checker. */
int ext2_fs_open(struct blkdev *dev, struct ext2_fs **fsp);
int ext2_fs_sync(struct ext2_fs *fs);
int ext2_fs_close(struct ext2_fs *fs);
int ext2_fs_check(struct ext2_fs *fs, kprint_fn pr);
void ext2_fs_print(struct ext2_fs *fs, kprint_fn pr);
uint64_t ext2_fs_group_first(struct ext2_fs *fs, uint32_t g);
uint32_t ext2_fs_group_nblocks(struct ext2_fs *fs, uint32_t g);
bool ext2_fs_group_has_super(struct ext2_fs *fs, uint32_t g);

/* ext2_alloc.c: the bitmaps. */
int ext2_blkalloc(struct ext2_fs *fs, uint32_t goal, uint32_t *bnop);
int ext2_blkfree(struct ext2_fs *fs, uint32_t bno);
int ext2_ialloc(struct ext2_fs *fs, uint32_t pino, bool dir, uint32_t *inop);
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir);
int ext2_bit_test(struct ext2_fs *fs, bool inode, uint32_t n, bool *setp);
void ext2_zombie_set(struct ext2_fs *fs, uint32_t ino, bool zombie);

/* ext2_inode.c: inodes, block maps, truncation. */
int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_dinode *di);
int ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_dinode *di);
int ext2_node_load(struct ext2_fs *fs, uint32_t ino, struct ext2_node **np);
void ext2_node_free(struct ext2_node *n);
int ext2_node_update(struct ext2_node *n);
uint64_t ext2_node_size(const struct ext2_node *n);
void ext2_node_set_size(struct ext2_node *n, uint64_t size);
int ext2_bmap(struct ext2_node *n, uint64_t lbn, bool alloc, uint32_t *pbnp);
int ext2_bmap_run(struct ext2_node *n, uint64_t off, bool alloc,
    uint64_t *daddr, size_t *run);
int ext2_truncate_blocks(struct ext2_node *n, uint64_t size);
int ext2_node_make(struct ext2_fs *fs, uint32_t pino, uint32_t mode,
    struct ext2_node **np);
int ext2_node_release(struct ext2_node *n);
int ext2_file_io(struct ext2_node *n, uint64_t off, void *buf, size_t len,
    bool write);
int ext2_readlink_node(struct ext2_node *n, char *buf, size_t len);
int ext2_symlink_set(struct ext2_node *n, const char *target, size_t len);
uint32_t ext2_now(void);

/* ext2_dir.c: directories. */
int ext2_dir_lookup(struct ext2_node *dn, const char *name, size_t len,
    uint32_t *inop);
int ext2_dir_add(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode);
int ext2_dir_remove(struct ext2_node *dn, const char *name, size_t len);
int ext2_dir_set(struct ext2_node *dn, const char *name, size_t len,
    uint32_t ino, uint32_t mode);
int ext2_dir_isempty(struct ext2_node *dn);
int ext2_dir_init(struct ext2_node *dn, uint32_t pino);
int ext2_dir_read(struct ext2_node *dn, uint64_t cookie, uint32_t *inop,
    uint8_t *typep, char *name, size_t *lenp, uint64_t *nextp);
uint8_t ext2_mode_to_ft(uint32_t mode);

#endif
