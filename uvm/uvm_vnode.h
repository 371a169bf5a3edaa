/*
 * uvm/uvm_vnode.h - the vnode pager: a uvm object whose pages are a disk
 * file's data (UVM's third pager, after anons and aobjs).
 *
 * A disk file system (ext2) embeds one struct uvm_vnode per regular-file
 * vnode and points vnode->v_obj at &uvn->u_obj.  The object's pages are
 * the file's page cache: read(2), write(2) and every mapping share them.
 * The pager knows nothing of the file system's format; it asks one
 * question of it, through u_ops->uvn_bmap: "where on the disk is file
 * byte off, and how many bytes from there are contiguous?"
 *
 *   fault at file offset 0x5000, advice NORMAL
 *     uvn_get: page not resident -> bmap(0x5000) = disk 0x83000, run 32K
 *              cluster: offsets 0x4000..0xb000 that are not resident and
 *              lie in that run and before EOF -> one blk_io of 8 pages
 *   page daemon finds page 0x5000 dirty
 *     uvn_put: gathers the dirty neighbours in the same disk run, busies
 *              them, one blk_io write, marks them PG_CLEAN
 *
 * Holes: bmap answers UVN_HOLE; a read fills zeros, a write (or a write
 * fault) calls bmap with alloc true so the file system allocates the
 * block (-ENOSPC comes back as the write's error, or SIGBUS for a store
 * through a mapping).
 *
 * References: the object's pgo_reference/pgo_detach are the vnode's
 * (u_ops->uvn_hold / uvn_rele), so a mapping keeps its vnode.
 *
 * End of file: u_size.  A fault at or past round_page(u_size) fails
 * (-EINVAL: the fault handler turns it into SIGBUS); the bytes of the
 * last page past u_size read as zero and are never written to the disk
 * beyond the file's blocks.
 *
 * Write-back errors: a failed write keeps the pages dirty and records
 * the error in u_error; uvn_take_error hands it to the next fsync,
 * msync, once (close reports nothing, as on Linux's local file systems).
 *
 * Runs and blocks.  bmap is asked at page boundaries and, inside a
 * page whose blocks are not contiguous (blocks smaller than a page), at
 * the byte after the previous run: the pager walks such a page piece by
 * piece (one request per piece), so any block size that is a multiple of
 * 512 works; a page wholly inside one run goes in a cluster.  The run
 * of the file's last block ends with that block, so the last page is
 * transferred only up to there.
 *
 * Holes and PG_RDONLY.  A page read in with a hole in it (and no write
 * access) is PG_RDONLY: the fault handler maps it without write access,
 * so the first store faults and the pager allocates the blocks then
 * (-ENOSPC: SIGBUS at the store, nothing lost later).  A dirty page that
 * still has a hole (a truncation freed a block under it) gets the block
 * at write-back.
 *
 * Truncation: the file system calls uvn_setsize first (pages past the
 * end leave every mapping and are freed, the last page's tail is zeroed
 * and written back), then frees its blocks.  Write-back never writes a
 * page at or past round_page(u_size), and zeroes the bytes of the last
 * page past u_size before writing it (stores there through a mapping
 * are not file data, as on Linux).
 *
 * Busy pages: pgo_put (the page daemon's way in) passes pages that are
 * busy by; uvn_flush with UVN_SYNC and uvn_setsize wait for them.  While
 * the pager works unlocked (bmap, I/O), the pages it works on are busy
 * and in the tree, so a fault, a flush or uvn_destroy waits for them.
 *
 * Memory: pgo_get returns -ENOMEM when no page can be had; the caller
 * waits (uvm_wait) with its locks released and tries again, as the
 * fault handler does.  The pages read along are never waited for; short
 * of memory only the caller's window is read along, no read-around.
 *
 * uvn_bmap is also called by the page daemon (writing a dirty page to
 * its file): it must not wait for a lock held by a thread that waits for
 * memory.
 *
 * Locking: u_obj.vmobjlock covers the pages, u_size and u_error; it is
 * released around every bmap and every disk request.  uvn_list_lock
 * (the list of all vnode objects, for the checker) comes before it.
 */
#ifndef UVM_UVM_VNODE_H
#define UVM_UVM_VNODE_H

#include "kern/lib/queue.h"
#include "kern/lib/types.h"
#include "uvm/uvm_object.h"

struct blkdev;
struct uvm_vnode;

#define UVN_HOLE ((uint64_t)-1)

struct uvn_ops {
	/*
	 * uvn_bmap - the disk byte address of file byte off (page aligned,
	 * or inside a page the end of the run bmap gave before: see "Runs
	 * and blocks") and in *run how many bytes from there are contiguous
	 * on the disk and in the file (whole sectors; the last run ends
	 * with the file's last block); UVN_HOLE for a hole (with *run the
	 * hole's length) unless alloc, which allocates the block and answers
	 * its address.  The pager calls it with alloc only for a hole.
	 * => no VM lock held; may sleep; 0, -ENOSPC, -EIO (an answer that
	 *    breaks these rules is taken as -EIO too).
	 */
	int (*uvn_bmap)(struct uvm_vnode *uvn, voff_t off, bool alloc,
	    uint64_t *daddr, size_t *run);
	void (*uvn_hold)(struct uvm_vnode *uvn);        /* vref the vnode */
	void (*uvn_rele)(struct uvm_vnode *uvn);        /* vrele it */
};

struct uvm_vnode {
	struct uvm_object u_obj;        /* first: v_obj points here */
	const struct uvn_ops *u_ops;
	struct blkdev *u_dev;           /* the disk the file lives on */
	voff_t u_size;                  /* the file's length in bytes */
	int u_error;                    /* a write-back error not yet reported */
	void *u_owner;                  /* the vnode (for uvn_hold/rele) */
	TAILQ_ENTRY(uvm_vnode) u_list;  /* on the list of all of them */
};

/* The most pages one read or write request carries (also max_segs). */
#define UVN_MAXCLUSTER 32

extern const struct uvm_pagerops uvn_pager;

/*
 * uvn_init - an empty object for a file of size bytes on dev.  uo_refs
 * starts at 0: it counts the references taken through pgo_reference
 * (mappings); the vnode's own count is the file system's.
 *  => never sleeps but for the list lock.
 */
void uvn_init(struct uvm_vnode *uvn, const struct uvn_ops *ops,
    struct blkdev *dev, voff_t size, void *owner);

/*
 * uvn_destroy - the vnode is being reclaimed: free every page (dirty
 * ones are dropped: flush first) and take the object off the list.
 *  => object unlocked, no mapping left (uo_refs 0); waits for busy pages.
 */
void uvn_destroy(struct uvm_vnode *uvn);

/*
 * uvn_setsize - the file is now size bytes.  Shrinking removes the pages
 * past the new end from every mapping and frees them (the partial last
 * page's tail is zeroed), so a later access there gets SIGBUS.
 *  => object unlocked; may sleep (waits for busy pages).
 */
void uvn_setsize(struct uvm_vnode *uvn, voff_t size);

/* Flags of uvn_flush (msync's, fsync's and the page daemon's). */
#define UVN_SYNC 0x1            /* write the dirty pages and wait */
#define UVN_ASYNC 0x2           /* start writing (may complete at once) */
#define UVN_INVALIDATE 0x4      /* then drop clean unmapped pages */

/*
 * uvn_flush - write back the dirty pages in [start, end) (end 0: to the
 * end of the file) in clusters.  => object unlocked; may sleep; returns 0
 * or the first write error (which also stays in u_error).
 */
int uvn_flush(struct uvm_vnode *uvn, voff_t start, voff_t end, int flags);

/* uvn_take_error - the recorded write-back error (0: none), cleared. */
int uvn_take_error(struct uvm_vnode *uvn);

/* uvn_is_vnode - whether uobj is a vnode-pager object. */
bool uvn_is_vnode(const struct uvm_object *uobj);

/*
 * uvn_check - the object (uvm_obj_check), its fields, no page past the
 * end but wired ones, no page left PG_FAKE unless busy.
 *  => object locked by the caller, or quiet; never panics; problems found.
 */
int uvn_check(struct uvm_vnode *uvn, kprint_fn pr);

/* uvn_check_all - uvn_check on every vnode object (try-locking each). */
int uvn_check_all(kprint_fn pr);

/* uvn_print - size, references, error, disk, then the pages.  No lock. */
void uvn_print(struct uvm_vnode *uvn, kprint_fn pr);

/* uvn_count - vnode objects initialised and not destroyed. */
uint64_t uvn_count(void);

/* Counters the tests and make bench read. */
struct uvn_stats {
	uint64_t gets, get_pages;       /* read requests, pages they brought */
	uint64_t puts, put_pages;       /* write requests, pages they wrote */
	uint64_t holes_zeroed, allocs;  /* pages zero-filled, blocks allocated */
	uint64_t write_errors, read_errors;     /* failed requests */
};
extern struct uvn_stats uvn_stats;

#endif
