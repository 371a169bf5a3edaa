/*
 * kern/fs/tmpfs.h - tmpfs: a file system in memory whose file data lives
 * in anonymous objects (aobjs), so it swaps like anonymous memory.
 *
 * The structures are here, not hidden in tmpfs.c, because the tests
 * assert on them (nodes, link counts, directory entries, the budget).
 * Everything else goes through the VFS (kern/vfs/vfs.h): vfsops "tmpfs"
 * and the vnodeops of its files.
 */
#ifndef KERN_FS_TMPFS_H
#define KERN_FS_TMPFS_H

#include "kern/core/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_aobj.h"

#define TMPFS_MAGIC 0x01021994          /* statfs f_type, as Linux */
#define TMPFS_BOGO_DIRENT 20            /* a directory's size per entry, as Linux */
#define TMPFS_LINK_MAX 65000            /* most names of one file */
#define TMPFS_HASH 64                   /* buckets of the ino hash */

struct tmpfs_node;

/* One name in a directory. */
struct tmpfs_dirent {
	TAILQ_ENTRY(tmpfs_dirent) td_entries;   /* in cookie order */
	struct tmpfs_node *td_node;     /* the file it names */
	uint64_t td_cookie;             /* readdir position: never changes */
	uint16_t td_namelen;
	char td_name[];                 /* td_namelen bytes and a NUL */
};
TAILQ_HEAD(tmpfs_dirlist, tmpfs_dirent);

/* One file of a tmpfs mount, whether or not a vnode stands for it now. */
struct tmpfs_node {
	enum vtype tn_type;
	uint64_t tn_ino;
	uint32_t tn_mode;               /* permission bits 07777 */
	uint32_t tn_uid, tn_gid;
	uint32_t tn_links;              /* names (a directory: 2 + subdirectories) */
	uint64_t tn_size;
	int64_t tn_atime, tn_mtime, tn_ctime;   /* ns since 1970 */
	struct vnode *tn_vnode;         /* the vnode while it is in the vcache */
	struct tmpfs_node *tn_hashnext; /* the mount's ino hash */
	TAILQ_ENTRY(tmpfs_node) tn_list;        /* the mount's nodes */
	int tn_seen;                    /* tmpfs_check's scratch count */
	union {
		struct {                /* VREG */
			struct uvm_object *tn_aobj;     /* the data; v_obj */
		} reg;
		struct {                /* VDIR */
			struct tmpfs_dirlist tn_entries;
			uint64_t tn_nentries;
			uint64_t tn_nextcookie;         /* for the next entry */
			struct tmpfs_node *tn_parent;   /* ".." (the root: itself) */
			struct tmpfs_dirent *tn_hint;   /* readdir's last entry */
		} dir;
		struct {                /* VLNK */
			char *tn_target;                /* tn_size bytes and a NUL */
		} lnk;
	};
};

/*
 * One mount.  The budget limits the pages holding file data (aobj pages
 * resident or in swap, uvm/uvm_aobj.h), nr_inodes the nodes.
 */
struct tmpfs_mount {
	struct kmutex tm_lock;          /* the node list, hash, counts */
	struct mount *tm_mp;
	struct tmpfs_node *tm_root;
	struct uao_budget tm_budget;    /* size= in pages; used = held pages */
	uint64_t tm_maxnodes;           /* nr_inodes= (UINT64_MAX: no limit) */
	uint64_t tm_nnodes;             /* on tm_nodes */
	uint64_t tm_nextino;
	TAILQ_HEAD(, tmpfs_node) tm_nodes;
	struct tmpfs_node *tm_hash[TMPFS_HASH];
};

extern const struct vfsops tmpfs_vfsops;
extern const struct vnodeops tmpfs_vnodeops;

/* tmpfs_init - the node pool and vfs_register("tmpfs").  => once, at boot. */
void tmpfs_init(void);

/* tmpfs_node_of - the node behind a tmpfs vnode. */
struct tmpfs_node *tmpfs_node_of(struct vnode *vp);
/* tmpfs_mount_of - the tmpfs_mount of a tmpfs mount. */
struct tmpfs_mount *tmpfs_mount_of(struct mount *mp);

/*
 * tmpfs_parse_opts - the mount options "size=16m,nr_inodes=100,mode=1777"
 * into pages, nodes and the root's mode (sizes: bytes with k, m, g, t or
 * % of RAM; 0 means no limit).  => 0 or -EINVAL.  Exported for tests.
 */
struct tmpfs_args {
	uint64_t ta_pages, ta_nodes;
	uint32_t ta_mode, ta_uid, ta_gid;
};
int tmpfs_parse_opts(const char *opts, struct tmpfs_args *ta);

/*
 * tmpfs_mount_private - a tmpfs mount on no directory and off the mount
 * list (memfd_create's files, the tests'): *mpp with its root in
 * mnt_root.  tmpfs_unmount_private - undo it; -EBUSY while any vnode but
 * the root is referenced, or the root by anyone else.
 *  => no vnode lock held; may sleep.
 */
int tmpfs_mount_private(const char *opts, struct mount **mpp);
int tmpfs_unmount_private(struct mount *mp);

/*
 * tmpfs_create_unlinked - a regular file with no name on mp (a tmpfs
 * mount), its vnode referenced in *vpp: it lives until the last
 * reference goes.  tmpfs_memfd_vnode - the same on the private mount of
 * memfd_create(2) (mode 0777, no size limit).
 *  => 0, -ENOSPC (nr_inodes), -ENOMEM; may sleep.
 */
int tmpfs_create_unlinked(struct mount *mp, uint32_t mode, struct vnode **vpp);
int tmpfs_memfd_vnode(struct vnode **vpp);

/*
 * tmpfs_boot - at boot, once "/" is mounted: tmpfs on /tmp and /dev/shm
 * (Linux's defaults: half of RAM, mode 1777), and memfd's private mount.
 * A failure is printed with pr, not fatal.  => thread context; sleeps.
 */
void tmpfs_boot(kprint_fn pr);

/* tmpfs_check - the vfs_check of a tmpfs mount (also for tests). */
int tmpfs_check(struct mount *mp, kprint_fn pr);

/* tmpfs_print - the mount's nodes and their entries. */
void tmpfs_print(struct mount *mp, kprint_fn pr);

#endif
