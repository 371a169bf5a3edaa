/*
 * user/vmshow.h - printing what vm_query says about an address, shared
 * by the demos.  On Linux (no vm_query) it says so and prints nothing.
 * vmshow_obj adds, for an entry backed by an object, what vm_query_obj
 * says: the pager, the file behind it and the state of the page.
 */
#ifndef USER_VMSHOW_H
#define USER_VMSHOW_H

#include <stdio.h>
#include <string.h>
#include "uvmkern.h"

/*
 * What vm_query says about addr, in two or three lines: the map entry
 * and the PTE, then the anonymous layer (the amap and the anon in addr's
 * slot, each with its id and reference count), then the object below,
 * if any.  The ids are the kernel's addresses of the structures (what
 * gdb's "uvm amap ID" and "uvm anon ID" take): two lines with the same
 * id show the same amap or anon, a new id a copy.  Fills *qp if not NULL
 * (zeroed when vm_query fails); returns 0, or -1 without vm_query.
 *
 *   child   after its write        entry 7fffff6ff000-7fffff700000 cow | pte writable pa 0x1e3c000
 *                                  amap 0xffff80001f2b1e40 ref 1 slot 0 | anon 0xffff80001f2b2f80 ref 1
 *
 * madvise's 2 MiB advice follows cow ("hugepage", "nohugepage"); a page
 * inside a 2 MiB mapping gets "(2M page at FRAME)" after its own pa.
 */
static inline int
vmshow_q(const char *who, const char *what, const void *addr, struct vm_query *qp)
{
	struct vm_query q;

	if (vm_query(addr, &q) != 0) {
		printf("  %-7s %-22s (vm_query unavailable: not uvmkern?)\n", who, what);
		if (qp != NULL)
			memset(qp, 0, sizeof(*qp));
		return -1;
	}
	printf("  %-7s %-22s entry %lx-%lx %s%s%s | pte %s", who, what,
	    (unsigned long)q.start, (unsigned long)q.end,
	    (q.flags & VMQ_COPYONWRITE) ? "cow" : "shared",
	    (q.flags & VMQ_NEEDSCOPY) ? " needs-copy" : "",
	    (q.flags & VMQ_HUGE_ADVICE) ? " hugepage" :
	    (q.flags & VMQ_NOHUGE_ADVICE) ? " nohugepage" : "",
	    !(q.pte & VMQ_PTE_P) ? "not present" :
	    (q.pte & VMQ_PTE_W) ? "writable" : "read-only");
	if (q.pte & VMQ_PTE_P)
		printf(" pa %#lx", (unsigned long)q.pa);
	if (q.pte & VMQ_PTE_PS)     /* pa: this page's, inside the 2M frame */
		printf(" (2M page at %#lx)", (unsigned long)q.pa & ~0x1fffffUL);
	printf("\n  %-7s %-22s ", "", "");
	if (q.amap != 0)
		printf("amap %#lx ref %lu slot %lu", (unsigned long)q.amap,
		    (unsigned long)q.amap_ref, (unsigned long)q.amap_slot);
	else
		printf("amap none");
	if (q.anon != 0)
		printf(" | anon %#lx ref %lu", (unsigned long)q.anon, (unsigned long)q.anon_ref);
	else if (q.amap != 0)
		printf(" | anon none (slot empty)");
	if (q.swslot != 0)
		printf(" | swap slot %lu", (unsigned long)q.swslot);
	if (q.object != 0)
		printf("\n  %-7s %-22s object %#lx %s offset %#lx", "", "",
		    (unsigned long)q.object, q.obj_kind == VMQ_OBJ_AOBJ ? "aobj" :
		    q.obj_kind == VMQ_OBJ_FILE ? "file" : "?", (unsigned long)q.offset);
	printf("\n");
	if (qp != NULL)
		*qp = q;
	return 0;
}

static inline void
vmshow(const char *who, const char *what, const void *addr)
{
	(void)vmshow_q(who, what, addr, NULL);
}

static inline const char *
vmshow_pager(uint32_t pager)
{
	static const char *const names[] = { "none", "aobj", "vnode", "memobj", "other" };

	return pager < sizeof(names) / sizeof(names[0]) ? names[pager] : "?";
}

/* The page's state: "not resident", or "resident clean|dirty [modified] ...". */
static inline void
vmshow_page(uint32_t st, char *buf, size_t len)
{
	if (!(st & VMQ_PAGE_RESIDENT)) {
		snprintf(buf, len, "not resident");
		return;
	}
	snprintf(buf, len, "resident %s%s%s%s", (st & VMQ_PAGE_DIRTY) ? "dirty" : "clean",
	    (st & VMQ_PAGE_MODIFIED) ? " modified" : "", (st & VMQ_PAGE_BUSY) ? " busy" : "",
	    (st & VMQ_PAGE_RDONLY) ? " rdonly" : "");
}

static inline void
vmshow_obj(const void *addr)
{
	struct vm_query_obj o;
	char page[64];

	if (vm_query_obj(addr, &o) != 0 || o.object == 0)
		return;
	vmshow_page(o.page, page, sizeof(page));
	printf("          object %s refs %u pages %lu", vmshow_pager(o.pager),
	    (unsigned)o.obj_refs, (unsigned long)o.obj_npages);
	if (o.vnode != 0)
		printf(" | file %s ino %lu size %lu", o.fstype, (unsigned long)o.ino,
		    (unsigned long)o.size);
	printf(" | page +%lx %s\n", (unsigned long)o.offset, page);
}

#endif
