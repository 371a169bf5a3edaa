/*
 * kern/vfs/vfs.h - the virtual file system: vnodes, the operations every
 * file system implements, mounts, and path lookup.
 *
 * A vnode is the kernel's handle on one file of one file system,
 * whatever the file system.  Everything above (descriptors, exec, mmap,
 * cwd) holds vnodes; everything below (ramfs, tmpfs, ext2, devfs,
 * procfs) implements struct vnodeops on its own nodes (v_data):
 *
 *   fd 3 -> struct file {off 8192} --+
 *   cwd  ----------------------------+--> vnode {refs 3, VREG, ino 12}
 *   mmap entry -> v_obj (uvm_object) -+      v_ops  = &ext2_vnodeops
 *                                            v_data = ext2 in-core inode
 *                                            v_mount -> mount "/mnt"
 *                                            v_obj  -> the file's pages
 *
 * The file's data lives in ONE place: the pages of v_obj.  read(2) and
 * write(2) copy through those pages (uvm_obj_rdwr) and mmap(2) maps the
 * same object, so a store through a MAP_SHARED mapping is what the next
 * read() returns, with no second cache.  What v_obj is depends on the
 * file system: a tmpfs file's aobj (its pages swap), an ext2 file's
 * vnode-pager object (uvm/uvm_vnode.h: its pages are read from and
 * written back to the disk), an initrd file's memory object.
 *
 * References.  v_refs counts holders: open files, cwds, mappings (a
 * mapping holds v_obj, and a vnode-backed object's reference is a vnode
 * reference), lookups in progress.  When it falls to zero the vnode stays
 * in the vnode cache (vcache) with its pages, so the next open of the
 * same file finds them; vop_inactive is called then (a file with no names
 * left frees its storage there).  The cache keeps at most vfs_maxvnodes
 * unreferenced vnodes: past that the oldest is reclaimed (its dirty pages
 * written back and its pages freed unless VV_KEEPPAGES, vop_reclaim, freed).
 *
 * Mounts.  A mount joins a file system's root to a directory vnode
 * (covered); that directory's v_mountedhere points at the mount, and
 * lookup crosses it both ways ("/mnt" -> the root of the disk, and ".."
 * from that root -> "/").
 *
 * Locking (one CPU today; written for more).  v_lock, a mutex, serializes
 * the operations that change a vnode or, for a directory, its entries:
 * the VFS takes it around each vop that says so below, never across a
 * copy to or from user memory (a fault there may need the same file's
 * pages).  The page fault path never takes v_lock, only v_obj's
 * vmobjlock.  Order: parent directory's v_lock, then the child's; two
 * directories (rename) under the mount's rename lock first; then
 * namecache_lock, then vcache_lock (a name-cache hit takes its reference
 * under both), nothing after them (vfs_vnode.c, vfs_cache.c).  The mount
 * list has vfs_mountlock, taken before any vnode lock, never inside one.
 */
#ifndef KERN_VFS_VFS_H
#define KERN_VFS_VFS_H

#include "kern/core/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"

struct file;
struct mount;
struct uvm_object;
struct vnode;
struct vfs_statfs;

enum vtype { VNON, VREG, VDIR, VLNK, VCHR, VBLK, VFIFO, VSOCK };

#define VFS_NAME_MAX 255
#define VFS_PATH_MAX 4096
#define VFS_SYMLOOP_MAX 40          /* Linux's limit on symlinks per lookup */

/* A transfer between a file and memory (user or kernel). */
struct uio {
	uint64_t base;              /* user address, or kernel pointer */
	size_t resid;               /* bytes still to move */
	uint64_t off;               /* file offset, advanced as bytes move */
	bool kernel;                /* base is a kernel pointer */
};

/* The attributes of a file (getattr fills all; setattr uses va_mask). */
struct vattr {
	enum vtype va_type;
	uint32_t va_mode;           /* permission bits 07777 */
	uint32_t va_nlink;
	uint32_t va_uid, va_gid;
	uint64_t va_ino;
	uint64_t va_size;
	uint64_t va_blocks;         /* 512-byte units allocated */
	uint32_t va_blksize;
	uint64_t va_rdev;           /* devices: Linux's major << 8 | minor */
	uint64_t va_dev;            /* the file system's number (mount) */
	int64_t va_atime_ns, va_mtime_ns, va_ctime_ns;   /* ns since 1970 */
	uint32_t va_mask;           /* setattr: which of the below to change */
};
#define VA_MODE  0x01
#define VA_OWNER 0x02           /* va_uid and va_gid */
#define VA_SIZE  0x04           /* truncate or extend */
#define VA_ATIME 0x08
#define VA_MTIME 0x10

/* One directory entry as readdir hands it over. */
struct vfs_dirent {
	uint64_t ino;
	uint64_t next;              /* the cookie that resumes after this one */
	uint8_t type;               /* Linux's DT_* */
	uint16_t namelen;
	char name[VFS_NAME_MAX + 1];
};

/*
 * What each file system implements.  Unless a line says otherwise:
 *  => dvp / vp referenced by the caller, who keeps its references; a
 *     returned *vpp carries a new reference for the caller.
 *  => "dvp locked": the VFS holds dvp->v_lock across the call (and the
 *     caller checked the name is not "." or ".." and fits NAME_MAX).
 *  => may sleep; return 0 or a negative errno.
 * A NULL operation means the file system does not support it: the VFS
 * answers -EROFS for changes on a read-only file system, else -EPERM
 * or -EINVAL as Linux would.
 */
struct vnodeops {
	/* lookup - the entry name of directory dvp.  => dvp locked; -ENOENT.
	 * name is never "." but may be ".." (the parent; a file system's
	 * root answers itself: the VFS crosses mount points before). */
	int (*vop_lookup)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode **vpp);
	/* create/mkdir/symlink - a new entry (mode: permission bits after
	 * umask).  => dvp locked; the VFS checked the name is absent. */
	int (*vop_create)(struct vnode *dvp, const char *name, size_t len,
	    uint32_t mode, struct vnode **vpp);
	int (*vop_mkdir)(struct vnode *dvp, const char *name, size_t len,
	    uint32_t mode, struct vnode **vpp);
	int (*vop_symlink)(struct vnode *dvp, const char *name, size_t len,
	    const char *target, struct vnode **vpp);
	/* link - a new name for vp (not a directory), same mount.  => dvp locked. */
	int (*vop_link)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode *vp);
	/* remove/rmdir - drop entry name, which is vp.  => dvp and vp locked;
	 * rmdir returns -ENOTEMPTY for a directory with entries. */
	int (*vop_remove)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode *vp);
	int (*vop_rmdir)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode *vp);
	/*
	 * rename - move fdvp/fname (which is fvp) to tdvp/tname, replacing
	 * tvp if not NULL (the VFS checked type compatibility, that tvp is
	 * an empty directory if a directory, and that tdvp is not inside
	 * fvp).  => the mount's rename lock, fdvp and tdvp locked.
	 */
	int (*vop_rename)(struct vnode *fdvp, const char *fname, size_t flen,
	    struct vnode *fvp, struct vnode *tdvp, const char *tname,
	    size_t tlen, struct vnode *tvp);
	/*
	 * read/write - regular files.  NULL: the VFS copies through v_obj
	 * (uvm_obj_rdwr) within va_size and, for write, calls vop_setattr
	 * VA_SIZE to grow the file first.  A file system sets them only
	 * for files without an object.  => vp unlocked (they lock it).
	 */
	int64_t (*vop_read)(struct vnode *vp, struct uio *uio);
	int64_t (*vop_write)(struct vnode *vp, struct uio *uio);
	/* readdir - the entry at *cookie (0: the first) into *d, or 1 at
	 * the end.  => vp locked.  Returns 0 (entry given), 1 (end), -errno. */
	int (*vop_readdir)(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d);
	/* readlink - the target into buf; returns its length (not NUL-ended). */
	int (*vop_readlink)(struct vnode *vp, char *buf, size_t len);
	/* getattr - everything in struct vattr.  => vp locked or not. */
	int (*vop_getattr)(struct vnode *vp, struct vattr *va);
	/* setattr - the fields va_mask names.  VA_SIZE truncates (pages past
	 * the end leave v_obj, uvm_obj_truncate) or extends with a hole.
	 * => vp locked; -ENOSPC, -EFBIG. */
	int (*vop_setattr)(struct vnode *vp, const struct vattr *va);
	/* fsync - write v_obj's dirty pages and the metadata to the disk;
	 * reports a write-back error recorded since the last fsync (-EIO). */
	int (*vop_fsync)(struct vnode *vp, bool dataonly);
	/* open - files whose descriptor is not a plain vnode file (devices,
	 * /proc texts) make it here; NULL for ordinary files.  0 with *fpp
	 * NULL: open this one as a plain vnode file after all (a /proc
	 * directory).  flags: open(2)'s. */
	int (*vop_open)(struct vnode *vp, int flags, struct file **fpp);
	/* inactive - the last reference went (the vnode stays cached): free
	 * the storage of a file with no names left.  => vp locked. */
	void (*vop_inactive)(struct vnode *vp);
	/* reclaim - the vnode leaves the cache: free v_data (dirty pages were
	 * written back first by the VFS). */
	void (*vop_reclaim)(struct vnode *vp);
	/* print - the file system's part of vnode_print. */
	void (*vop_print)(struct vnode *vp, kprint_fn pr);
};

/* v_vflags */
#define VV_MAGICLINK 0x1        /* a VLNK that namei does not follow at the
                                   end: opening it (vop_open) opens what it
                                   stands for (/proc/self/fd/N) */
#define VV_KEEPPAGES 0x2        /* v_obj outlives the vnode (a tmpfs node's
                                   aobj, an initrd file's memobj): reclaim
                                   leaves its pages alone */

struct vnode {
	struct kmutex v_lock;           /* see "Locking" above */
	int v_refs;                     /* holders (atomic) */
	enum vtype v_type;
	uint64_t v_ino;                 /* its number in its file system */
	struct mount *v_mount;          /* the file system it belongs to */
	struct mount *v_mountedhere;    /* VDIR: a file system mounted on it */
	const struct vnodeops *v_ops;
	void *v_data;                   /* the file system's node */
	struct uvm_object *v_obj;       /* VREG: the file's pages (or NULL) */
	uint64_t v_readnext;            /* where the last read(2) ended: a read
	                                   starting there is sequential (a hint,
	                                   read and written unlocked, atomically) */
	bool v_dead;                    /* out of the cache (reclaimed, or its
	                                   load failed): only references remain */
	bool v_loading;                 /* vcache: load in progress (the loader
	                                   holds v_lock; others wait on it) */
	uint32_t v_vflags;              /* VV_*, set by load */
	struct vnode *v_hashnext;       /* vcache: next in its (mount, ino) bucket */
	TAILQ_ENTRY(vnode) v_free;      /* vcache: unreferenced, oldest first */
	TAILQ_ENTRY(vnode) v_mntlist;   /* its mount's vnodes */
};

/* vref - one more reference.  => vp already referenced (or from vcache). */
void vref(struct vnode *vp);
/* vrele - drop one; the last calls vop_inactive.  => vp unlocked; may sleep. */
void vrele(struct vnode *vp);

/* At most this many unreferenced vnodes stay cached (tests lower it). */
extern int vfs_maxvnodes;

/* What the vnode cache did (tests assert on these). */
struct vcache_stats {
	uint64_t vs_numvnodes;          /* vnodes in the cache */
	uint64_t vs_nfree;              /* of them unreferenced (free list) */
	uint64_t vs_hits;               /* vcache_get found it cached */
	uint64_t vs_loads;              /* vcache_get/new made a new one */
	uint64_t vs_reclaims;           /* vnodes reclaimed (LRU or flush) */
};
extern struct vcache_stats vcache_stats;

/*
 * vcache_flush - reclaim every unreferenced vnode of mp (every mount's
 * when mp is NULL): pages written back, vop_reclaim, freed.
 *  => no vnode lock held; may sleep.  Returns how many stay (referenced).
 */
int vcache_flush(struct mount *mp);
/* vcache_tryref - a reference on vp unless it left the cache (the name
 * cache's way to take one).  => true if taken. */
bool vcache_tryref(struct vnode *vp);
/* vcache_next_ref - the vnode of mp after vp (the first: NULL),
 * referenced, or NULL: walk with next = vcache_next_ref(mp, vp);
 * vrele(vp).  => vp referenced by the caller. */
struct vnode *vcache_next_ref(struct mount *mp, struct vnode *vp);
/* vcache_find_obj - the cached vnode whose v_obj is uobj, referenced
 * (vrele it), or NULL.  Walks the whole cache: for queries, not hot paths. */
struct vnode *vcache_find_obj(const struct uvm_object *uobj);
/* vcache_chain_len - how many cached vnodes (of any mount) share the hash
 * chain of (mp, ino): the walk a lookup of it makes.
 *  => no vnode lock held; never sleeps but for vcache_lock. */
int vcache_chain_len(struct mount *mp, uint64_t ino);
/* vcache_check - the vnode accounting (part of vfs_check_all). */
int vcache_check(kprint_fn pr);

/*
 * vcache_get - the vnode for (mp, ino): the cached one with a new
 * reference, or a new one that load fills (v_type, v_ops, v_data, v_obj).
 *  => returns 0 and *vpp referenced; load's error (nothing cached then).
 *  => may sleep.
 */
int vcache_get(struct mount *mp, uint64_t ino,
    int (*load)(struct mount *mp, uint64_t ino, struct vnode *vp),
    struct vnode **vpp);
/* vcache_new - a vnode for a file just created (ino must be new in mp). */
int vcache_new(struct mount *mp, uint64_t ino,
    int (*load)(struct mount *mp, uint64_t ino, struct vnode *vp),
    struct vnode **vpp);

/* The file systems a mount can be of. */
struct vfsops {
	const char *vfs_name;           /* "ext2", "tmpfs", ... */
	/* mount - set mp->mnt_data from source ("/dev/vdc", "none") and
	 * the option string (may be NULL).  -EINVAL: a bad image. */
	int (*vfs_mount)(struct mount *mp, const char *source, const char *opts);
	/* unmount - after the VFS wrote back and reclaimed every vnode. */
	int (*vfs_unmount)(struct mount *mp);
	/* root - the root directory, referenced. */
	int (*vfs_root)(struct mount *mp, struct vnode **vpp);
	int (*vfs_statfs)(struct mount *mp, struct vfs_statfs *st);
	/* sync - write back metadata (the VFS writes the vnodes' pages). */
	int (*vfs_sync)(struct mount *mp);
	/* check - the file system's consistency checker: problems printed
	 * with pr, counted in the return (0: consistent). */
	int (*vfs_check)(struct mount *mp, kprint_fn pr);
};

struct vfs_statfs {
	uint64_t f_type;                /* Linux's magic (EXT2_SUPER_MAGIC ...) */
	uint64_t f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	uint64_t f_namelen;
};

#define MNT_RDONLY 0x1
#define MNT_NOCACHE 0x2         /* names come and go (procfs): the name
                                   cache keeps none of its directories */

struct mount {
	const struct vfsops *mnt_op;
	void *mnt_data;                 /* the file system's */
	struct vnode *mnt_covered;      /* the directory it sits on (NULL: /) */
	uint64_t mnt_dev;               /* st_dev of its files */
	int mnt_flags;                  /* MNT_* */
	char mnt_path[VFS_PATH_MAX / 16];   /* where, for /proc/mounts */
	char mnt_source[32];            /* what, for /proc/mounts */
	struct vnode *mnt_root;         /* its root, referenced while mounted */
	struct kmutex mnt_renamelock;
	TAILQ_HEAD(, vnode) mnt_vnodes;
	TAILQ_ENTRY(mount) mnt_list;
};

/* vfs_register - make a file system type known to mount(2). */
/* (The VFS registers nothing itself: each file system's init does.) */
void vfs_register(const struct vfsops *ops);

/*
 * vfs_mount - mount a file system of type fstype from source on path
 * (NULL: as the root).  => returns 0; -ENODEV (no such type), -ENOENT,
 * -ENOTDIR, -EBUSY (something mounted there), the file system's error.
 */
int vfs_mount(const char *fstype, const char *source, const char *path,
    int flags, const char *opts);
/*
 * vfs_mount_cross_down - the root of the file system mounted on vp,
 * referenced, or NULL if none is (any more).  Read under the mount lock,
 * so an unmount cannot free the root between the look and the reference.
 *  => vp referenced; any lock but vfs_crosslock may be held (a leaf
 *     spin lock taken here).
 */
struct vnode *vfs_mount_cross_down(struct vnode *vp);
/* vfs_unmount - write back, reclaim, detach.  -EBUSY if a vnode is in use. */
int vfs_unmount(const char *path, int flags);
/* vfs_sync_all - sync(2): every mount's pages and metadata. */
int vfs_sync_all(void);
/* vfs_check_all - every mount's checker and the vnode accounting. */
int vfs_check_all(kprint_fn pr);
/* vfs_flush_caches - purge the name cache, reclaim every unreferenced
 * vnode and free the initrd files' cached pages that nothing maps (the
 * leak check's quiet point).  Returns vcache_flush's count. */
int vfs_flush_caches(void);
/* vfs_mounts_text - /proc/mounts as a kmem buffer (*lenp + 1 bytes,
 * NUL-ended, freed by the caller).  => 0 or -ENOMEM. */
int vfs_mounts_text(char **textp, size_t *lenp);
/* vfs_print_mounts - one line per mount, with its root's references. */
void vfs_print_mounts(kprint_fn pr);
/* vfs_rootvp - the root directory "/", referenced; NULL before the root
 * is mounted. */
struct vnode *vfs_rootvp(void);
/*
 * vfs_cwd - the calling process's working directory, referenced for the
 * caller (vrele it): p_cwd, or the root for a kernel thread.  Defined
 * by the descriptor layer (kern/vfs/vfs_vnops.c), which knows struct proc.
 */
struct vnode *vfs_cwd(void);

/*
 * vfs_access - may the calling process (uid 0, gid 0) do mode
 * (VFS_R|VFS_W|VFS_X) to vp?  Linux's check: the mode bits, then the
 * capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (which every
 * process holds unless it dropped them: then reading and writing always,
 * executing a non-directory only with an x bit).  Writes to a read-only
 * mount: -EROFS.
 *  => returns 0 or -EACCES / -EROFS.  Calls vop_getattr; may sleep.
 */
#define VFS_X 1
#define VFS_W 2
#define VFS_R 4
int vfs_access(struct vnode *vp, int mode);

/* Flags of namei. */
#define NAMEI_FOLLOW 0x1                /* follow a symlink at the end */
#define NAMEI_PARENT 0x2                /* stop at the parent (see below) */

/*
 * namei - resolve path (relative paths from dirvp, or the process's cwd
 * when dirvp is NULL) to a referenced vnode.
 *  => path is kernel memory (the system call copied it in); paths of
 *     VFS_PATH_MAX bytes or more, or a component longer than
 *     VFS_NAME_MAX, give -ENAMETOOLONG; "" gives -ENOENT.
 *  => symlinks in the middle are always followed, the last one only with
 *     NAMEI_FOLLOW or when a slash follows it; more than VFS_SYMLOOP_MAX
 *     in one lookup: -ELOOP.  A VV_MAGICLINK at the end is never
 *     followed (it is the result).  A trailing slash requires a directory
 *     (-ENOTDIR).  ".." of "/" is "/"; ".." of a mounted root is the
 *     ".." of the directory it covers.
 *  => with NAMEI_PARENT: *vpp is the parent directory and the last
 *     component is copied to last (VFS_NAME_MAX + 1 bytes); the final
 *     vnode, if it exists, is not looked up.  The last component may be
 *     "." or ".." (the caller refuses them as Linux does) and is "" for
 *     "/" itself.
 *  => returns 0; -ENOENT (also: nothing mounted as / yet), -ENOTDIR,
 *     -ENAMETOOLONG, -ELOOP, -EACCES, -ENOMEM.
 *  => may sleep; takes each directory's v_lock around its vop_lookup;
 *     uses the name cache except in MNT_NOCACHE mounts.
 */
int namei(struct vnode *dirvp, const char *path, int flags,
    struct vnode **vpp, char *last);
/* namei_parent - namei with NAMEI_PARENT that also says whether the path
 * ended in a slash ("a/b/": last "b", *trailslash true). */
int namei_parent(struct vnode *dirvp, const char *path, struct vnode **dvpp,
    char *last, bool *trailslash);

/*
 * The name cache: (directory vnode, name) -> vnode, so a lookup of a
 * recent name skips vop_lookup.  It holds no references: an entry goes
 * when either vnode is reclaimed or the name is removed or renamed
 * (cache_purge).  Names longer than NCHNAMLEN are not cached; ".", ".."
 * never are.
 */
#define NCHNAMLEN 31
/* cache_lookup - the cached vnode, referenced, or NULL (a miss). */
struct vnode *cache_lookup(struct vnode *dvp, const char *name, size_t len);
/* cache_enter - remember dvp/name -> vp (replaces an older entry). */
void cache_enter(struct vnode *dvp, const char *name, size_t len,
    struct vnode *vp);
/* cache_purge - forget every entry naming vp (as directory or as result). */
void cache_purge(struct vnode *vp);
/* cache_purge_name - forget dvp/name (unlink, rename, rmdir). */
void cache_purge_name(struct vnode *dvp, const char *name, size_t len);
/* cache_revlookup - the way back: a cached name of vp, into name (size
 * bytes), and its directory, referenced (vrele it); NULL if the cache
 * holds no name of vp (/proc/PID/maps names a mapped file with it). */
struct vnode *cache_revlookup(struct vnode *vp, char *name, size_t size);
/* cache_purgeall - forget everything. */
void cache_purgeall(void);

struct namecache_stats {
	uint64_t nc_hits, nc_misses;    /* cache_lookup's answers */
	uint64_t nc_enters;             /* cache_enter calls that stored one */
	uint64_t nc_purges;             /* entries dropped by purges */
	uint64_t nc_entries;            /* entries in use now */
};
extern struct namecache_stats namecache_stats;
/* cache_check - each entry's vnodes alive and hashed right. */
int cache_check(kprint_fn pr);

/* vnode_print / vnode_check: the printer and checker (refs, cache lists). */
void vnode_print(struct vnode *vp, kprint_fn pr);
int vnode_check(struct vnode *vp, kprint_fn pr);

#endif
