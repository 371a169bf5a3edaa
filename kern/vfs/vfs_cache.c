/*
 * kern/vfs/vfs_cache.c - the name cache: (directory vnode, name) -> vnode.
 *
 * namei asks it before calling a file system's vop_lookup, so walking
 * "/tests/data/rows.txt" a second time costs three hash probes and no
 * directory search:
 *
 *   nc_hash[h(root, "tests")] -> {root, "tests" -> vn 7} -> ...
 *   nc_lru: oldest entry <-> ... <-> newest   (a hit moves it to the end)
 *
 * Entries are a fixed array (NCACHE_SIZE) reused oldest first, so the
 * cache never allocates and costs nothing in the leak check.  It holds no
 * references: an entry names vnodes that may be reclaimed, so the vnode
 * cache purges every entry of a vnode before freeing it (cache_purge),
 * and the system calls purge a name they remove or rename.  A hit takes
 * its reference with vcache_tryref under namecache_lock, which a purge
 * needs too, so the vnode cannot go away in between.
 *
 * Only positive entries; names of up to NCHNAMLEN bytes; never "." or
 * "..".  A purge of one vnode walks every entry in use (NCACHE_SIZE at
 * most): simple, and cheap at this size.
 *
 * Invariants (cache_check): an entry in use is on its hash chain and the
 * LRU list, an unused one only on the LRU list (at the front); nc_entries
 * counts the ones in use; no entry names a dead vnode.
 *
 * Locking: namecache_lock (a mutex) covers everything here; it is taken
 * before vcache_lock and after any v_lock.
 */
#include "kern/vfs/vfs.h"
#include "kern/lib/assert.h"
#include "kern/lib/string.h"

#define NCACHE_SIZE 512
#define NCACHE_HASHSIZE 128

struct ncentry {
	struct vnode *nc_dvp;           /* NULL: unused */
	struct vnode *nc_vp;
	struct ncentry *nc_hashnext;
	TAILQ_ENTRY(ncentry) nc_lru;
	uint8_t nc_len;
	char nc_name[NCHNAMLEN];
};

struct namecache_stats namecache_stats;

static struct kmutex namecache_lock = KMUTEX_INIT("namecache");
static struct ncentry nc_entries[NCACHE_SIZE];
static struct ncentry *nc_hash[NCACHE_HASHSIZE];
static TAILQ_HEAD(, ncentry) nc_lru = { NULL, &nc_lru.tqh_first };
static bool nc_ready;

static struct ncentry **
cache_bucket(struct vnode *dvp, const char *name, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)dvp >> 6;

	for (size_t i = 0; i < len; i++)
		h = h * 33 + (uint8_t)name[i];
	return &nc_hash[h % NCACHE_HASHSIZE];
}

/* Put every entry on the LRU list once.  => namecache_lock held. */
static void
cache_setup(void)
{
	if (nc_ready)
		return;
	for (int i = 0; i < NCACHE_SIZE; i++)
		TAILQ_INSERT_TAIL(&nc_lru, &nc_entries[i], nc_lru);
	nc_ready = true;
}

static struct ncentry *
cache_find(struct vnode *dvp, const char *name, size_t len)
{
	struct ncentry *nc;

	for (nc = *cache_bucket(dvp, name, len); nc != NULL; nc = nc->nc_hashnext)
		if (nc->nc_dvp == dvp && nc->nc_len == len &&
		    memcmp(nc->nc_name, name, len) == 0)
			return nc;
	return NULL;
}

/* Drop nc: off its chain, to the front of the LRU list for reuse. */
static void
cache_remove(struct ncentry *nc)
{
	struct ncentry **pp = cache_bucket(nc->nc_dvp, nc->nc_name, nc->nc_len);

	while (*pp != nc)
		pp = &(*pp)->nc_hashnext;
	*pp = nc->nc_hashnext;
	nc->nc_dvp = nc->nc_vp = NULL;
	TAILQ_REMOVE(&nc_lru, nc, nc_lru);
	TAILQ_INSERT_HEAD(&nc_lru, nc, nc_lru);
	namecache_stats.nc_entries--;
	namecache_stats.nc_purges++;
}

static bool
cache_cacheable(const char *name, size_t len)
{
	if (len == 0 || len > NCHNAMLEN)
		return false;
	return !(name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')));
}

struct vnode *
cache_lookup(struct vnode *dvp, const char *name, size_t len)
{
	struct ncentry *nc;
	struct vnode *vp = NULL;

	if (!cache_cacheable(name, len))
		return NULL;
	mutex_enter(&namecache_lock);
	cache_setup();
	nc = cache_find(dvp, name, len);
	if (nc != NULL && vcache_tryref(nc->nc_vp)) {
		vp = nc->nc_vp;
		TAILQ_REMOVE(&nc_lru, nc, nc_lru);
		TAILQ_INSERT_TAIL(&nc_lru, nc, nc_lru);
	}
	if (vp != NULL)
		namecache_stats.nc_hits++;
	else
		namecache_stats.nc_misses++;
	mutex_exit(&namecache_lock);
	return vp;
}

void
cache_enter(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct ncentry *nc, **bucket;

	if (!cache_cacheable(name, len))
		return;
	mutex_enter(&namecache_lock);
	cache_setup();
	if ((nc = cache_find(dvp, name, len)) != NULL)
		cache_remove(nc);
	nc = TAILQ_FIRST(&nc_lru);              /* unused, or the oldest */
	if (nc->nc_dvp != NULL)
		cache_remove(nc);
	bucket = cache_bucket(dvp, name, len);
	nc->nc_dvp = dvp;
	nc->nc_vp = vp;
	nc->nc_len = (uint8_t)len;
	memcpy(nc->nc_name, name, len);
	nc->nc_hashnext = *bucket;
	*bucket = nc;
	TAILQ_REMOVE(&nc_lru, nc, nc_lru);
	TAILQ_INSERT_TAIL(&nc_lru, nc, nc_lru);
	namecache_stats.nc_entries++;
	namecache_stats.nc_enters++;
	mutex_exit(&namecache_lock);
}

void
cache_purge(struct vnode *vp)
{
	mutex_enter(&namecache_lock);
	cache_setup();
	for (int i = 0; i < NCACHE_SIZE; i++) {
		struct ncentry *nc = &nc_entries[i];

		if (nc->nc_dvp != NULL && (nc->nc_dvp == vp || nc->nc_vp == vp))
			cache_remove(nc);
	}
	mutex_exit(&namecache_lock);
}

void
cache_purge_name(struct vnode *dvp, const char *name, size_t len)
{
	struct ncentry *nc;

	if (!cache_cacheable(name, len))
		return;
	mutex_enter(&namecache_lock);
	cache_setup();
	if ((nc = cache_find(dvp, name, len)) != NULL)
		cache_remove(nc);
	mutex_exit(&namecache_lock);
}

struct vnode *
cache_revlookup(struct vnode *vp, char *name, size_t size)
{
	struct vnode *dvp = NULL;

	mutex_enter(&namecache_lock);
	cache_setup();
	for (int i = 0; i < NCACHE_SIZE && dvp == NULL; i++) {
		struct ncentry *nc = &nc_entries[i];

		if (nc->nc_dvp == NULL || nc->nc_vp != vp || nc->nc_len >= size ||
		    !vcache_tryref(nc->nc_dvp))
			continue;
		dvp = nc->nc_dvp;
		memcpy(name, nc->nc_name, nc->nc_len);
		name[nc->nc_len] = '\0';
	}
	mutex_exit(&namecache_lock);
	return dvp;
}

void
cache_purgeall(void)
{
	mutex_enter(&namecache_lock);
	cache_setup();
	for (int i = 0; i < NCACHE_SIZE; i++)
		if (nc_entries[i].nc_dvp != NULL)
			cache_remove(&nc_entries[i]);
	mutex_exit(&namecache_lock);
}

/* Is nc on the chain it hashes to? */
static bool
cache_on_chain(struct ncentry *nc)
{
	struct ncentry *p = *cache_bucket(nc->nc_dvp, nc->nc_name, nc->nc_len);

	while (p != NULL && p != nc)
		p = p->nc_hashnext;
	return p == nc;
}

int
cache_check(kprint_fn pr)
{
	uint64_t used = 0;
	int bad = 0;

	mutex_enter(&namecache_lock);
	for (int i = 0; i < NCACHE_SIZE; i++) {
		struct ncentry *nc = &nc_entries[i];

		if (nc->nc_dvp == NULL)
			continue;
		used++;
		if (!cache_on_chain(nc) || nc->nc_dvp->v_dead || nc->nc_vp->v_dead) {
			pr("namecache: entry %d (%.*s) off its chain or dead\n",
			    i, nc->nc_len, nc->nc_name);
			bad++;
		}
	}
	if (used != namecache_stats.nc_entries) {
		pr("namecache: %lu entries in use, count says %lu\n", used,
		    namecache_stats.nc_entries);
		bad++;
	}
	mutex_exit(&namecache_lock);
	return bad;
}
