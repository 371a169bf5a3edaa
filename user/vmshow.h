/*
 * user/vmshow.h - printing what vm_query says about an address, shared
 * by the demos.  On Linux (no vm_query) it says so and prints nothing.
 * vmshow_obj adds, for an entry backed by an object, what vm_query_obj
 * says: the pager, the file behind it and the state of the page.
 */
#ifndef USER_VMSHOW_H
#define USER_VMSHOW_H

#include <stdio.h>
#include "uvmkern.h"

static inline void
vmshow(const char *who, const char *what, const void *addr)
{
	struct vm_query q;

	if (vm_query(addr, &q) != 0) {
		printf("  %-7s %-22s (vm_query unavailable: not uvmkern?)\n", who, what);
		return;
	}
	printf("  %-7s %-22s entry %lx-%lx %s%s | amap %s ref %lu | anon %s ref %lu | "
	    "pte %s\n", who, what, (unsigned long)q.start, (unsigned long)q.end,
	    (q.flags & VMQ_COPYONWRITE) ? "cow" : "shared",
	    (q.flags & VMQ_NEEDSCOPY) ? " needs-copy" : "",
	    q.amap ? "yes" : "none", (unsigned long)q.amap_ref,
	    q.anon ? "yes" : "none", (unsigned long)q.anon_ref,
	    !(q.pte & VMQ_PTE_P) ? "not present" :
	    (q.pte & VMQ_PTE_W) ? "writable" : "read-only");
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
