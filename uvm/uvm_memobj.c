/*
 * uvm/uvm_memobj.c - a pager for bytes that are already in memory.
 *
 * The initrd is loaded by GRUB into RAM; its files are byte ranges inside
 * it, at offsets that are not page-aligned.  A memory object covers one
 * such range, and its pager fills page p of the object by copying bytes
 * [p*4096, p*4096 + 4096) of the range into a fresh page (zeroing what
 * lies past the end):
 *
 *   initrd:   ...| hdr | name |######## file, 9000 bytes ########|...
 *                            ^ data
 *   object:   page 0 = data[0..4096)  page 1 = data[4096..8192)
 *             page 2 = data[8192..9000) + 3288 zero bytes
 *             page 3 and beyond: not part of the object (-EIO: SIGBUS)
 *
 * The pages are clean (they match their backing bytes), so nothing is
 * ever written back: freeing one is always safe.  The creator (the file
 * system) holds a base reference for the object's whole life; mappings add
 * and drop references.  When the last mapping goes the pages STAY, as a
 * file's stay in a page cache: the next exec of the same program finds
 * its text resident and maps it, instead of copying it out of the archive
 * again into other physical pages (which also cost QEMU its translations,
 * kept by physical page).  Three things free them:
 *
 *   the page daemon   clean, unreferenced object pages are the first it
 *                     drops under pressure (uvm_pdaemon.c), with no I/O;
 *   uvm_memobj_purge  every unmapped object's pages at once (the VFS's
 *                     cache flush, which the leak checks run first: an
 *                     unmapped file then costs nothing, as before);
 *   the last detach   when the creator lets go, the object goes too.
 *
 *   exec ghello:  fault page 0 -> copy from archive   (refs 1 -> 2)
 *   exit:         unmap          -> page 0 stays      (refs 2 -> 1)
 *   exec ghello:  fault page 0 -> found resident, mapped, no copy
 *   memory short: daemon frees page 0 (clean: no write)
 *
 * Invariants: every resident page lies below the object's size rounded up
 * to a page, and holds exactly the bytes above; uo_refs >= 1 while the
 * object is on the list of live objects.
 *
 * Lock order: memobj_list_lock, then an object's lock, then the
 * page-queue and free-list locks.
 */
#include "uvm/uvm_memobj.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

struct uvm_memobj {
	struct uvm_object mo_obj;       /* first: a uvm_object * is a memobj * */
	const uint8_t *mo_data;
	size_t mo_size;
	TAILQ_ENTRY(uvm_memobj) mo_list;        /* memobj_list */
};

static TAILQ_HEAD(, uvm_memobj) memobj_list = { NULL, &memobj_list.tqh_first };
static struct kmutex memobj_list_lock = KMUTEX_INIT("memobj_list");
static uint64_t memobj_live;            /* under memobj_list_lock */

static struct uvm_memobj *
memobj_of(struct uvm_object *uobj)
{
	return container_of(uobj, struct uvm_memobj, mo_obj);
}

/*
 * Free the object's idle pages: those neither busy nor wired.  Its
 * references back at the creator's do not mean no fault is under way: a
 * fault drops every lock while the pager's page is busy, and a sibling
 * thread's munmap can take the mapping's reference meanwhile; the fault
 * unbusies the page when it comes back.  => object locked; returns the
 * pages freed.
 */
static uint64_t
memobj_purge_idle(struct uvm_object *uobj)
{
	struct vm_page *pg, *next;
	uint64_t freed = 0;

	for (pg = uvm_obj_page_first(uobj); pg != NULL; pg = next) {
		next = uvm_obj_page_next(uobj, pg);
		if ((pg->flags & PG_BUSY) || pg->wire_count > 0)
			continue;
		pmap_page_protect(pg, VM_PROT_NONE);
		uvm_obj_page_remove(uobj, pg);
		vm_page_free(pg);
		freed++;
	}
	return freed;
}

static void
memobj_reference(struct uvm_object *uobj)
{
	mutex_enter(&uobj->vmobjlock);
	uobj->uo_refs++;
	mutex_exit(&uobj->vmobjlock);
}

/*
 * Drop a reference.  The pages stay when the mappings are gone (see the
 * top); the creator's, the last, frees them and the object.
 */
static void
memobj_detach(struct uvm_object *uobj)
{
	struct uvm_memobj *mo = memobj_of(uobj);
	int refs;

	mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	refs = --uobj->uo_refs;
	if (refs == 0) {
		memobj_purge_idle(uobj);
		KASSERT(uobj->uo_npages == 0);  /* no fault without a reference */
	}
	mutex_exit(&uobj->vmobjlock);
	if (refs > 0)
		return;
	mutex_enter(&memobj_list_lock);
	TAILQ_REMOVE(&memobj_list, mo, mo_list);
	memobj_live--;
	mutex_exit(&memobj_list_lock);
	kmem_free(mo, sizeof(*mo));
}

/* The page at off, read in if needed.  => object locked. */
static int
memobj_fill(struct uvm_memobj *mo, voff_t off, struct vm_page **pgp)
{
	struct vm_page *pg;
	size_t n;

	if (off < 0 || (size_t)off >= mo->mo_size)
		return -EIO;
	/* Busy: another fault has it between pager and pmap; wait. */
	pg = uvm_obj_page_lookup_unbusy(&mo->mo_obj, off, "memobj");
	if (pg == NULL) {
		pg = vm_page_alloc(NULL, 0, NULL, 0);
		if (pg == NULL)
			return -ENOMEM;
		n = MIN(PAGE_SIZE, mo->mo_size - (size_t)off);
		memcpy(vm_page_kva(pg), mo->mo_data + off, n);
		memset((uint8_t *)vm_page_kva(pg) + n, 0, PAGE_SIZE - n);
		uvm_obj_page_insert(&mo->mo_obj, pg, off);
		pg->flags &= ~PG_FAKE;          /* real contents, clean */
		pg->flags |= PG_CLEAN;
	}
	pg->flags |= PG_BUSY;
	*pgp = pg;
	return 0;
}

static int
memobj_get(struct uvm_object *uobj, voff_t offset, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access_type, int advice,
    int flags)
{
	struct uvm_memobj *mo = memobj_of(uobj);
	struct vm_page *pg = NULL;
	int error;

	(void)access_type;
	(void)advice;
	if (flags & PGO_LOCKED) {
		uvm_obj_page_lookup_run(uobj, offset, pps, *npagesp);
		for (int i = 0; i < *npagesp; i++) {
			if (pps[i] != NULL && (pps[i]->flags & PG_BUSY))
				pps[i] = NULL;
		}
		return pps[centeridx] != NULL ? 0 : -EBUSY;
	}
	mutex_enter(&uobj->vmobjlock);
	error = memobj_fill(mo, offset + ((voff_t)centeridx << PAGE_SHIFT), &pg);
	mutex_exit(&uobj->vmobjlock);
	for (int i = 0; i < *npagesp; i++)
		pps[i] = i == centeridx ? pg : NULL;
	return error;
}

static const struct uvm_pagerops memobj_pager = {
	.pgo_name = "memobj",
	.pgo_reference = memobj_reference,
	.pgo_detach = memobj_detach,
	.pgo_get = memobj_get,
};

struct uvm_object *
uvm_memobj_create(const void *data, size_t size)
{
	struct uvm_memobj *mo = kmem_zalloc(sizeof(*mo));

	if (mo == NULL)
		return NULL;
	uvm_obj_init(&mo->mo_obj, &memobj_pager, 1, "memobj");
	mo->mo_data = data;
	mo->mo_size = size;
	mutex_enter(&memobj_list_lock);
	TAILQ_INSERT_TAIL(&memobj_list, mo, mo_list);
	memobj_live++;
	mutex_exit(&memobj_list_lock);
	return &mo->mo_obj;
}

size_t
uvm_memobj_size(struct uvm_object *uobj)
{
	KASSERT(uobj->pgops == &memobj_pager);
	return memobj_of(uobj)->mo_size;
}

uint64_t
uvm_memobj_count(void)
{
	return memobj_live;
}

uint64_t
uvm_memobj_purge(void)
{
	struct uvm_memobj *mo;
	uint64_t freed = 0;

	mutex_enter(&memobj_list_lock);
	TAILQ_FOREACH(mo, &memobj_list, mo_list) {
		struct uvm_object *uobj = &mo->mo_obj;

		mutex_enter(&uobj->vmobjlock);
		if (uobj->uo_refs <= 1)
			freed += memobj_purge_idle(uobj);
		mutex_exit(&uobj->vmobjlock);
	}
	mutex_exit(&memobj_list_lock);
	return freed;
}
