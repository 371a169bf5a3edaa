/*
 * user/include/uvmkern.h - the system calls uvmkern has and Linux lacks.
 *
 * Everything else a user program calls is the Linux x86-64 ABI, so the
 * same static musl binary runs on Linux and on uvmkern.  The calls below
 * have numbers of the project's own, above 1000, where Linux has nothing:
 * on Linux they fail with ENOSYS, which is how a test knows to skip.
 *
 *   minherit(addr, len, inherit)    1000  what fork does with a range
 *   vm_query(addr, &out)            1001  how the VM holds one address
 *   uvm_swapctl(cmd, arg, n)        1002  swap statistics and test hooks
 *   vm_query_obj(addr, &out)        1003  the object behind one address
 *
 * They return 0 (or a count) or -1 with errno, through musl's syscall().
 *
 * swapon and swapoff themselves are Linux's calls (167, 168), with a
 * difference: there is no device file system, so the path names a disk
 * by its kernel name - "/dev/vda", or just "vda" (the part after the last
 * '/').  Disks are vda, vdb, ... in PCI order; the kernel swaps on vda at
 * boot unless the command line says swap=vdb or swap=none.  No swap
 * header (mkswap) is needed or written, and the flags must be 0.
 */
#ifndef UVMKERN_H
#define UVMKERN_H

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#define SYS_uvm_minherit 1000
#define SYS_uvm_vm_query 1001
#define SYS_uvm_swapctl 1002
#define SYS_uvm_vm_query_obj 1003

/*
 * minherit: the BSD call.  What fork gives the child for each page of
 * [addr, addr + len) (page-aligned addr, len rounded up):
 *
 *   MAP_INHERIT_SHARE  the child shares the pages with the parent
 *   MAP_INHERIT_COPY   the child gets a copy-on-write copy (the default)
 *   MAP_INHERIT_NONE   the range is unmapped in the child
 *   MAP_INHERIT_ZERO   the child gets fresh zero-filled pages
 *
 * Errors: EINVAL for an unaligned addr or an unknown value, ENOMEM when
 * part of the range is not mapped.  MADV_DONTFORK and MADV_WIPEONFORK are
 * the Linux spellings of NONE and ZERO, and uvmkern accepts those too.
 */
#define MAP_INHERIT_SHARE 0
#define MAP_INHERIT_COPY 1
#define MAP_INHERIT_NONE 2
#define MAP_INHERIT_ZERO 3

static inline int
minherit(void *addr, size_t len, int inherit)
{
	return (int)syscall(SYS_uvm_minherit, addr, len, inherit);
}

/*
 * vm_query: a snapshot of how the calling process's VM holds the page
 * containing addr - the map entry, the anonymous layer (amap, anon), the
 * object layer and the page table.  Tests assert on the mechanism with it
 * (a fork sets needs-copy; a write after fork gives the writer its own
 * anon), and the demos print it.  The call only looks: it never faults a
 * page in, so "not resident" reads as pa == 0 and pte == 0.
 *
 * Errors: ENOMEM when addr is not inside any map entry, EFAULT when out
 * is not writable.
 *
 * Ids (amap, anon, object) are opaque 64-bit numbers, equal for the same
 * kernel structure and 0 for none: compare them, do not dereference them.
 */

/* struct vm_query and its VMQ_* values: uvmkern_vmquery.h, which the
 * kernel includes too (kern/sys/sys_uvm.c fills it in). */
#include "uvmkern_vmquery.h"

static inline int
vm_query(const void *addr, struct vm_query *out)
{
	return (int)syscall(SYS_uvm_vm_query, addr, out);
}

/*
 * vm_query_obj: the object layer of the page containing addr in depth -
 * the pager (aobj, vnode, memory object), the file (vnode, inode number,
 * size, file system type) and the page's state in the object (resident,
 * clean or dirty by PG_CLEAN and the pmap's modified bit, busy).  Like
 * vm_query it only looks.  The call writes at most size bytes (the
 * caller's sizeof), so programs built against a shorter struct keep
 * working when it grows.
 *
 * Errors: ENOMEM when addr is not inside any map entry, EINVAL for a
 * size of 0, EFAULT when out is not writable.
 */
static inline int
vm_query_obj(const void *addr, struct vm_query_obj *out)
{
	return (int)syscall(SYS_uvm_vm_query_obj, addr, out, sizeof(*out));
}

/*
 * uvm_swapctl: the swap system's numbers, and two hooks for tests.
 *
 *   uvm_swapctl(UVM_SWAPCTL_STATS, &st, 0)     fill struct uvm_swapstat
 *   uvm_swapctl(UVM_SWAPCTL_FAILIO, &f, 0)     make swap I/O fail: the
 *                                             next f.count reads or writes
 *                                             of disk f.dev (-1: all of
 *                                             them, 0: stop) that touch
 *                                             slot f.slot (0: any) fail
 *   uvm_swapctl(UVM_SWAPCTL_PAGEOUT, NULL, n)  run the page daemon now to
 *                                             free n pages; returns how
 *                                             many it freed
 *
 * Errors: EINVAL for an unknown cmd or bad argument, EFAULT, ENODEV for a
 * disk that does not exist.
 */
#define UVM_SWAPCTL_STATS 0
#define UVM_SWAPCTL_FAILIO 1
#define UVM_SWAPCTL_PAGEOUT 2

struct uvm_swapstat {
	/* the swap areas */
	uint64_t nslots;        /* page-sized slots on all swap disks */
	uint64_t inuse;         /* slots allocated, bad ones included */
	uint64_t bad;           /* slots marked bad after a failed write or read */
	uint64_t ndevs;         /* disks in use as swap */
	/* the traffic */
	uint64_t pageouts;      /* pages written to swap */
	uint64_t pageins;       /* pages read back */
	uint64_t writes;        /* write requests (a cluster of pages each) */
	uint64_t reads;         /* read requests */
	uint64_t write_errors;
	uint64_t read_errors;
	uint64_t pages_per_write_x100; /* 100 * pages written / writes: clustering */
	/* the page daemon */
	uint64_t pd_passes;     /* passes it ran */
	uint64_t pd_freed_clean; /* pages freed with no write (copy still good) */
	uint64_t pd_reactivated; /* second chances: referenced pages kept */
	uint64_t oom_kills;     /* processes killed: no memory and no swap */
	/* memory, in pages */
	uint64_t total_pages;   /* managed RAM */
	uint64_t free_pages;
	uint64_t freemin, freetarg; /* the daemon's watermarks */
};

/* UVM_SWAPCTL_FAILIO */
#define UVM_FAILIO_READ 0
#define UVM_FAILIO_WRITE 1

struct uvm_swap_failio {
	char dev[8];            /* "vda" */
	int op;                 /* UVM_FAILIO_READ or UVM_FAILIO_WRITE */
	int count;              /* requests to fail; -1 every one; 0 stop */
	uint64_t slot;          /* only requests that touch this swap slot
				   (vm_query's swslot); 0: any request */
};

static inline long
uvm_swapctl(int cmd, void *arg, long n)
{
	return syscall(SYS_uvm_swapctl, cmd, arg, n);
}

#endif
