/*
 * kern/lib/rbtree.c - the red-black tree behind the VM map (and anything
 * else that needs an ordered set with O(log n) insert, remove and find).
 *
 * Why a balanced tree: a process's map may hold thousands of entries, and
 * a fault must find the entry covering an address quickly.  A plain
 * binary search tree degrades to a list when entries arrive in address
 * order (which is what mmap does), so the tree must rebalance itself.
 *
 * Why augmentation: mmap must also find a free hole of a given size.
 * Each map entry knows the gap after it, and each node keeps maxgap, the
 * largest gap anywhere in its subtree.  findspace then goes down from the
 * root into a child only if that child's maxgap is big enough: O(log n)
 * instead of a walk over every entry.  That only works if every maxgap is
 * exact all the time, which is this file's main promise.
 *
 * The rules (rb_tree_check verifies each one):
 *
 *   1. order: everything in n's left subtree sorts before n, everything
 *      in its right subtree after it; no two nodes compare equal;
 *   2. links: a child's rb_parent points at its parent; the root's is NULL;
 *   3. every node is red or black, and the root is black;
 *   4. a red node has no red child;
 *   5. every path from a node down to a missing child (NULL) passes the
 *      same number of black nodes (the black height).
 *
 * Rules 4 and 5 bound the height: the shortest path down may be all
 * black, the longest alternates red and black, so no path is more than
 * twice as long as any other, and a tree of n nodes is at most
 * 2 * log2(n + 1) deep (about 34 for 100,000 nodes).
 *
 * Insert and remove first do the plain BST change, which may break rule 4
 * (insert adds a red node) or rule 5 (remove takes a black one away), and
 * then repair the damage locally, moving up the tree, with recolorings and
 * at most three rotations.  A rotation turns one edge around and keeps the
 * order.  Here is a left rotation at x, with each node's own value and, in
 * brackets, the augmented maximum over its subtree:
 *
 *            |                                   |
 *            x 4 [9]                             y 9 [9]
 *           / \                                 / \
 *     [3]  a   y 9 [9]          ==>      x 4 [7]   c [2]
 *             / \                         / \
 *       [7]  b   c  [2]            [3]  a   b [7]
 *
 * Subtrees a, b and c are untouched, so their maxima still hold.  Only x
 * and y have new children: x first (it is now below y), 4 with 3 and 7
 * gives 7; then y, 9 with 7 and 2 gives 9.  The subtree as a whole holds
 * the same nodes as before, so nothing above it changes.  Every rotation
 * here therefore ends with augment(lower node), augment(upper node).
 *
 * Recoloring never changes augmented data (colors are not an input).
 * What does change it is a node arriving or leaving: that alters the set
 * of nodes under every ancestor.  So insert and remove recompute the
 * path from the lowest changed node upwards *before* they rebalance; the
 * rotations that follow then start from exact values and, as above, keep
 * them exact.  The walk stops at the first ancestor whose data comes out
 * unchanged (nothing above it can change either), except when remove
 * moved a successor up above the change: then it goes to the root.
 *
 * Removing a node with two children: it cannot simply be unlinked, so its
 * successor s (the leftmost node of its right subtree, which has no left
 * child) is unlinked from its own spot and then put in the removed node's
 * place, taking over its color.  The lowest changed node is then s's old
 * parent (or s itself when s was the right child), and the path up from it
 * passes through s in its new place and on to the root, so s's old
 * ancestors and new ancestors are all recomputed.  The tree never copies
 * a key from one node into another: nodes are embedded in their owners,
 * so a node must stay the node it is.
 *
 * The fix-up code is written once for both directions: a "side" (RB_L or
 * RB_R) selects a child link, and !side is the mirror image.
 *
 * Locking: none.  The caller holds whatever lock protects the tree (the
 * map lock for a vm_map).  Nothing here sleeps or allocates.
 */
#include "kern/lib/rbtree.h"
#include "kern/lib/assert.h"

#define RB_L 0
#define RB_R 1

/* The link to n's child on side. */
static inline struct rb_node **
rb_link(struct rb_node *n, int side)
{
	return side == RB_L ? &n->rb_left : &n->rb_right;
}

/* A missing child counts as black (rule 5 counts blacks down to NULL). */
static inline bool
rb_is_red(const struct rb_node *n)
{
	return n != NULL && n->rb_color == RB_RED;
}

static inline void
rb_augment(const struct rb_tree *t, struct rb_node *n)
{
	if (t->rbt_ops->augment != NULL)
		t->rbt_ops->augment(n);
}

/* Make parent's link to old (or the root, if parent is NULL) point at new. */
static void
rb_relink(struct rb_tree *t, struct rb_node *parent, struct rb_node *old,
    struct rb_node *new)
{
	if (parent == NULL)
		t->rbt_root = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
	if (new != NULL)
		new->rb_parent = parent;
}

/*
 * Rotate at x so that x goes down on side and its child on the other
 * side (y) comes up into x's place.  y's inner subtree changes hands:
 * it sits between x and y in the order, so it becomes x's child.
 */
static void
rb_rotate(struct rb_tree *t, struct rb_node *x, int side)
{
	struct rb_node *y = *rb_link(x, !side);
	struct rb_node *inner = *rb_link(y, side);

	*rb_link(x, !side) = inner;
	if (inner != NULL)
		inner->rb_parent = x;
	rb_relink(t, x->rb_parent, x, y);
	*rb_link(y, side) = x;
	x->rb_parent = y;
	/* Lower node first: y's data depend on x's. */
	rb_augment(t, x);
	rb_augment(t, y);
}

void
rb_tree_init(struct rb_tree *t, const struct rb_ops *ops)
{
	t->rbt_root = NULL;
	t->rbt_ops = ops;
	t->rbt_count = 0;
}

/* Recompute n and every ancestor, to the root (after a remove). */
static void
augment_to_root(struct rb_tree *t, struct rb_node *n)
{
	if (t->rbt_ops->augment == NULL)
		return;
	for (; n != NULL; n = n->rb_parent)
		t->rbt_ops->augment(n);
}

void
rb_tree_augment_path(struct rb_tree *t, struct rb_node *n)
{
	if (t->rbt_ops->augment == NULL)
		return;
	/* n itself always: its input changed, or it just arrived. */
	t->rbt_ops->augment(n);
	for (n = n->rb_parent; n != NULL && t->rbt_ops->augment(n); n = n->rb_parent)
		;
}

/*
 * n is red and may have a red parent (rule 4 broken there, and only
 * there).  Move the problem up by recoloring while the uncle is red;
 * once it is black, one or two rotations end it.
 */
static void
rb_insert_fixup(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *p, *g, *uncle;
	int pside;

	while (rb_is_red(p = n->rb_parent)) {
		/* A red node is never the root, so g exists (and is black). */
		g = p->rb_parent;
		pside = (p == g->rb_right) ? RB_R : RB_L;
		uncle = *rb_link(g, !pside);
		if (rb_is_red(uncle)) {
			/*
			 * Push g's blackness down to both children: black
			 * heights are unchanged, but g is now red and may
			 * clash with its own parent.  Go again from g.
			 */
			p->rb_color = RB_BLACK;
			uncle->rb_color = RB_BLACK;
			g->rb_color = RB_RED;
			n = g;
			continue;
		}
		if (n == *rb_link(p, !pside)) {
			/*
			 * n is an inner grandchild (a zig-zag).  Rotate it
			 * above p so that the two reds lie on a straight line
			 * away from g; p is now the lower one.
			 */
			rb_rotate(t, p, pside);
			n = p;
			p = n->rb_parent;
		}
		/* Straight line: lift p above g; p black, g red, done. */
		p->rb_color = RB_BLACK;
		g->rb_color = RB_RED;
		rb_rotate(t, g, !pside);
		break;
	}
	t->rbt_root->rb_color = RB_BLACK;
}

/* Hang n, a new leaf, at *link below parent, then restore the rules. */
static void
rb_attach(struct rb_tree *t, struct rb_node *parent, struct rb_node **link,
    struct rb_node *n)
{
	n->rb_left = n->rb_right = NULL;
	n->rb_parent = parent;
	n->rb_color = RB_RED;           /* keeps every black height as it was */
	*link = n;
	t->rbt_count++;
	/* n is now below every node on its path: recompute before rotating. */
	rb_tree_augment_path(t, n);
	rb_insert_fixup(t, n);
}

struct rb_node *
rb_tree_insert(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *parent = NULL, **link = &t->rbt_root;
	int c;

	while (*link != NULL) {
		parent = *link;
		c = t->rbt_ops->compare_nodes(n, parent);
		if (c == 0)
			return parent;
		link = rb_link(parent, c < 0 ? RB_L : RB_R);
	}
	rb_attach(t, parent, link, n);
	return n;
}

/*
 * In order, prev and next are neighbours, so one of two places is free
 * for a node between them: prev's right link (when prev has no right
 * subtree), or else next's left link (next is then the leftmost node of
 * prev's right subtree, which has no left child).  No search needed.
 */
void
rb_tree_insert_between(struct rb_tree *t, struct rb_node *prev,
    struct rb_node *next, struct rb_node *n)
{
	if (t->rbt_root == NULL) {
		KASSERT(prev == NULL && next == NULL);
		rb_attach(t, NULL, &t->rbt_root, n);
	} else if (prev != NULL && prev->rb_right == NULL) {
		KDASSERT(rb_tree_next(prev) == next);
		rb_attach(t, prev, &prev->rb_right, n);
	} else {
		KASSERT(next != NULL && next->rb_left == NULL);
		KDASSERT(rb_tree_prev(next) == prev);
		rb_attach(t, next, &next->rb_left, n);
	}
}

/*
 * A black node was taken away above x (x may be NULL; parent is its
 * parent), so every path through x is one black short.  If x is red,
 * painting it black repays the debt.  Otherwise look at x's sibling w,
 * which must exist (its side has at least one black to spare):
 *   - w red: rotate it above parent so x gets a black sibling instead;
 *   - w black with two black children: paint w red, which makes parent's
 *     whole subtree one black short, and carry the debt up to parent;
 *   - w black with a red child on the far side: rotate w above parent,
 *     give w parent's color and paint parent and that far child black:
 *     x's side gains a black, w's side keeps its count, done.  (A red
 *     child only on the near side is first rotated to the far side.)
 */
static void
rb_remove_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *parent)
{
	struct rb_node *w;
	int side;

	while (x != t->rbt_root && !rb_is_red(x)) {
		/* x may be NULL: then it is whichever child of parent is. */
		side = (parent->rb_left == x) ? RB_L : RB_R;
		w = *rb_link(parent, !side);
		if (rb_is_red(w)) {
			w->rb_color = RB_BLACK;
			parent->rb_color = RB_RED;
			rb_rotate(t, parent, side);
			w = *rb_link(parent, !side);
		}
		if (!rb_is_red(w->rb_left) && !rb_is_red(w->rb_right)) {
			w->rb_color = RB_RED;
			x = parent;
			parent = x->rb_parent;
			continue;
		}
		if (!rb_is_red(*rb_link(w, !side))) {
			(*rb_link(w, side))->rb_color = RB_BLACK;
			w->rb_color = RB_RED;
			rb_rotate(t, w, !side);
			w = *rb_link(parent, !side);
		}
		w->rb_color = parent->rb_color;
		parent->rb_color = RB_BLACK;
		(*rb_link(w, !side))->rb_color = RB_BLACK;
		rb_rotate(t, parent, side);
		x = t->rbt_root;
		break;
	}
	if (x != NULL)
		x->rb_color = RB_BLACK;
}

/*
 * n has two children.  Unlink its successor s from s's own place, then
 * put s where n was (same links, same color).  Returns the color that
 * vanished from s's old place; *xp gets the node that moved into that
 * place (maybe NULL) and *parentp its parent, the lowest changed node.
 */
static int
rb_replace_by_successor(struct rb_tree *t, struct rb_node *n,
    struct rb_node **xp, struct rb_node **parentp)
{
	struct rb_node *s = n->rb_right;
	int color;

	while (s->rb_left != NULL)
		s = s->rb_left;
	*xp = s->rb_right;
	if (s->rb_parent == n) {
		/* s keeps its right subtree and only moves up one level. */
		*parentp = s;
	} else {
		*parentp = s->rb_parent;
		(*parentp)->rb_left = s->rb_right;
		if (s->rb_right != NULL)
			s->rb_right->rb_parent = *parentp;
		s->rb_right = n->rb_right;
		n->rb_right->rb_parent = s;
	}
	s->rb_left = n->rb_left;
	n->rb_left->rb_parent = s;
	rb_relink(t, n->rb_parent, n, s);
	color = s->rb_color;
	s->rb_color = n->rb_color;
	return color;
}

void
rb_tree_remove(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *x, *parent;
	int gone;       /* the color of the position that disappeared */
	bool two_children = n->rb_left != NULL && n->rb_right != NULL;

	if (two_children) {
		gone = rb_replace_by_successor(t, n, &x, &parent);
	} else {
		/* At most one child: it moves up into n's place. */
		x = (n->rb_left != NULL) ? n->rb_left : n->rb_right;
		parent = n->rb_parent;
		rb_relink(t, parent, n, x);
		gone = n->rb_color;
	}
	t->rbt_count--;
	/* Every node from the change upwards lost n from its subtree.  With
	 * two children the successor moved into n's place, above the change:
	 * recompute all the way up.  Otherwise the change is at parent, and
	 * the walk may stop where nothing changes any more. */
	if (parent != NULL && two_children)
		augment_to_root(t, parent);
	else if (parent != NULL)
		rb_tree_augment_path(t, parent);
	if (gone == RB_BLACK)
		rb_remove_fixup(t, x, parent);
	/* Stale links in a removed node would only invite use after removal. */
	n->rb_left = n->rb_right = n->rb_parent = NULL;
}

struct rb_node *
rb_tree_find(const struct rb_tree *t, const void *key)
{
	struct rb_node *n = t->rbt_root;
	int c;

	while (n != NULL) {
		c = t->rbt_ops->compare_key(n, key);
		if (c == 0)
			return n;
		n = (c < 0) ? n->rb_right : n->rb_left;
	}
	return NULL;
}

struct rb_node *
rb_tree_find_le(const struct rb_tree *t, const void *key)
{
	struct rb_node *n = t->rbt_root, *best = NULL;
	int c;

	while (n != NULL) {
		c = t->rbt_ops->compare_key(n, key);
		if (c == 0)
			return n;
		if (c < 0) {
			/* n qualifies; anything better is to its right. */
			best = n;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return best;
}

/* The node furthest down on side from n (n itself if it has no child there). */
static struct rb_node *
rb_extreme(struct rb_node *n, int side)
{
	if (n != NULL)
		while (*rb_link(n, side) != NULL)
			n = *rb_link(n, side);
	return n;
}

struct rb_node *
rb_tree_first(const struct rb_tree *t)
{
	return rb_extreme(t->rbt_root, RB_L);
}

struct rb_node *
rb_tree_last(const struct rb_tree *t)
{
	return rb_extreme(t->rbt_root, RB_R);
}

/*
 * The neighbour of n on side: the extreme opposite node of n's subtree on
 * that side if there is one; otherwise the first ancestor that n lies on
 * the far side of.
 */
static struct rb_node *
rb_step(const struct rb_node *n, int side)
{
	struct rb_node *child = *rb_link((struct rb_node *)n, side);
	const struct rb_node *from;

	if (child != NULL)
		return rb_extreme(child, !side);
	do {
		from = n;
		n = n->rb_parent;
	} while (n != NULL && from == *rb_link((struct rb_node *)n, side));
	return (struct rb_node *)n;
}

struct rb_node *
rb_tree_next(const struct rb_node *n)
{
	return rb_step(n, RB_R);
}

struct rb_node *
rb_tree_prev(const struct rb_node *n)
{
	return rb_step(n, RB_L);
}

/*
 * The checker walks the tree without recursion and without a stack of
 * its own, climbing back through rb_parent.  That is only safe along
 * links whose child points back at the parent, so it descends only
 * those: each node is then reached from one place at most and the walk
 * ends even on a corrupted tree (a bad link is reported, not followed).
 */
struct rb_check {
	const struct rb_tree *t;
	bool (*augment_ok)(const struct rb_node *n);
	kprint_fn pr;
	int problems;
	size_t visited;
	int blacks;                     /* black nodes from the root to here */
	int leaf_blacks;                /* ... at the first NULL child; -1: none yet */
	const struct rb_node *prev;     /* the previous node in order */
};

static void
rb_check_report(struct rb_check *ck, const struct rb_node *n, const char *what)
{
	if (ck->problems < RB_CHECK_MAXPRINT)
		ck->pr("rb_tree_check: tree %p: node %p: %s\n", (const void *)ck->t,
		    (const void *)n, what);
	else if (ck->problems == RB_CHECK_MAXPRINT)
		ck->pr("rb_tree_check: tree %p: more problems, not shown\n",
		    (const void *)ck->t);
	ck->problems++;
}

/* First arrival at n: the rules that n alone, or n and its parent, decide. */
static void
rb_check_arrive(struct rb_check *ck, const struct rb_node *n)
{
	ck->visited++;
	if (n->rb_color != RB_RED && n->rb_color != RB_BLACK)
		rb_check_report(ck, n, "color is neither red nor black");
	if (n->rb_color != RB_RED)
		ck->blacks++;
	else if (rb_is_red(n->rb_parent))
		rb_check_report(ck, n, "red node with a red parent");
	if (n->rb_left != NULL && n->rb_left == n->rb_right)
		rb_check_report(ck, n, "left and right are the same node");
	if (ck->augment_ok != NULL && !ck->augment_ok(n))
		rb_check_report(ck, n, "augmented data wrong");
}

/* In-order visit of n: it must sort strictly after the previous node. */
static void
rb_check_inorder(struct rb_check *ck, const struct rb_node *n)
{
	if (ck->prev != NULL && ck->t->rbt_ops->compare_nodes(ck->prev, n) >= 0)
		rb_check_report(ck, n, "out of order (not after its predecessor)");
	ck->prev = n;
}

/*
 * n's child on side, if the walk may go there; NULL otherwise.  A missing
 * child ends a path, so it is where black heights are compared.
 */
static const struct rb_node *
rb_check_child(struct rb_check *ck, const struct rb_node *n, int side)
{
	const struct rb_node *c = *rb_link((struct rb_node *)n, side);

	if (c == NULL) {
		if (ck->leaf_blacks < 0)
			ck->leaf_blacks = ck->blacks;
		else if (ck->blacks != ck->leaf_blacks)
			rb_check_report(ck, n, "black height differs from other paths");
		return NULL;
	}
	if (c->rb_parent != n) {
		rb_check_report(ck, c, "parent link does not point back");
		return NULL;
	}
	if (side == RB_R && c == n->rb_left)
		return NULL;            /* reported on arrival; walk it once */
	return c;
}

/*
 * n's subtree is finished.  Climb to the first ancestor reached from its
 * left child: that ancestor is next in order.  NULL when the root is done.
 */
static const struct rb_node *
rb_check_climb(struct rb_check *ck, const struct rb_node *n,
    const struct rb_node *root)
{
	const struct rb_node *from;

	for (;;) {
		if (n->rb_color != RB_RED)
			ck->blacks--;
		if (n == root)
			return NULL;
		from = n;
		n = n->rb_parent;
		if (from == n->rb_left)
			return n;
	}
}

/* In order: down the left spine, visit, into the right subtree or climb. */
static void
rb_check_walk(struct rb_check *ck, const struct rb_node *root)
{
	const struct rb_node *n = root, *c;

	rb_check_arrive(ck, n);
	for (;;) {
		while ((c = rb_check_child(ck, n, RB_L)) != NULL) {
			n = c;
			rb_check_arrive(ck, n);
		}
		/* n's left subtree is done (or absent): visit n, go right. */
		for (;;) {
			rb_check_inorder(ck, n);
			c = rb_check_child(ck, n, RB_R);
			if (c != NULL)
				break;
			n = rb_check_climb(ck, n, root);
			if (n == NULL)
				return;
		}
		n = c;
		rb_check_arrive(ck, n);
	}
}

int
rb_tree_check(const struct rb_tree *t,
    bool (*augment_ok)(const struct rb_node *n), kprint_fn pr)
{
	struct rb_check ck = {
		.t = t, .augment_ok = augment_ok, .pr = pr, .leaf_blacks = -1,
	};
	const struct rb_node *root = t->rbt_root;

	if (root != NULL) {
		if (root->rb_parent != NULL)
			rb_check_report(&ck, root, "root has a parent");
		else
			rb_check_walk(&ck, root);
		if (root->rb_color != RB_BLACK)
			rb_check_report(&ck, root, "root is not black");
	}
	if (ck.visited != t->rbt_count) {
		if (ck.problems < RB_CHECK_MAXPRINT)
			pr("rb_tree_check: tree %p: %zu nodes reached, rbt_count %zu\n",
			    (const void *)t, ck.visited, t->rbt_count);
		ck.problems++;
	}
	return ck.problems;
}
