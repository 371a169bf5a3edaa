/*
 * user/vmshow.h - printing what vm_query says about an address, shared
 * by the demos.  On Linux (no vm_query) it says so and prints nothing.
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

#endif
