/*
 * kern/sys/sys_mm.c - memory system calls: brk, mmap, munmap, mprotect.
 *
 * Each translates Linux's arguments into the UVM map operation:
 *
 *   mmap(MAP_PRIVATE|MAP_ANONYMOUS)  uvm_map(NULL object, copy-on-write)
 *   mmap(MAP_SHARED|MAP_ANONYMOUS)   uvm_map(a new aobj, inherit share)
 *   mmap(fd)                         uvm_map(the file's object, private
 *                                    copy-on-write or shared read-only)
 *   mmap(/dev/zero)                  as MAP_ANONYMOUS, private or shared
 *   munmap                           uvm_unmap
 *   mprotect                         uvm_map_protect
 *   brk                              uvm_map / uvm_unmap of the heap's tail
 *
 * msync writes back the files mapped in the range (uvn_flush).
 *
 * New mappings without MAP_FIXED go top-down from just under the stack's
 * guard gap, as Linux places them (MAP_GROWSDOWN is accepted and maps
 * an ordinary range: it does not grow).  On x86 a writable or executable
 * page is always readable: the entry keeps the protection asked for, and
 * the fault handler adds read (vm_prot_hw), as Linux's page tables do.
 */
#include "kern/proc/exec.h"
#include "kern/fs/file.h"
#include "kern/vfs/vfs.h"
#include "kern/lib/errno.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_usage.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_thp.h"
#include "uvm/uvm_vnode.h"

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_DENYWRITE 0x800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define MAP_KNOWN (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | \
    MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | \
    MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)

static struct vm_map *
curmap(void)
{
	return &curproc->vmspace->vm_map;
}

/* PROT_* to VM_PROT_*: the entry keeps what was asked (vm_prot_hw adds read). */
static vm_prot_t
prot_of(uint64_t prot)
{
	return (vm_prot_t)prot & VM_PROT_ALL;
}

/* Where non-fixed mappings go: top-down below the stack's guard gap. */
static vaddr_t
mmap_base(void)
{
	return curproc->vmspace->vm_minsaddr - USER_STACK_GUARD;
}

/*
 * Linux's default overcommit rule, the part programs notice: a single
 * request for more than all of RAM and swap together is refused at once,
 * rather than promised and killed for later.
 */
static bool
too_big(vsize_t size)
{
	uint64_t pages = uvmexp.npages + uvm_swap_stats.nslots;

	return size / PAGE_SIZE > pages;
}

/* The checks Linux makes before mapping anything. */
static int
mmap_args_ok(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
    uint64_t off, vsize_t *sizep)
{
	uint64_t type = flags & MAP_TYPE;

	/* MAP_SHARED_VALIDATE asks for unknown flags to be refused as Linux
	 * refuses them there; we refuse them everywhere, with EINVAL. */
	if (type == MAP_SHARED_VALIDATE && (flags & ~(uint64_t)MAP_KNOWN))
		return -EOPNOTSUPP;
	if (len == 0 || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    (flags & ~(uint64_t)MAP_KNOWN) ||
	    (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) ||
	    (off & PAGE_MASK))
		return -EINVAL;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & PAGE_MASK))
		return -EINVAL;
	*sizep = ROUND_UP(len, PAGE_SIZE);
	if (*sizep < len || *sizep > USER_MAX)
		return -ENOMEM;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && addr > USER_MAX - *sizep)
		return -ENOMEM;
	return 0;
}

/*
 * The object a file mapping maps, with a reference for the mapping, and
 * the most its protection may become.  A vnode file maps its vnode's
 * object (v_obj: the same pages read(2) and write(2) use); a writable
 * shared mapping needs the file open for reading and writing (-EACCES),
 * as on Linux.
 */
static struct uvm_object *
mmap_file_uobj(struct file *f, bool *writable)
{
	*writable = false;
	if (f->vp != NULL) {
		*writable = (f->flags & O_ACCMODE) == O_RDWR;
		return f->vp->v_type == VREG ? f->vp->v_obj : NULL;
	}
	return NULL;
}

/* The object behind the held file f, referenced, for an mmap of it. */
static int
mmap_file_ref(struct file *f, uint64_t prot, bool shared,
    struct uvm_object **uobjp, vm_prot_t *maxprot)
{
	bool writable;

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;         /* every mapping reads (Linux's rule) */
	if ((*uobjp = mmap_file_uobj(f, &writable)) == NULL)
		return -ENODEV;
	if (shared && (prot & PROT_WRITE) && !writable)
		return -EACCES;
	*maxprot = shared && !writable ? VM_PROT_READ | VM_PROT_EXECUTE : VM_PROT_ALL;
	(*uobjp)->pgops->pgo_reference(*uobjp);
	return 0;
}

/*
 * The object of the file at fd, referenced: the mapping holds the object,
 * not the file, so a close of fd by another thread once this returns
 * changes nothing (the file is held meanwhile).
 */
static int
mmap_file_object(uint64_t fd, uint64_t prot, bool shared, struct uvm_object **uobjp,
    vm_prot_t *maxprot)
{
	struct file *f = fd_get(curproc->fds, (int)fd);
	int error;

	if (f == NULL)
		return -EBADF;
	error = mmap_file_ref(f, prot, shared, uobjp, maxprot);
	fd_put(f);
	return error;
}

/* Is fd /dev/zero, open for reading? */
static bool
mmap_is_dev_zero(uint64_t fd)
{
	struct file *f = fd_get(curproc->fds, (int)fd);
	bool zero;

	if (f == NULL)
		return false;
	zero = file_is_zero(f) && (f->flags & O_ACCMODE) != O_WRONLY;
	fd_put(f);
	return zero;
}

/*
 * Place the mapping: exactly, at the hint if free, else top-down -
 * private anonymous memory of whole 2 MiB pages on a 2 MiB boundary,
 * so its ranges can have them (uvm/uvm_thp.c).
 */
static int
mmap_place(vaddr_t *va, vsize_t size, struct uvm_object *uobj, voff_t off,
    uvm_flag_t base, uint64_t flags)
{
	vaddr_t want = *va;
	int error;

	if (flags & MAP_FIXED)
		return uvm_map(curmap(), va, size, uobj, off, 0,
		    base | UVM_FLAG_FIXED | UVM_FLAG_UNMAP);
	if (flags & MAP_FIXED_NOREPLACE)
		return uvm_map(curmap(), va, size, uobj, off, 0, base | UVM_FLAG_FIXED);
	if (want != 0 && want >= PAGE_SIZE) {
		*va = ROUND_DOWN(want, PAGE_SIZE);
		error = uvm_map(curmap(), va, size, uobj, off, 0, base | UVM_FLAG_FIXED);
		if (error != -EEXIST && error != -EINVAL)
			return error;
	}
	*va = mmap_base();
	return uvm_map(curmap(), va, size, uobj, off,
	    uvm_thp_mmap_align(size, uobj == NULL && (base & UVM_FLAG_COPYONWRITE)),
	    base | UVM_FLAG_TOPDOWN);
}

int64_t
sys_mmap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], prot = a->a[2], flags = a->a[3];
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	struct uvm_object *uobj = NULL;
	vaddr_t va = addr;
	vsize_t size;
	int error = mmap_args_ok(addr, a->a[1], prot, flags, a->a[5], &size);

	vm_prot_t maxprot = VM_PROT_ALL;
	bool anon = (flags & MAP_ANONYMOUS) != 0;

	if (error != 0)
		return error;
	if (!anon && mmap_is_dev_zero(a->a[4]))
		anon = true;    /* /dev/zero: anonymous memory, private or shared */
	if (anon && !(flags & MAP_NORESERVE) && too_big(size))
		return -ENOMEM;
	if (!anon)
		error = mmap_file_object(a->a[4], prot, shared, &uobj, &maxprot);
	else if (shared && (uobj = uao_create(size, 0)) == NULL)
		error = -ENOMEM;
	if (error != 0)
		return error;
	uvm_flag_t base = UVM_MAPFLAG(prot_of(prot), maxprot,
	    shared ? MAP_INHERIT_SHARE : MAP_INHERIT_COPY, UVM_ADV_NORMAL,
	    shared ? 0 : UVM_FLAG_COPYONWRITE);
	error = mmap_place(&va, size, uobj, anon ? 0 : (voff_t)a->a[5], base, flags);
	if (error != 0) {
		if (uobj != NULL)
			uobj->pgops->pgo_detach(uobj);
		return error;
	}
	if (flags & MAP_LOCKED)
		(void)uvm_map_pageable(curmap(), va, va + size, false);
	for (vaddr_t p = va; (flags & MAP_POPULATE) && p < va + size; p += PAGE_SIZE)
		(void)uvm_fault(curmap(), p, prot_of(prot) & VM_PROT_WRITE ?
		    VM_PROT_WRITE : VM_PROT_READ);
	return (int64_t)va;
}

int64_t
sys_munmap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1];
	vsize_t size = ROUND_UP(len, PAGE_SIZE);

	if ((addr & PAGE_MASK) || len == 0 || size < len || addr >= USER_MAX ||
	    size > USER_MAX - addr)
		return -EINVAL;
	uvm_unmap(curmap(), addr, addr + size);
	return 0;
}

int64_t
sys_mprotect(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1], prot = a->a[2];
	vsize_t size = ROUND_UP(len, PAGE_SIZE);

	if (addr & PAGE_MASK)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (size < len || addr >= USER_MAX || size > USER_MAX - addr)
		return -ENOMEM;
	return uvm_map_protect(curmap(), addr, addr + size, prot_of(prot), false);
}

/*
 * Move p's heap end to want if it can.  => p_brklock held, so the end
 * read here is still the end when the map has changed (two threads
 * calling brk at once take turns, as under Linux's mmap_lock).
 */
static void
brk_move(struct proc *p, vaddr_t want)
{
	vaddr_t old_end = ROUND_UP(p->brk, PAGE_SIZE), new_end = ROUND_UP(want, PAGE_SIZE);

	if (want < p->brk_start || new_end > mmap_base() || new_end < want ||
	    (new_end > old_end && too_big(new_end - old_end)))
		return;
	if (new_end > old_end) {
		vaddr_t va = old_end;
		if (uvm_map(curmap(), &va, new_end - old_end, NULL, 0, 0,
		    UVM_MAPFLAG(VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
		    MAP_INHERIT_COPY, UVM_ADV_NORMAL,
		    UVM_FLAG_FIXED | UVM_FLAG_COPYONWRITE)) != 0)
			return;
	} else if (new_end < old_end) {
		uvm_unmap(curmap(), new_end, old_end);
	}
	__atomic_store_n(&p->brk, want, __ATOMIC_RELAXED);     /* /proc reads it */
}

/* brk(addr): move the end of the heap; returns the (possibly unchanged) end. */
int64_t
sys_brk(const struct sysargs *a)
{
	struct proc *p = curproc;
	vaddr_t end;

	mutex_enter(&p->p_brklock);
	brk_move(p, a->a[0]);
	end = p->brk;
	mutex_exit(&p->p_brklock);
	return (int64_t)end;
}

int
page_range(uint64_t addr, uint64_t len, vaddr_t *start, vaddr_t *end)
{
	*start = ROUND_DOWN(addr, PAGE_SIZE);
	*end = ROUND_UP(addr + len, PAGE_SIZE);
	if (addr + len < addr)
		return -EINVAL;
	if (*end > USER_MAX || *end < *start)
		return -ENOMEM;
	return 0;
}

/* Bytes of the map's entries within [start, end): all, or only the wired. */
static vsize_t
map_bytes(vaddr_t start, vaddr_t end, bool wired_only)
{
	struct vm_map *map = curmap();
	struct vm_map_entry *e;
	vsize_t n = 0;

	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, start, &e))
		e = e->next;
	for (; e != &map->header && e->start < end; e = e->next) {
		if (!wired_only || e->wired_count > 0)
			n += MIN(e->end, end) - MAX(e->start, start);
	}
	vm_map_unlock(map);
	return n;
}

/*
 * Linux's RLIMIT_MEMLOCK rule: without CAP_IPC_LOCK, the bytes locked
 * after locking [start, end) may not pass the limit (-ENOMEM).
 */
static int
mlock_limit_check(vaddr_t start, vaddr_t end)
{
	vsize_t locked;

	if (capable(CAP_IPC_LOCK))
		return 0;
	locked = map_bytes(0, USER_MAX, true) + (end - start) -
	    map_bytes(start, end, true);
	return locked > SYS_RLIMIT_MEMLOCK ? -ENOMEM : 0;
}

int64_t
sys_mlock(const struct sysargs *a)
{
	vaddr_t start, end;
	int error = page_range(a->a[0], a->a[1], &start, &end);

	if (error != 0 || start == end)
		return error;
	if (too_big(end - start))
		return -ENOMEM;
	if ((error = mlock_limit_check(start, end)) != 0)
		return error;
	return uvm_map_pageable(curmap(), start, end, false);
}

#define MLOCK_ONFAULT 0x01

/*
 * mlock2(addr, len, flags): mlock with flags.  MLOCK_ONFAULT (lock each
 * page when it is first touched) is accepted and locks the pages now, as
 * mlock does: the range ends up locked either way, only sooner.
 */
int64_t
sys_mlock2(const struct sysargs *a)
{
	if (a->a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return sys_mlock(a);
}

static int range_pageable(vaddr_t start, vaddr_t end, bool pageable);

int64_t
sys_munlock(const struct sysargs *a)
{
	vaddr_t start, end;
	int error = page_range(a->a[0], a->a[1], &start, &end);

	if (error != 0 || start == end)
		return error;
	if (!uvm_map_checkprot(curmap(), start, end, VM_PROT_NONE))
		return -ENOMEM;
	return range_pageable(start, end, true);    /* unlocked parts: fine */
}

/*
 * Wire or unwire the entries of [start, end) that need it, one at a
 * time: holes are skipped, and so, when wiring, are entries with no
 * access (a guard page has nothing to lock).  Unwiring takes every wired
 * entry, PROT_NONE ones too, and leaves unwired ones alone: munlock of a
 * partly locked range unlocks the locked part (as Linux).
 */
static int
range_pageable(vaddr_t start, vaddr_t end, bool pageable)
{
	struct vm_map *map = curmap();
	vaddr_t va = start;
	int error = 0;

	while (error == 0 && va < end) {
		struct vm_map_entry *e;
		vm_map_lock(map);
		if (!uvm_map_lookup_entry(map, va, &e))
			e = e->next;
		bool done = e == &map->header || e->start >= end;
		vaddr_t s = done ? 0 : MAX(e->start, va), t = done ? 0 : MIN(e->end, end);
		bool wired = !done && e->wired_count > 0;
		bool none = !done && e->protection == VM_PROT_NONE;
		vm_map_unlock(map);
		if (done)
			break;
		if (pageable ? wired : (!wired && !none))
			error = uvm_map_pageable(map, s, t, pageable);
		va = t;
	}
	return error;
}

/* Apply wiring to every entry of the map. */
static int
map_all_pageable(bool pageable)
{
	return range_pageable(curmap()->min_offset, curmap()->max_offset, pageable);
}

#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

int64_t
sys_mlockall(const struct sysargs *a)
{
	uint64_t flags = a->a[0];

	if (flags == 0 || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!(flags & MCL_CURRENT))
		return 0;
	/* Linux: the whole address space against RLIMIT_MEMLOCK */
	if (!capable(CAP_IPC_LOCK) && map_bytes(0, USER_MAX, false) > SYS_RLIMIT_MEMLOCK)
		return -ENOMEM;
	return map_all_pageable(false);
}

int64_t
sys_munlockall(const struct sysargs *a)
{
	(void)a;
	return map_all_pageable(true);
}

int64_t
sys_mincore(const struct sysargs *a)
{
	uint64_t addr = a->a[0];
	vaddr_t start, end;
	uint8_t v[256];

	if (addr & PAGE_MASK)
		return -EINVAL;
	/* Any range that is not user space is ENOMEM, a wrapping one too:
	 * Linux tests it with access_ok. */
	if (page_range(addr, a->a[1], &start, &end) != 0 || start >= USER_MAX)
		return -ENOMEM;
	if (!uvm_map_checkprot(curmap(), addr, end, VM_PROT_NONE))
		return -ENOMEM;
	/* In chunks: whether the page is in memory (its anon's page, or the
	 * object's - a file's page cache counts, mapped here or not). */
	for (vaddr_t va = addr; va < end; va += sizeof(v) * PAGE_SIZE) {
		vaddr_t stop = MIN(end, va + sizeof(v) * PAGE_SIZE);
		int error = uvm_usage_mincore(curmap(), va, stop, v);
		if (error != 0)
			return error;
		if (copyout(v, a->a[2] + (va - addr) / PAGE_SIZE,
		    (stop - va) / PAGE_SIZE) != 0)
			return -EFAULT;
	}
	return 0;
}

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_HWPOISON 100
#define MADV_SOFT_OFFLINE 101

/* Is every entry of [start, end) private (copy-on-write) anonymous memory? */
static bool
map_is_private(vaddr_t start, vaddr_t end)
{
	struct vm_map *map = curmap();
	struct vm_map_entry *e;
	bool ok = true;

	vm_map_lock(map);
	uvm_map_lookup_entry(map, start, &e);
	for (; ok && e != &map->header && e->start < end; e = e->next)
		ok = (e->etype & UVM_ET_COPYONWRITE) && e->object == NULL;
	vm_map_unlock(map);
	return ok;
}

int64_t
sys_madvise(const struct sysargs *a)
{
	uint64_t addr = a->a[0];
	vaddr_t start, end;
	int error;

	if (addr & PAGE_MASK)
		return -EINVAL;
	error = page_range(addr, a->a[1], &start, &end);
	if (error != 0 || start == end)
		return error;
	/* Injecting memory failures needs CAP_SYS_ADMIN on Linux (EPERM
	 * without it, checked before the range).  There is no memory-failure
	 * handling here, so a process that holds it gets -EINVAL: what a
	 * Linux built without CONFIG_MEMORY_FAILURE says of the advice. */
	if (a->a[2] == MADV_HWPOISON || a->a[2] == MADV_SOFT_OFFLINE)
		return capable(CAP_SYS_ADMIN) ? -EINVAL : -EPERM;
	if (!uvm_map_checkprot(curmap(), start, end, VM_PROT_NONE))
		return -ENOMEM;
	switch (a->a[2]) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return uvm_map_advice(curmap(), start, end, (int)a->a[2]);
	case MADV_WILLNEED:
		return 0;
	case MADV_DONTNEED:
	case MADV_FREE:
		return uvm_map_dontneed(curmap(), start, end);
	case MADV_DONTFORK:
		return uvm_map_inherit(curmap(), start, end, MAP_INHERIT_NONE);
	case MADV_DOFORK:
	case MADV_KEEPONFORK:
		return uvm_map_inherit(curmap(), start, end, MAP_INHERIT_COPY);
	case MADV_WIPEONFORK:
		/* Only private memory can be wiped (Linux refuses shared). */
		if (!map_is_private(start, end))
			return -EINVAL;
		return uvm_map_inherit(curmap(), start, end, MAP_INHERIT_ZERO);
	case MADV_HUGEPAGE:         /* any mapping takes the mark (Linux) */
		return uvm_map_thp(curmap(), start, end, UVM_THP_HUGE);
	case MADV_NOHUGEPAGE:
		return uvm_map_thp(curmap(), start, end, UVM_THP_NEVER);
	default:
		return -EINVAL;
	}
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

/*
 * The next entry of map at or after *va, below end, that maps a file
 * through the vnode pager: its object (with a reference, dropped by the
 * caller) and the object range [*ostart, *oend) that [*va, end) covers
 * there; *va moves past the entry.  *wired: some entry passed is wired.
 *  => map unlocked; NULL when no such entry is left.
 */
static struct uvm_object *
msync_next_file(struct vm_map *map, vaddr_t *va, vaddr_t end, voff_t *ostart,
    voff_t *oend, bool *wired)
{
	struct uvm_object *uobj = NULL;
	struct vm_map_entry *e;

	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, *va, &e))
		e = e->next;
	for (; uobj == NULL && e != &map->header && e->start < end; e = e->next) {
		vaddr_t s = MAX(*va, e->start), t = MIN(end, e->end);
		*wired |= e->wired_count > 0;
		*va = t;
		if (!uvn_is_vnode(e->object))
			continue;
		uobj = e->object;
		*ostart = e->offset + (voff_t)(s - e->start);
		*oend = e->offset + (voff_t)(t - e->start);
		uobj->pgops->pgo_reference(uobj);
	}
	if (uobj == NULL)
		*va = end;
	vm_map_unlock(map);
	return uobj;
}

/*
 * Write back (MS_SYNC, MS_ASYNC) and drop the clean unmapped cached
 * pages (MS_INVALIDATE) of every file mapped in [start, end), through
 * the vnode pager (uvn_flush), with the map unlocked: the file system's
 * bmap must not run under a VM lock.  MS_SYNC reports a write-back
 * error once (the file's recorded one included, as Linux's errseq
 * does); MS_INVALIDATE on a locked range is EBUSY.
 */
static int
msync_range(vaddr_t start, vaddr_t end, uint64_t flags)
{
	int uflags = ((flags & MS_SYNC) ? UVN_SYNC : 0) |
	    ((flags & MS_ASYNC) ? UVN_ASYNC : 0) |
	    ((flags & MS_INVALIDATE) ? UVN_INVALIDATE : 0);
	struct uvm_object *uobj;
	voff_t ostart = 0, oend = 0;
	bool wired = false;
	int error = 0;

	for (vaddr_t va = start; va < end && error == 0;) {
		uobj = msync_next_file(curmap(), &va, end, &ostart, &oend, &wired);
		if ((flags & MS_INVALIDATE) && wired)
			error = -EBUSY;
		if (uobj == NULL)
			break;
		struct uvm_vnode *uvn = container_of(uobj, struct uvm_vnode, u_obj);
		if (error == 0 && uflags != 0) {
			int e = uvn_flush(uvn, ostart, oend, uflags);
			int pending = (flags & MS_SYNC) ? uvn_take_error(uvn) : 0;
			error = (flags & MS_SYNC) ? (e != 0 ? e : pending) : 0;
		}
		uobj->pgops->pgo_detach(uobj);
	}
	return error;
}

int64_t
sys_msync(const struct sysargs *a)
{
	uint64_t addr = a->a[0], flags = a->a[2];
	vaddr_t start, end;

	if ((addr & PAGE_MASK) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    (flags & MS_ASYNC && flags & MS_SYNC))
		return -EINVAL;
	int error = page_range(addr, a->a[1], &start, &end);
	if (error != 0 || start == end)
		return error;
	if (!uvm_map_checkprot(curmap(), start, end, VM_PROT_NONE))
		return -ENOMEM;
	return msync_range(start, end, flags);
}

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

/*
 * The mapping attributes of the entry holding va, to extend it by an
 * adjacent range: same protection, inheritance, advice (*thp: the 2 MiB
 * page advice); the object (with a new reference) at the continuing
 * offset.  => 0 or -EFAULT.
 */
static int
entry_attrs(vaddr_t va, uvm_flag_t *flags, struct uvm_object **uobj, voff_t *off,
    vaddr_t *entry_end, bool *wired, int *thp)
{
	struct vm_map *map = curmap();
	struct vm_map_entry *e;
	int error = 0;

	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, va, &e)) {
		error = -EFAULT;
	} else {
		*flags = UVM_MAPFLAG(e->protection, e->max_protection, e->inheritance,
		    e->advice, (e->etype & UVM_ET_COPYONWRITE) ? UVM_FLAG_COPYONWRITE : 0);
		*uobj = e->object;
		*off = e->offset + (voff_t)(e->end - e->start);
		*entry_end = e->end;
		*wired = e->wired_count > 0;
		*thp = e->thp;
		if (*uobj != NULL)
			(*uobj)->pgops->pgo_reference(*uobj);
	}
	vm_map_unlock(map);
	return error;
}

/* Map [va, va+len) right after the entry ending at va, like it. */
static int
extend_mapping(vaddr_t last_page, vaddr_t va, vsize_t len)
{
	struct uvm_object *uobj;
	uvm_flag_t flags;
	vaddr_t end;
	voff_t off;
	bool wired;
	int error, thp;

	/* Best: the entry itself grows (one entry, as Linux keeps it).  Not
	 * if it goes on past va - its own pages are in the way, and the
	 * end != va check below refuses too - nor if it shares its amap or
	 * object: then a new entry like it follows it. */
	if (uvm_map_grow(curmap(), va, len) == 0)
		return 0;
	error = entry_attrs(last_page, &flags, &uobj, &off, &end, &wired, &thp);

	if (error != 0)
		return error;
	if (end != va || (uobj != NULL && uobj->pgops == &aobj_pager)) {
		error = -ENOMEM;    /* shared anonymous memory cannot grow yet */
	} else {
		error = uvm_map(curmap(), &va, len, uobj, uobj != NULL ? off : UVM_UNKNOWN_OFFSET,
		    0, flags | UVM_FLAG_FIXED);
	}
	if (error != 0 && uobj != NULL)
		uobj->pgops->pgo_detach(uobj);
	/* The growth of locked memory is locked too (Linux). */
	if (error == 0 && wired && uvm_map_pageable(curmap(), va, va + len, false) != 0)
		error = -EAGAIN, uvm_unmap(curmap(), va, va + len);
	/* ... and keeps the 2 MiB page advice (madvise). */
	if (error == 0 && thp != UVM_THP_DEFAULT &&
	    (error = uvm_map_thp(curmap(), va, va + len, thp)) != 0)
		uvm_unmap(curmap(), va, va + len);
	return error;
}

/*
 * MREMAP_DONTUNMAP: the pages move to dst (or a free place), and the old
 * range stays mapped as it was, but empty: its next touch is a fresh
 * zero page.  As Linux: MAYMOVE and equal sizes are required (the caller
 * checked); here only for private anonymous memory in one entry (-EINVAL
 * otherwise).
 */
static int64_t
mremap_dontunmap(vaddr_t old, vsize_t size, uint64_t flags, vaddr_t dst)
{
	struct uvm_object *uobj;
	uvm_flag_t attrs;
	vaddr_t end, va = old;
	voff_t off;
	bool wired;
	int thp, error = entry_attrs(old, &attrs, &uobj, &off, &end, &wired, &thp);

	if (error != 0)
		return error;
	if (uobj != NULL)
		uobj->pgops->pgo_detach(uobj);
	if (uobj != NULL || !(attrs & UVM_FLAG_COPYONWRITE) || end < old + size)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		uvm_unmap(curmap(), dst, dst + size);
	} else {
		vm_map_lock(curmap());
		error = uvm_map_findspace(curmap(), mmap_base(), size, &dst, 0, true);
		vm_map_unlock(curmap());
		if (error != 0)
			return error;
	}
	error = uvm_map_move(curmap(), old, size, dst);
	if (error == 0)
		error = uvm_map(curmap(), &va, size, NULL, UVM_UNKNOWN_OFFSET, 0,
		    attrs | UVM_FLAG_FIXED);
	if (error == 0 && thp != UVM_THP_DEFAULT)   /* the old range's advice stays */
		error = uvm_map_thp(curmap(), old, old + size, thp);
	return error != 0 ? error : (int64_t)dst;
}

int64_t
sys_mremap(const struct sysargs *a)
{
	uint64_t old = a->a[0], flags = a->a[3], want = a->a[4];
	vsize_t osize = ROUND_UP(a->a[1], PAGE_SIZE), nsize = ROUND_UP(a->a[2], PAGE_SIZE);
	vaddr_t dst;
	int error;

	if ((old & PAGE_MASK) ||
	    (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || nsize == 0 ||
	    osize == 0 || ((flags & MREMAP_FIXED) && (want & PAGE_MASK)))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || osize != nsize))
		return -EINVAL;
	/* The whole destination must be user space, checked before anything
	 * there is unmapped (Linux checks it first too: EINVAL). */
	if ((flags & MREMAP_FIXED) && (want >= USER_MAX || nsize > USER_MAX - want))
		return -EINVAL;
	if (old >= USER_MAX || osize > USER_MAX - old || nsize > USER_MAX)
		return -EFAULT;
	if (!uvm_map_checkprot(curmap(), old, old + osize, VM_PROT_NONE))
		return -EFAULT;
	if ((flags & MREMAP_FIXED) && want < old + osize && old < want + nsize)
		return -EINVAL;             /* overlapping: not allowed */
	if (flags & MREMAP_DONTUNMAP)
		return mremap_dontunmap(old, osize, flags, want);
	if (flags & MREMAP_FIXED) {
		uvm_unmap(curmap(), want, want + nsize);
		dst = want;
	} else if (nsize <= osize) {
		uvm_unmap(curmap(), old + nsize, old + osize);
		return (int64_t)old;
	} else if (extend_mapping(old + osize - PAGE_SIZE, old + osize, nsize - osize) == 0) {
		return (int64_t)old;        /* grown in place */
	} else if (!(flags & MREMAP_MAYMOVE)) {
		return -ENOMEM;
	} else {
		vm_map_lock(curmap());
		error = uvm_map_findspace(curmap(), mmap_base(), nsize, &dst, 0, true);
		vm_map_unlock(curmap());
		if (error != 0)
			return error;
	}
	vsize_t keep = MIN(osize, nsize);
	error = uvm_map_move(curmap(), old, keep, dst);
	if (error == 0 && osize > keep)
		uvm_unmap(curmap(), old + keep, old + osize);
	if (error == 0 && nsize > keep)
		error = extend_mapping(dst + keep - PAGE_SIZE, dst + keep, nsize - keep);
	return error != 0 ? error : (int64_t)dst;
}
