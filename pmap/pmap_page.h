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
 */
#ifndef PMAP_PMAP_PAGE_H
#define PMAP_PMAP_PAGE_H

#include "kern/lib/types.h"

struct pv_entry;

struct vm_page_md {
	struct pv_entry *pv_list;   /* every mapping of this page */
	uint16_t attrs;             /* PMAP_ATTR_* folded from old PTEs */
	uint16_t ptp_count;         /* page-table page: valid entries */
	uint32_t pv_count;          /* length of pv_list */
};

#define PMAP_ATTR_REF 0x1   /* accessed through some mapping */
#define PMAP_ATTR_MOD 0x2   /* written through some mapping */

#endif
