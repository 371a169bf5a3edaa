/*
 * kern/lib/rbtree.h - an intrusive red-black tree with an augmentation
 * hook.
 *
 * The node lives inside the caller's structure and the tree never
 * allocates; container_of() gets back from a node to its owner:
 *
 *   struct vm_map_entry {
 *           struct rb_node rb;      // ordered by start address
 *           vaddr_t start, end;
 *           vsize_t gap, maxgap;    // maxgap: the augmented value
 *   };
 *
 * The caller supplies the order (compare_nodes, compare_key) and, when
 * each node carries a summary of its subtree (the map's maxgap), an
 * augment function that recomputes that summary for one node from the
 * node and its two children.  The tree calls it wherever the shape
 * below a node changes, so summaries stay exact through every insert,
 * remove and rotation; when a node's own input changes (its gap), the
 * caller says so with rb_tree_augment_path().
 *
 * The links are plain fields: a caller may walk the tree by hand (the
 * map's findspace descends on maxgap through rb_left/rb_right), but must
 * never change them.  See rbtree.c for the rules and a worked rotation.
 *
 * Locking: none.  The tree is a plain data structure; the owner's lock
 * covers it.  Nothing here sleeps or allocates.
 */
#ifndef KERN_LIB_RBTREE_H
#define KERN_LIB_RBTREE_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

#define RB_BLACK 0
#define RB_RED 1

struct rb_node {
	struct rb_node *rb_left;        /* smaller nodes, or NULL */
	struct rb_node *rb_right;       /* larger nodes, or NULL */
	struct rb_node *rb_parent;      /* NULL at the root */
	int rb_color;                   /* RB_BLACK or RB_RED */
};

struct rb_ops {
	/* Order of two nodes: <0 if a sorts before b, 0 if equal, >0 after. */
	int (*compare_nodes)(const struct rb_node *a, const struct rb_node *b);
	/* Order of node n against a lookup key, in the same sense. */
	int (*compare_key)(const struct rb_node *n, const void *key);
	/*
	 * Recompute n's augmented data from n itself and its children (whose
	 * data are already right) and say whether it changed.  Must not look
	 * further, nor change the tree.  May be NULL when nodes carry no
	 * augmented data.
	 */
	bool (*augment)(struct rb_node *n);
};

struct rb_tree {
	struct rb_node *rbt_root;
	const struct rb_ops *rbt_ops;
	size_t rbt_count;               /* nodes in the tree */
};

/* Every node of t in order; n must not be removed inside the loop. */
#define RB_TREE_FOREACH(n, t) \
	for ((n) = rb_tree_first(t); (n) != NULL; (n) = rb_tree_next(n))

/*
 * rb_tree_init - make t an empty tree ordered by ops.
 *  => ops must outlive the tree.
 */
void rb_tree_init(struct rb_tree *t, const struct rb_ops *ops);

/*
 * rb_tree_insert - put n in t at its place in the order.
 *  => n must not be in any tree; its links and color are overwritten.
 *  => returns n, or the node already in t that compares equal to n (then
 *     t and n are left untouched).
 *  => calls ops->augment on n and every ancestor, and on the two nodes of
 *     each rebalancing rotation.  O(log n); never sleeps.
 */
struct rb_node *rb_tree_insert(struct rb_tree *t, struct rb_node *n);

/*
 * rb_tree_remove - take n out of t.
 *  => n must be in t.  Afterwards n's links are NULL.
 *  => augmented data of every node left in t is exact again on return
 *     (including the old ancestors of n's successor when it took n's
 *     place).  O(log n); never sleeps.
 */
void rb_tree_remove(struct rb_tree *t, struct rb_node *n);

/*
 * rb_tree_find - the node that compares equal to key, or NULL.
 *  => O(log n); never sleeps.
 */
struct rb_node *rb_tree_find(const struct rb_tree *t, const void *key);

/*
 * rb_tree_find_le - the greatest node n with compare_key(n, key) <= 0,
 * or NULL when every node sorts after key.
 *  => the map uses it for "the entry starting at or below this address".
 *  => O(log n); never sleeps.
 */
struct rb_node *rb_tree_find_le(const struct rb_tree *t, const void *key);

/*
 * rb_tree_first, rb_tree_last - the smallest or greatest node, or NULL
 * when t is empty.
 *  => O(log n); never sleeps.
 */
struct rb_node *rb_tree_first(const struct rb_tree *t);
struct rb_node *rb_tree_last(const struct rb_tree *t);

/*
 * rb_tree_next, rb_tree_prev - n's in-order neighbour, or NULL at the end.
 *  => n must be in a tree (the tree itself is not needed: parent links
 *     suffice).  O(log n), O(1) on average over a whole walk; never
 *     sleeps.
 */
struct rb_node *rb_tree_next(const struct rb_node *n);
struct rb_node *rb_tree_prev(const struct rb_node *n);

/*
 * rb_tree_insert_between - insert n, which sorts between the neighbours
 * prev and next (NULL: n is the new first, or last), without a search.
 *  => prev and next are adjacent in t (checked in debug builds); n is
 *     not in t.
 *  => O(1) to place n, then the usual recoloring and rotations.
 */
void rb_tree_insert_between(struct rb_tree *t, struct rb_node *prev,
    struct rb_node *next, struct rb_node *n);

/*
 * rb_tree_augment_path - n's own input to its augmented data changed;
 * recompute n, then its ancestors upwards as long as each one's data
 * changes: an ancestor whose data comes out the same leaves everything
 * above it the same too (its parent sees the same children), so the walk
 * stops there - usually after a few levels, which keeps map operations
 * flat in the number of entries.
 *  => n must be in t.  Does nothing when ops->augment is NULL.
 *  => every node but n has exact data (only n's input changed since the
 *     tree was last consistent): the walk trusts the rest of the tree.
 *  => O(log n) at worst; never sleeps.
 */
void rb_tree_augment_path(struct rb_tree *t, struct rb_node *n);

/*
 * rb_tree_check - verify t: BST order, parent links, a black root, no red
 * node with a red child, the same number of black nodes on every path
 * down, rbt_count, and augment_ok on every node when it is not NULL.
 *  => prints each problem through pr (after RB_CHECK_MAXPRINT lines it
 *     only counts them); returns the number of problems, 0 when sound.
 *  => survives a corrupted tree (never follows a link whose child does
 *     not point back, so it cannot loop).  O(n), no recursion; never
 *     sleeps.
 */
#define RB_CHECK_MAXPRINT 32
int rb_tree_check(const struct rb_tree *t,
    bool (*augment_ok)(const struct rb_node *n), kprint_fn pr);

#endif
