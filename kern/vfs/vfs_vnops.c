/*
 * kern/vfs/vfs_vnops.c - a file descriptor open on a vnode: read, write,
 * lseek, fstat, getdents64 and close of struct file, in the file
 * system's terms (vnodeops).
 *
 *   fd 3 --> struct file {off 5000, O_RDWR, ops = &vn_fileops}
 *                  | vp (one reference, dropped by close)
 *                  v
 *            vnode {VREG, v_obj} --> the file's pages (uvm object)
 *
 * A write moves the bytes one page-sized piece at a time through a
 * kernel bounce buffer:
 *
 *   write(fd, ubuf, 6000) at off 5000:
 *     piece 1: copyin ubuf[0..3192)      -> buf   (no lock held)
 *              lock vp; size 5000 < 8192: vop_setattr VA_SIZE 8192
 *              uvm_obj_rdwr(v_obj, 5000, buf, 3192, write); unlock
 *     piece 2: copyin ubuf[3192..6000)   -> buf
 *              lock vp; grow to 11000; uvm_obj_rdwr(8192, 2808); unlock
 *
 * The copyin happens with no lock held and no page busy: if the user
 * buffer is a mapping of this very file, its fault finds the page
 * unbusied and the object unlocked (a fault on a busy page it is itself
 * holding would wait forever).  A read copies once where it can: straight
 * from the file's busy page to the user, under v_lock, with a copy that
 * fails rather than fault (copyout_nofault), which succeeds whenever the
 * user's pages are mapped writable, as a buffer in use is; a piece whose
 * copy would fault is read again into the bounce page and copied out
 * with nothing held (vn_read_one; a page not mapped yet, a copy-on-write
 * page, a bad pointer):
 *
 *   read(fd, ubuf, 4096), ubuf mapped:  page -> ubuf            (direct)
 *   ubuf never touched yet:             page -> bounce; unlock;
 *                                       copyout(bounce -> ubuf) (bounced)
 *
 * v_lock is held from the size check through uvm_obj_rdwr, so a truncate
 * cannot slip in between (the pager's uvn_bmap is therefore called with
 * v_lock held on this path, and without it from the fault path: it must
 * not take v_lock itself).
 *
 * A write past the end first grows the file (vop_setattr VA_SIZE, which
 * also says -ENOSPC/-EFBIG before any byte moves); if the copy into the
 * page then fails the size goes back, so no grown hole stays behind.
 * O_APPEND takes the size as the offset under the same lock.  A file
 * system that keeps no object (vop_read/vop_write set) does its own.
 *
 * Directories are read with getdents64: f->off is then the file system's
 * readdir cookie, and each linux_dirent64's d_off the cookie after it,
 * so lseek(fd, d_off, SEEK_SET) resumes there.  A removed directory
 * (no links) lists nothing: -ENOENT, as Linux says.
 *
 * SEEK_DATA and SEEK_HOLE ask the file's object a page at a time: an
 * aobj page (tmpfs) is data while resident or in swap, a vnode-pager page
 * (ext2) while resident or given a disk block by uvn_bmap; a file of any
 * other object is data from 0 to its end, with the implicit hole there.
 *
 * A file also remembers the directory and the name it was opened as
 * (f->dvp, f->name), which is how /proc/PID/fd/N names it: a vnode keeps
 * no name, and only a directory can find its own by walking ".."
 * (vn_path in kern/sys/sys_vfs.c).
 *
 * Write-back errors: a page that failed to reach the disk leaves the
 * error in its vnode-pager object (u_error, uvm/uvm_vnode.h);
 * the next fsync or fdatasync reports it (-EIO), once, as Linux's local
 * file systems do.  close reports nothing.
 *
 * Locking: the file's offset takes no lock (file.c says why); v_lock as
 * above, never across copyin/copyout (only across copyout_nofault, which
 * never enters the fault handler and so takes no lock).  Order: v_lock, then the object's
 * vmobjlock (taken inside uvm_obj_rdwr).
 */
#include "kern/vfs/vfs_vnops.h"
#include "kern/vfs/vfs.h"
#include "kern/arch/uaccess.h"
#include "kern/core/clock.h"
#include "kern/fs/file.h"
#include "kern/fs/ramfs.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_vnode.h"

#define VN_EPOCH_AT_BOOT 1767225600LL   /* as sys_time.c: 2026-01-01 */
#define VN_MAXOFF ((uint64_t)INT64_MAX)

/* Where namei starts: p_cwd, or "/" for a kernel thread. */
struct vnode *
vfs_cwd(void)
{
	struct proc *p = curthread != NULL ? curproc : NULL;
	struct vnode *vp = p != NULL ? proc_cwd_ref(p) : NULL;

	return vp != NULL ? vp : vfs_rootvp();  /* chdir may swap it now: ours is held */
}

int64_t
vn_time_now(void)
{
	return VN_EPOCH_AT_BOOT * 1000000000LL + (int64_t)clock_ns();
}

uint32_t
vn_mode(const struct vattr *va)
{
	static const uint32_t type_bits[] = {
		[VNON] = 0, [VREG] = S_IFREG, [VDIR] = S_IFDIR,
		[VLNK] = S_IFLNK, [VCHR] = S_IFCHR, [VBLK] = 0060000,
		[VFIFO] = S_IFIFO, [VSOCK] = 0140000,
	};

	return type_bits[va->va_type] | (va->va_mode & 07777);
}

int
vn_getattr(struct vnode *vp, struct vattr *va)
{
	int error;

	memset(va, 0, sizeof(*va));
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_getattr(vp, va);
	mutex_exit(&vp->v_lock);
	return error;
}

/* The VFS's refusal of a change the file system cannot make. */
static int
vn_cannot_change(struct vnode *vp)
{
	return (vp->v_mount->mnt_flags & MNT_RDONLY) ? -EROFS : -EPERM;
}

/* chmod's rule: the owner (uid 0, the caller's) or CAP_FOWNER, else -EPERM. */
static int
vn_owner_or_capable(struct vnode *vp)
{
	struct vattr cur;
	int error;

	if (capable(CAP_FOWNER))
		return 0;
	if ((error = vn_getattr(vp, &cur)) != 0)
		return error;
	return cur.va_uid == 0 ? 0 : -EPERM;
}

int
vn_setattr(struct vnode *vp, struct vattr *va)
{
	int error;

	if (vp->v_mount->mnt_flags & MNT_RDONLY)
		return -EROFS;
	if ((va->va_mask & VA_MODE) && (error = vn_owner_or_capable(vp)) != 0)
		return error;
	if (vp->v_ops->vop_setattr == NULL)
		return vn_cannot_change(vp);
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_setattr(vp, va);
	mutex_exit(&vp->v_lock);
	return error;
}

int
vn_truncate(struct vnode *vp, uint64_t size)
{
	struct vattr va;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (vp->v_type != VREG)
		return -EINVAL;
	if (size > VN_MAXOFF)
		return -EFBIG;
	memset(&va, 0, sizeof(va));
	va.va_mask = VA_SIZE | VA_MTIME;
	va.va_size = size;
	va.va_mtime_ns = vn_time_now();
	return vn_setattr(vp, &va);
}

int
vn_stat(struct vnode *vp, struct linux_stat *st)
{
	struct vattr va;
	int error = vn_getattr(vp, &va);

	if (error != 0)
		return error;
	memset(st, 0, sizeof(*st));
	st->st_dev = va.va_dev;
	st->st_ino = va.va_ino;
	st->st_nlink = va.va_nlink;
	st->st_mode = vn_mode(&va);
	st->st_uid = va.va_uid;
	st->st_gid = va.va_gid;
	st->st_rdev = va.va_rdev;
	st->st_size = (int64_t)va.va_size;
	st->st_blksize = va.va_blksize != 0 ? va.va_blksize : PAGE_SIZE;
	st->st_blocks = (int64_t)va.va_blocks;
	st->st_atime = (uint64_t)(va.va_atime_ns / 1000000000);
	st->st_atime_ns = (uint64_t)(va.va_atime_ns % 1000000000);
	st->st_mtime = (uint64_t)(va.va_mtime_ns / 1000000000);
	st->st_mtime_ns = (uint64_t)(va.va_mtime_ns % 1000000000);
	st->st_ctime = (uint64_t)(va.va_ctime_ns / 1000000000);
	st->st_ctime_ns = (uint64_t)(va.va_ctime_ns % 1000000000);
	return 0;
}

/* ---- read and write ---- */

/* A file system's own vop_read/vop_write on the user buffer. */
static int64_t
vn_rdwr_fs(struct vnode *vp, uint64_t ubuf, size_t len, uint64_t *off,
    bool write)
{
	struct uio uio = { .base = ubuf, .resid = len, .off = *off };
	int64_t n = write ? vp->v_ops->vop_write(vp, &uio) :
	    vp->v_ops->vop_read(vp, &uio);

	if (n > 0)
		*off += (uint64_t)n;
	return n;
}

/* The piece of [off, off + want) that stays within off's page. */
static size_t
vn_piece(uint64_t off, size_t want)
{
	return MIN(want, PAGE_SIZE - (size_t)(off & PAGE_MASK));
}

/*
 * read(2)'s copy straight from the file's page to the user (vn_read_one),
 * moving its place along as the pages' bytes come: copyout_nofault, which
 * fails rather than enter the fault handler (the page is busy and v_lock
 * held); a hole's zeros come from a page of zeros.  The other way, into
 * the bounce buffer, is uvm_obj_copy_kbuf's plain copy.
 */
static const uint8_t vn_zeros[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static int
vn_copy_direct(void *arg, const void *src, size_t n)
{
	uint64_t *ubuf = arg;
	int error = copyout_nofault(src != NULL ? src : vn_zeros, *ubuf, n);

	*ubuf += n;
	return error;
}

/*
 * Read one piece at off, its bytes handed to copy(arg, ...): *n bytes (0
 * at or past the end), the pager told advice and that the read goes on
 * over want bytes (its window: a miss reads them in the same request).
 * => vp unlocked; takes v_lock around the size check and the copy.
 */
static int
vn_read_piece(struct vnode *vp, uint64_t off, size_t want, int advice,
    uvm_obj_copy_fn copy, void *arg, size_t *n)
{
	struct vattr va;
	int error;

	*n = 0;
	memset(&va, 0, sizeof(va));
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_getattr(vp, &va);
	if (error == 0 && off < va.va_size) {
		*n = MIN(vn_piece(off, want), (size_t)(va.va_size - off));
		error = uvm_obj_read_to(vp->v_obj, off, *n,
		    MIN(want, (size_t)(va.va_size - off)), advice, copy, arg);
	}
	mutex_exit(&vp->v_lock);
	return error;
}

/*
 * A read that starts where the file's last read ended is sequential (a
 * stream: cat, cp, a program loading its data), as FreeBSD and Linux
 * judge it, by history rather than by the size of one call: the pager
 * then reads the largest cluster ahead on a miss (the vnode pager's
 * UVM_ADV_SEQUENTIAL) and leaves the pages on the inactive queue, first
 * to go, as a stream read once should (uvm_obj_read_to).  Any other read
 * is random, and a miss reads what the call asks for, no more (in one
 * request, as the call's window: uvm_obj_read_to): a page read around a
 * random 4 KiB pread is a transfer nobody asked for, as Linux judges it
 * too ("read as is" for a small read that follows no stream).  A fault
 * on a mapping keeps its entry's advice, normal by default (4 pages
 * back, 11 ahead).  The hint is per vnode, not per open file: two
 * readers of one file at once look random, which costs read-ahead (a
 * request per call), not correctness.
 *
 *   pread(fd, buf, 4096, 40 << 12)      page 40 alone        1 request
 *   pread(fd, buf, 8192, 80 << 12)      pages 80, 81         1 request
 *   pread(fd, buf, 4096, 82 << 12)      page 82 and 31 more  1 request
 */
static int
vn_read_advice(const struct vnode *vp, uint64_t off)
{
	return off == __atomic_load_n(&vp->v_readnext, __ATOMIC_RELAXED) ?
	    UVM_ADV_SEQUENTIAL : UVM_ADV_RANDOM;
}

struct vn_read_counts vn_read_counts;

/*
 * One piece of read(2) at off to the user's ubuf: straight from the
 * file's page while the user's pages are mapped writable, which is the
 * common case (one copy); else through the bounce page, taken at the
 * first need and kept for the call, then copyout with nothing held, so
 * a fault on the user buffer - even on a mapping of this very page - is
 * an ordinary fault.  A direct copy that failed part way leaves the
 * bytes it wrote, which the second pass writes again - unless the buffer
 * is a mapping of the bytes being read and the first pass changed them,
 * or the file was truncated in between: then what lies past the count
 * returned is undefined, as POSIX allows, and the bytes returned are the
 * file's as it is at the second pass (Linux, copying straight from its
 * page too, behaves alike).  => *n as vn_read_piece.
 */
static int
vn_read_one(struct vnode *vp, uint64_t off, uint64_t ubuf, size_t want,
    int advice, char **bounce, size_t *n)
{
	uint64_t to = ubuf;
	char *p;
	int error = vn_read_piece(vp, off, want, advice, vn_copy_direct, &to, n);

	if (error != -EFAULT) {
		if (error == 0 && *n > 0)
			__atomic_add_fetch(&vn_read_counts.direct, 1, __ATOMIC_RELAXED);
		return error;
	}
	if (*bounce == NULL && (*bounce = kmem_alloc(PAGE_SIZE, 0)) == NULL)
		return -ENOMEM;
	p = *bounce;
	error = vn_read_piece(vp, off, want, advice, uvm_obj_copy_kbuf, &p, n);
	if (error == 0 && *n > 0) {
		__atomic_add_fetch(&vn_read_counts.bounced, 1, __ATOMIC_RELAXED);
		if (copyout(*bounce, ubuf, *n) != 0)
			error = -EFAULT;
	}
	return error;
}

int64_t
vn_read(struct vnode *vp, uint64_t ubuf, size_t len, uint64_t *off)
{
	size_t done = 0, n = 0;
	int error = 0, advice = vn_read_advice(vp, *off);
	char *bounce = NULL;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (vp->v_ops->vop_read != NULL)
		return vn_rdwr_fs(vp, ubuf, len, off, false);
	if (vp->v_obj == NULL)
		return -EINVAL;
	while (done < len && *off < VN_MAXOFF) {
		error = vn_read_one(vp, *off, ubuf + done, len - done, advice,
		    &bounce, &n);
		if (error != 0 || n == 0)
			break;
		done += n;
		*off += n;
	}
	if (bounce != NULL)
		kmem_free(bounce, PAGE_SIZE);
	if (done > 0)
		__atomic_store_n(&vp->v_readnext, *off, __ATOMIC_RELAXED);
	return done > 0 ? (int64_t)done : error;
}

/* vop_setattr of the size alone.  => vp locked. */
static int
vn_resize_locked(struct vnode *vp, uint64_t size)
{
	struct vattr va;

	memset(&va, 0, sizeof(va));
	va.va_mask = VA_SIZE;
	va.va_size = size;
	return vp->v_ops->vop_setattr(vp, &va);
}

/*
 * Write n bytes of buf (one piece) at *off, or at the end if append
 * (then *off becomes the end first).  Grows the file first; puts the
 * size back if the copy fails.  => vp unlocked; takes v_lock.
 */
static int
vn_write_piece(struct vnode *vp, uint64_t *off, const char *buf, size_t n,
    bool append)
{
	struct vattr va;
	int error;

	memset(&va, 0, sizeof(va));
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_getattr(vp, &va);
	if (error == 0 && append)
		*off = va.va_size;
	if (error == 0 && *off + n > VN_MAXOFF)
		error = -EFBIG;
	if (error == 0 && *off + n > va.va_size)
		error = vn_resize_locked(vp, *off + n);
	if (error == 0) {
		error = uvm_obj_rdwr(vp->v_obj, *off, (void *)buf, n, true);
		if (error != 0 && *off + n > va.va_size)
			(void)vn_resize_locked(vp, va.va_size);
	}
	mutex_exit(&vp->v_lock);
	return error;
}

/* After a write: the modification time is now. */
static void
vn_touch(struct vnode *vp)
{
	struct vattr va;

	memset(&va, 0, sizeof(va));
	va.va_mask = VA_MTIME;
	va.va_mtime_ns = vn_time_now();
	mutex_enter(&vp->v_lock);
	(void)vp->v_ops->vop_setattr(vp, &va);
	mutex_exit(&vp->v_lock);
}

/* The checks before a write: 0, or the error that refuses it. */
static int
vn_write_check(struct vnode *vp, uint64_t ubuf, size_t len)
{
	if (vp->v_type == VDIR)
		return -EISDIR;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (vp->v_mount->mnt_flags & MNT_RDONLY)
		return -EROFS;
	if (vp->v_ops->vop_write == NULL &&
	    (vp->v_obj == NULL || vp->v_ops->vop_setattr == NULL))
		return -EINVAL;
	return 0;
}

int64_t
vn_write(struct vnode *vp, uint64_t ubuf, size_t len, uint64_t *off,
    bool append)
{
	size_t done = 0;
	int error = vn_write_check(vp, ubuf, len);
	char *buf;

	if (error != 0)
		return error;
	if (vp->v_ops->vop_write != NULL)
		return vn_rdwr_fs(vp, ubuf, len, off, true);
	if ((buf = kmem_alloc(PAGE_SIZE, 0)) == NULL)
		return -ENOMEM;
	while (done < len) {
		size_t n = vn_piece(*off, len - done);
		if (copyin(ubuf + done, buf, n) != 0) {
			error = -EFAULT;
			break;
		}
		error = vn_write_piece(vp, off, buf, n, append && done == 0);
		if (error != 0)
			break;
		done += n;
		*off += n;
	}
	kmem_free(buf, PAGE_SIZE);
	if (done > 0)
		vn_touch(vp);
	return done > 0 ? (int64_t)done : error;
}

/* ---- the rest of a file's life ---- */

/* The write-back error pending on vp (0: none), cleared: reported once. */
static int
vn_take_error(struct vnode *vp)
{
	if (vp->v_obj != NULL && uvn_is_vnode(vp->v_obj))
		return uvn_take_error((struct uvm_vnode *)vp->v_obj);
	return 0;       /* tmpfs, the initrd: no write-back, no error */
}

int
vn_fsync(struct vnode *vp, bool dataonly)
{
	int error = 0, pending;

	if (vp->v_ops->vop_fsync != NULL)
		error = vp->v_ops->vop_fsync(vp, dataonly);
	pending = vn_take_error(vp);
	return error != 0 ? error : pending;
}

/*
 * Does the file hold data in its page at pgoff, or is that a hole?  What
 * the object knows: an aobj page is data while resident or in swap; a
 * vnode-pager page while resident or mapped to a disk block (uvn_bmap);
 * any other object is all data.
 */
static bool
vn_page_is_data(struct vnode *vp, voff_t pgoff)
{
	struct uvm_object *uobj = vp->v_obj;
	struct uvm_vnode *uvn = (struct uvm_vnode *)uobj;
	uint64_t daddr = 0;
	size_t run;
	bool data;

	if (uobj == NULL || (!uao_is_aobj(uobj) &&
	    !uvn_is_vnode(uobj)))
		return true;
	mutex_enter(&uobj->vmobjlock);
	data = uvm_obj_page_lookup(uobj, pgoff) != NULL;
	if (!data && uao_is_aobj(uobj) && (pgoff >> PAGE_SHIFT) < (voff_t)uao_npages(uobj))
		data = uao_find_swslot(uobj, (int)(pgoff >> PAGE_SHIFT)) != 0;
	mutex_exit(&uobj->vmobjlock);
	if (!data && !uao_is_aobj(uobj))
		data = uvn->u_ops->uvn_bmap(uvn, pgoff, false, &daddr, &run) != 0 ||
		    daddr != UVN_HOLE;
	return data;
}

/*
 * SEEK_DATA (data) or SEEK_HOLE: the first offset at or after off, before
 * size, that is data (or a hole), a page at a time; the end of the file
 * counts as a hole.  => the offset, or -ENXIO (no data after off).
 */
static int64_t
vn_seek_hole(struct vnode *vp, uint64_t off, uint64_t size, bool data)
{
	for (uint64_t pg = off & ~(uint64_t)PAGE_MASK; pg < size; pg += PAGE_SIZE)
		if (vn_page_is_data(vp, pg) == data)
			return (int64_t)MAX(pg, off);
	return data ? -ENXIO : (int64_t)size;
}

int64_t
vn_lseek(struct file *f, int64_t off, int whence)
{
	struct vattr va;
	int64_t base = 0;
	int error;

	if (whence == SEEK_CUR)
		base = (int64_t)f->off;
	else if (whence >= SEEK_END && whence <= SEEK_HOLE) {
		if ((error = vn_getattr(f->vp, &va)) != 0)
			return error;
		base = (int64_t)va.va_size;
	} else if (whence != SEEK_SET)
		return -EINVAL;
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		if (off < 0 || off >= base)
			return -ENXIO;          /* Linux's answer for both */
		base = vn_seek_hole(f->vp, (uint64_t)off, (uint64_t)base,
		    whence == SEEK_DATA);
		if (base < 0)
			return base;
		off = 0;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (int64_t)f->off;
}

/* Linux's struct linux_dirent64: ino, off, reclen, type, name. */
#define VN_DIRENT_HDR 19

/* One entry as a linux_dirent64 in rec; its length. */
static size_t
vn_dirent_rec(const struct vfs_dirent *d, uint8_t *rec)
{
	uint16_t reclen = (uint16_t)ROUND_UP(VN_DIRENT_HDR + d->namelen + 1, 8);

	memset(rec, 0, reclen);
	memcpy(rec, &d->ino, 8);
	memcpy(rec + 8, &d->next, 8);
	memcpy(rec + 16, &reclen, 2);
	rec[18] = d->type;
	memcpy(rec + VN_DIRENT_HDR, d->name, d->namelen);
	return reclen;
}

/* The entry at cookie into *d: 0, 1 at the end, -errno. */
static int
vn_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	int error;

	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_readdir(vp, cookie, d);
	mutex_exit(&vp->v_lock);
	if (error == 0 && d->namelen > VFS_NAME_MAX)
		error = -EIO;
	return error;
}

int64_t
vn_getdents(struct file *f, uint64_t ubuf, size_t len)
{
	uint8_t rec[ROUND_UP(VN_DIRENT_HDR + VFS_NAME_MAX + 1, 8)];
	struct vfs_dirent d;
	struct vattr va;
	size_t out = 0;
	int error;

	if (f->vp->v_type != VDIR || f->vp->v_ops->vop_readdir == NULL)
		return -ENOTDIR;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if ((error = vn_getattr(f->vp, &va)) != 0)
		return error;
	if (va.va_nlink == 0)
		return -ENOENT;         /* a removed directory, as Linux says */
	while ((error = vn_readdir(f->vp, f->off, &d)) == 0) {
		size_t reclen = vn_dirent_rec(&d, rec);
		if (out + reclen > len) {
			error = out > 0 ? 0 : -EINVAL;
			break;
		}
		if (copyout(rec, ubuf + out, reclen) != 0) {
			error = -EFAULT;
			break;
		}
		out += reclen;
		f->off = d.next;
	}
	if (error < 0)
		return out > 0 ? (int64_t)out : error;
	return (int64_t)out;
}

/* ---- struct fileops ---- */

static int64_t
vn_fop_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	return vn_read(f->vp, ubuf, len, off);
}

static int64_t
vn_fop_write(struct file *f, uint64_t ubuf, size_t len)
{
	return vn_write(f->vp, ubuf, len, &f->off, (f->flags & O_APPEND) != 0);
}

/* close: the vnode references go; errors wait for fsync (see above). */
static void
vn_fop_close(struct file *f)
{
	struct vnode *vp = f->vp, *dvp = f->dvp;

	f->vp = f->dvp = NULL;
	if (f->name != NULL)
		kmem_free(f->name, strlen(f->name) + 1);
	f->name = NULL;
	if (dvp != NULL)
		vrele(dvp);
	if (vp != NULL)
		vrele(vp);
}

static int
vn_fop_stat(struct file *f, struct linux_stat *st)
{
	return vn_stat(f->vp, st);
}

const struct fileops vn_fileops = {
	.read = vn_fop_read,
	.write = vn_fop_write,
	.close = vn_fop_close,
	.stat = vn_fop_stat,
	.poll = file_poll_ready,    /* a file on disk never makes one wait */
};

bool
vn_is_file(const struct file *f)
{
	return f->ops == &vn_fileops && f->vp != NULL;
}

/* The open flags a struct file keeps. */
#define VN_FILE_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH)

int
vn_file_open(struct vnode *vp, int flags, struct file **fpp)
{
	struct file *f;
	int error;

	*fpp = NULL;
	if (!(flags & O_PATH) && vp->v_ops->vop_open != NULL) {
		error = vp->v_ops->vop_open(vp, flags, fpp);
		if (error != 0 || *fpp != NULL)
			return error;       /* its own file (or a shared one) */
	}
	f = file_alloc(&vn_fileops, flags & VN_FILE_FLAGS);
	if (f == NULL)
		return -ENOMEM;
	vref(vp);
	f->vp = vp;
	*fpp = f;
	return 0;
}

void
vn_file_set_name(struct file *f, struct vnode *dvp, const char *name)
{
	size_t len = strlen(name) + 1;

	KASSERT(vn_is_file(f) && f->name == NULL);
	if ((f->name = kmem_alloc(len, 0)) == NULL)
		return;
	memcpy(f->name, name, len);
	vref(dvp);
	f->dvp = dvp;
}

/* Does name in dvp still lead to vp? */
static bool
vn_name_leads_to(struct vnode *dvp, const char *name, struct vnode *vp)
{
	struct vnode *found;
	bool same;

	mutex_enter(&dvp->v_lock);
	same = dvp->v_ops->vop_lookup(dvp, name, strlen(name), &found) == 0;
	mutex_exit(&dvp->v_lock);
	if (same) {
		same = found == vp;
		vrele(found);
	}
	return same;
}

int
vn_file_path(struct file *f, char *buf, size_t size)
{
	int n;

	if (f->dvp == NULL)
		n = vn_path(f->vp, buf, size);
	else if ((n = vn_path(f->dvp, buf, size)) >= 0)
		ksnprintf(buf + n, size - (size_t)n, "%s%s%s", n > 1 ? "/" : "",
		    f->name, vn_name_leads_to(f->dvp, f->name, f->vp) ? "" :
		    " (deleted)");
	if (n < 0)
		strlcpy(buf, "(unreachable)", size);
	return (int)strlen(buf);
}
