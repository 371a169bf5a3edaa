/*
 * user/include/uvmkern_vmquery.h - struct vm_query, what the vm_query
 * system call (1001, uvmkern.h) writes: written once, here, and included
 * both by programs (through uvmkern.h) and by the kernel (kern/sys/sys_uvm.c
 * fills it in), so the two cannot disagree on the layout.
 *
 * Freestanding: it needs only <stdint.h>, which the compiler provides
 * with or without a C library.  The layout is fixed ABI - 64-bit fields
 * on 8-byte boundaries, pad0 explicit, 128 bytes - and must not change
 * under programs already built.
 *
 * struct vm_query_obj (below) is the object layer in depth - which
 * pager, which file, the state of addr's page in the object - written
 * by a call of its own (vm_query_obj, 1003) that is told the size of the
 * caller's struct and writes no more than that, so the struct may grow
 * at its end without breaking programs built against a shorter one.
 */
#ifndef UVMKERN_VMQUERY_H
#define UVMKERN_VMQUERY_H

#include <stdint.h>

/* vm_query.flags: the map entry's etype bits. */
#define VMQ_NEEDSCOPY 0x1     /* the amap is shared; copy it on first write */
#define VMQ_COPYONWRITE 0x2   /* private: writes go to anons, never to the object */
#define VMQ_WIRED 0x4         /* wired (mlock): pages stay resident */
/* ... and the entry's 2 MiB page advice (madvise), neither: the default
 * (2 MiB pages wherever eligible, unless booted with thp=0). */
#define VMQ_HUGE_ADVICE 0x8   /* MADV_HUGEPAGE */
#define VMQ_NOHUGE_ADVICE 0x10 /* MADV_NOHUGEPAGE: never a 2 MiB page */

/* vm_query.obj_kind: what backs the entry below the amap. */
#define VMQ_OBJ_NONE 0        /* nothing: anonymous private memory */
#define VMQ_OBJ_AOBJ 1        /* an anonymous object (MAP_SHARED anonymous) */
#define VMQ_OBJ_FILE 2        /* a file's object (file mappings, exec) */

/* vm_query.pte: the x86-64 page-table entry bits of the mapping. */
#define VMQ_PTE_P 0x1ULL              /* present */
#define VMQ_PTE_W 0x2ULL              /* writable */
#define VMQ_PTE_U 0x4ULL              /* user-accessible */
#define VMQ_PTE_A 0x20ULL             /* accessed */
#define VMQ_PTE_D 0x40ULL             /* dirty */
#define VMQ_PTE_PS 0x80ULL            /* part of a 2 MiB mapping: the bits
                                         are its PDE's, pa the page's own
                                         address inside the 2 MiB frame */
#define VMQ_PTE_NX 0x8000000000000000ULL /* no execute */

struct vm_query {
	/* The map entry holding addr (struct vm_map_entry). */
	uint64_t start;       /* first address of the entry */
	uint64_t end;         /* first address past the entry */
	uint32_t prot;        /* current protection, PROT_READ|WRITE|EXEC */
	uint32_t maxprot;     /* the most mprotect may grant */
	uint32_t inherit;     /* MAP_INHERIT_* (above) */
	uint32_t advice;      /* MADV_NORMAL, MADV_RANDOM or MADV_SEQUENTIAL */
	uint32_t flags;       /* VMQ_NEEDSCOPY | VMQ_COPYONWRITE | VMQ_WIRED,
	                         VMQ_HUGE_ADVICE | VMQ_NOHUGE_ADVICE */
	uint32_t wired_count; /* how many times the entry is wired */

	/* The anonymous layer: the amap slot for addr and the anon in it. */
	uint64_t amap;        /* id of the entry's amap, 0 if it has none */
	uint64_t amap_slot;   /* slot of addr in that amap (ar_pageoff + page index) */
	uint64_t amap_ref;    /* references to the amap (entries sharing it) */
	uint64_t anon;        /* id of the anon in that slot, 0 if empty */
	uint64_t anon_ref;    /* an_ref: amap slots referring to that anon */

	/* The object layer, under the amap. */
	uint64_t object;      /* id of the uvm_object, 0 if none */
	uint64_t offset;      /* offset of addr's page in that object */
	uint32_t obj_kind;    /* VMQ_OBJ_* (above) */
	uint32_t pad0;

	/* The page table and the backing store. */
	uint64_t pte;         /* PTE bits (VMQ_PTE_*), 0 if no valid PTE */
	uint64_t pa;          /* physical address of the page, 0 if none mapped */
	uint64_t swslot;      /* swap slot of the anon (or aobj page), 0 if none */
};

_Static_assert(sizeof(struct vm_query) == 128, "struct vm_query is ABI");

/* vm_query_obj.pager: which pager the object has. */
#define VMQ_PAGER_NONE 0      /* no object: anonymous private memory */
#define VMQ_PAGER_AOBJ 1      /* an aobj: MAP_SHARED anonymous, a tmpfs file */
#define VMQ_PAGER_VNODE 2     /* the vnode pager: a disk (ext2) file */
#define VMQ_PAGER_MEMOBJ 3    /* a memory object: an initrd file */
#define VMQ_PAGER_OTHER 4     /* anything else (the kernel's tests' pagers) */

/* vm_query_obj.page: addr's page in the object. */
#define VMQ_PAGE_RESIDENT 0x01 /* the object has the page in memory */
#define VMQ_PAGE_CLEAN 0x02    /* PG_CLEAN: it matches the file (or swap) */
#define VMQ_PAGE_MODIFIED 0x04 /* the pmap's modified bit: a mapping wrote
                                  it since it was last cleaned */
#define VMQ_PAGE_DIRTY 0x08    /* not CLEAN, or MODIFIED: write-back (or
                                  a pageout) would write it */
#define VMQ_PAGE_BUSY 0x10     /* PG_BUSY: the pager or a fault works on it */
#define VMQ_PAGE_RDONLY 0x20   /* PG_RDONLY: over a hole, mapped read-only */

/*
 * What vm_query_obj writes.  The file part is filled when a cached
 * vnode has the object as its v_obj (an ext2 file while it is mapped;
 * a tmpfs or initrd file while its vnode is cached); otherwise vnode is
 * 0 and fstype "".  A worked example, a MAP_SHARED ext2 file after a
 * store at addr and before msync:
 *
 *   object 0xffff8000... offset 0x1000 pager VMQ_PAGER_VNODE refs 1
 *   vnode 0xffff8000... ino 13 size 8192 fstype "ext2"
 *   page RESIDENT|MODIFIED|DIRTY pa 0x3f2000    (after msync: RESIDENT|CLEAN)
 */
struct vm_query_obj {
	uint64_t object;      /* id of the uvm_object, 0 if none (all else 0) */
	uint64_t offset;      /* offset of addr's page in that object */
	uint32_t pager;       /* VMQ_PAGER_* */
	uint32_t obj_refs;    /* uo_refs: mappings and other holders */
	uint64_t obj_npages;  /* the object's resident pages */

	/* The file whose pages the object holds. */
	uint64_t vnode;       /* id of the vnode, 0 if none found */
	uint64_t ino;         /* its inode number in its file system */
	uint64_t size;        /* the file's size in bytes (without a vnode:
	                         the object's own idea of it, 0 if none) */
	uint64_t dev;         /* st_dev of the file */
	char fstype[16];      /* "ext2", "tmpfs", "ramfs"... NUL-terminated */

	/* addr's page in the object (the upper layer, an anon, may hide it:
	 * vm_query's anon says so). */
	uint32_t page;        /* VMQ_PAGE_* */
	uint32_t pad0;
	uint64_t page_pa;     /* its physical address, 0 if not resident */
	uint64_t spare[4];    /* 0: room to grow */
};

_Static_assert(sizeof(struct vm_query_obj) == 128, "struct vm_query_obj is ABI");

#endif
