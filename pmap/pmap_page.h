/*
 * pmap/pmap_page.h - the machine-dependent part of every struct vm_page.
 *
 * Each managed page carries the head of its PV list - one pv_entry per
 * (pmap, va) that maps it - and the accessed/modified bits gathered from
 * mappings that have since gone away, so that a dirty page can never look
 * clean just because the PTE that was dirtied no longer exists:
 *
 *   vm_page ---md.pv_list---> [pmap A, va 0x400000] -> [pmap B, va 0x7f000] -> NULL
 *           md.attrs: PG_M | PG_A folded in from removed PTEs
 *
 * A page that is itself a page-table page uses md.ptp_count instead: the
 * number of valid entries in it, so pmap frees it when the last one goes.
 *
 * The page's own entry.  Most pages are mapped once (private memory,
 * the process's only copy), so each page carries one pv_entry inside it,
 * md.pv_own, as NetBSD's x86 pmap embeds its first one: the first
 * mapping of a page takes it and needs nothing from the pool; only a
 * second (a fork's shared page, a file page mapped by two processes)
 * takes a pool entry.  The own entry sits on pv_list like any other
 * while it is in use (pv_own.pv_pmap != NULL), so every walk of the list
 * is the same; only the code that unlinks an entry must not give it back
 * to the pool:
 *
 *   mapped once:   md.pv_list --> [pv_own: A, 0x400000] -> NULL
 *   after fork:    md.pv_list --> [pool: B, 0x400000] -> [pv_own: A, ...]
 *   A unmaps:      md.pv_list --> [pool: B, 0x400000]     pv_own free
 */
#ifndef PMAP_PMAP_PAGE_H
#define PMAP_PMAP_PAGE_H

#include "kern/lib/types.h"

/* One mapping of a page: (pmap, va), on the page's list. */
struct pv_entry {
	struct pv_entry *pv_next;
	struct pmap *pv_pmap;       /* NULL: this is a free pv_own */
	vaddr_t pv_va;
};

struct vm_page_md {
	struct pv_entry *pv_list;   /* every mapping of this page */
	struct pv_entry pv_own;     /* the page's own entry (above) */
	uint16_t attrs;             /* PMAP_ATTR_* folded from old PTEs */
	uint16_t ptp_count;         /* page-table page: valid entries */
	uint32_t pv_count;          /* length of pv_list */
};

#define PMAP_ATTR_REF 0x1   /* accessed through some mapping */
#define PMAP_ATTR_MOD 0x2   /* written through some mapping */

#endif
