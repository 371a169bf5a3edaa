/*
 * tests/kern/lib/rbtree_test.c - kern/lib/rbtree.c: order, balance and exact
 * augmented data through every insert, remove and rotation.
 *
 * The test node carries a value and, as its augmented data, the largest
 * value in its subtree - the same shape as the map's gap and maxgap.
 * tn_augment_ok recomputes that from the node and its children, so
 * rb_tree_check with it proves every node's maxval exact.
 *
 * It also keeps its subtree's node count.  A maximum cannot tell in which
 * order a rotation recomputed its two nodes (the stale value of the node
 * that went down is the maximum of the whole rotated subtree, which is
 * just what the node that came up needs), but a count can: were the upper
 * node done first, it would count the lower one's old subtree twice.
 *
 * Nodes come from one static array (there is no allocator to lean on);
 * every test zeroes what it used, at its start and at its end, and each
 * tree lives on the test's stack.
 */
#include "kern/core/ktest.h"
#include "kern/lib/rbtree.h"
#include "kern/lib/string.h"

struct tnode {
	struct rb_node node;
	uint64_t key;
	uint64_t val;
	uint64_t maxval;        /* max(val, children's maxval) */
	uint64_t size;          /* 1 + children's size */
};

#define TN(n) container_of(n, struct tnode, node)
#define TNC(n) container_of(n, const struct tnode, node)

#define NNODES 100000
static struct tnode nodes[NNODES];

/* compare_key calls since the last reset: nodes visited by a lookup. */
static uint64_t key_compares;
/* compare_nodes calls: nodes visited by an insert's search. */
static uint64_t node_compares;

static int
tn_compare_nodes(const struct rb_node *a, const struct rb_node *b)
{
	uint64_t ka = TNC(a)->key, kb = TNC(b)->key;

	node_compares++;
	return ka < kb ? -1 : ka > kb;
}

static int
tn_compare_key(const struct rb_node *n, const void *key)
{
	uint64_t kn = TNC(n)->key, k = *(const uint64_t *)key;

	key_compares++;
	return kn < k ? -1 : kn > k;
}

static uint64_t
subtree_max(const struct rb_node *n)
{
	return n != NULL ? TNC(n)->maxval : 0;
}

static uint64_t
subtree_size(const struct rb_node *n)
{
	return n != NULL ? TNC(n)->size : 0;
}

static uint64_t
expected_max(const struct rb_node *n)
{
	uint64_t m = TNC(n)->val;

	m = MAX(m, subtree_max(n->rb_left));
	return MAX(m, subtree_max(n->rb_right));
}

static uint64_t
expected_size(const struct rb_node *n)
{
	return 1 + subtree_size(n->rb_left) + subtree_size(n->rb_right);
}

/* tn_augment calls: nodes an augmentation walk visited. */
static uint64_t augment_calls;

static bool
tn_augment(struct rb_node *n)
{
	bool changed = TN(n)->maxval != expected_max(n) ||
	    TN(n)->size != expected_size(n);

	augment_calls++;
	TN(n)->maxval = expected_max(n);
	TN(n)->size = expected_size(n);
	return changed;
}

static bool
tn_augment_ok(const struct rb_node *n)
{
	return TNC(n)->maxval == expected_max(n) &&
	    TNC(n)->size == expected_size(n);
}

static const struct rb_ops tn_ops = {
	.compare_nodes = tn_compare_nodes,
	.compare_key = tn_compare_key,
	.augment = tn_augment,
};

/* The same order without augmented data. */
static const struct rb_ops tn_plain_ops = {
	.compare_nodes = tn_compare_nodes,
	.compare_key = tn_compare_key,
	.augment = NULL,
};

/* Forget every node and counter, so no test sees another's leftovers. */
static void
reset(void)
{
	memset(nodes, 0, sizeof(nodes));
	key_compares = 0;
	ktest_capture_reset();
}

#define CHECK(t) KT_EQ(rb_tree_check((t), tn_augment_ok, ktest_print), 0)

static struct tnode *
insert_new(struct rb_tree *t, struct tnode *tn, uint64_t key, uint64_t val)
{
	tn->key = key;
	tn->val = val;
	KT_ASSERT(rb_tree_insert(t, &tn->node) == &tn->node);
	return tn;
}

static struct tnode *
find(const struct rb_tree *t, uint64_t key)
{
	struct rb_node *n = rb_tree_find(t, &key);

	return n != NULL ? TN(n) : NULL;
}

static struct tnode *
find_le(const struct rb_tree *t, uint64_t key)
{
	struct rb_node *n = rb_tree_find_le(t, &key);

	return n != NULL ? TN(n) : NULL;
}

/* Recursion is fine here: the depth is the height (~34 at worst). */
static int
height(const struct rb_node *n)
{
	int l, r;

	if (n == NULL)
		return 0;
	l = height(n->rb_left);
	r = height(n->rb_right);
	return 1 + MAX(l, r);
}

/* h <= 2 * log2(n + 1), without floating point: 2^h <= (n + 1)^2. */
static bool
height_ok(int h, uint64_t n)
{
	return h < 64 && (1ULL << h) <= (n + 1) * (n + 1);
}

/* The tree's in-order walk, both ways, must be exactly want[0..n). */
static void
expect_sequence(const struct rb_tree *t, struct tnode *const *want, size_t n)
{
	struct rb_node *rn;
	size_t i = 0;

	KT_EQ(t->rbt_count, n);
	if (t->rbt_root != NULL && t->rbt_ops->augment != NULL)
		KT_EQ(TNC(t->rbt_root)->size, n);
	RB_TREE_FOREACH(rn, t) {
		KT_ASSERT(i < n);
		KT_ASSERT(TN(rn) == want[i]);
		i++;
	}
	KT_EQ(i, n);
	for (rn = rb_tree_last(t); rn != NULL; rn = rb_tree_prev(rn)) {
		KT_ASSERT(i > 0);
		KT_ASSERT(TN(rn) == want[--i]);
	}
	KT_EQ(i, 0);
}

/*
 * The model: the nodes in the tree, sorted by key, in a plain array, and
 * a stack of unused nodes.  Keys are even, so odd lookup keys fall
 * between nodes; lookups also go below the smallest and above the
 * largest possible key.
 */
#define MODEL_KEYS 2048
#define MODEL_OPS 30000
#define MODEL_CHECK_EVERY 250

static struct tnode *model[MODEL_KEYS];
static size_t model_n;
static struct tnode *spare[MODEL_KEYS + 1];
static size_t spare_n;

static void
model_clear(void)
{
	reset();
	memset(model, 0, sizeof(model));
	memset(spare, 0, sizeof(spare));
	model_n = 0;
	spare_n = 0;
}

static void
model_start(void)
{
	model_clear();
	for (spare_n = 0; spare_n < ARRAY_SIZE(spare); spare_n++)
		spare[spare_n] = &nodes[spare_n];
}

/* The first model slot whose key is >= key (model_n if none). */
static size_t
model_lower_bound(uint64_t key)
{
	size_t lo = 0, hi = model_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (model[mid]->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
model_insert(struct rb_tree *t, struct krand *r)
{
	uint64_t key = 2 + 2 * krand_below(r, MODEL_KEYS);
	size_t i = model_lower_bound(key);
	struct tnode *tn = spare[--spare_n];
	struct rb_node *got;

	tn->key = key;
	tn->val = krand_below(r, 1000000);
	got = rb_tree_insert(t, &tn->node);
	if (i < model_n && model[i]->key == key) {
		KT_ASSERT(got == &model[i]->node);     /* a duplicate: refused */
		spare[spare_n++] = tn;
		return;
	}
	KT_ASSERT(got == &tn->node);
	memmove(&model[i + 1], &model[i], (model_n - i) * sizeof(model[0]));
	model[i] = tn;
	model_n++;
}

static void
model_remove(struct rb_tree *t, struct krand *r)
{
	size_t i;
	struct tnode *tn;

	if (model_n == 0)
		return;
	i = krand_below(r, model_n);
	tn = model[i];
	rb_tree_remove(t, &tn->node);
	memmove(&model[i], &model[i + 1], (model_n - i - 1) * sizeof(model[0]));
	model_n--;
	spare[spare_n++] = tn;
}

static void
model_lookup(const struct rb_tree *t, struct krand *r)
{
	uint64_t key = krand_below(r, 2 * MODEL_KEYS + 4);
	size_t i = model_lower_bound(key);
	bool hit = i < model_n && model[i]->key == key;

	KT_ASSERT(find(t, key) == (hit ? model[i] : NULL));
	/* Greatest <= key: the hit itself, else the slot before i. */
	if (hit)
		KT_ASSERT(find_le(t, key) == model[i]);
	else
		KT_ASSERT(find_le(t, key) == (i > 0 ? model[i - 1] : NULL));
}

static void
model_change_val(struct rb_tree *t, struct krand *r)
{
	struct tnode *tn;

	if (model_n == 0)
		return;
	tn = model[krand_below(r, model_n)];
	tn->val = krand_below(r, 1000000);
	rb_tree_augment_path(t, &tn->node);
}

KTEST(rbtree, random_ops_match_sorted_array_model)
{
	struct krand *r = ktest_rand();
	struct rb_tree t;
	int op, kind;

	model_start();
	rb_tree_init(&t, &tn_ops);
	for (op = 1; op <= MODEL_OPS; op++) {
		kind = krand_below(r, 100);
		if (kind < 45)
			model_insert(&t, r);
		else if (kind < 75)
			model_remove(&t, r);
		else if (kind < 95)
			model_lookup(&t, r);
		else
			model_change_val(&t, r);
		if (op % MODEL_CHECK_EVERY == 0) {
			CHECK(&t);
			expect_sequence(&t, model, model_n);
		}
	}
	/* 45% inserts against 30% removes settle about a third full. */
	KT_ASSERT(model_n > MODEL_KEYS / 5);
	CHECK(&t);
	expect_sequence(&t, model, model_n);
	while (model_n > 0) {
		model_remove(&t, r);
		if (model_n % 64 == 0)
			CHECK(&t);
	}
	KT_ASSERT(t.rbt_root == NULL);
	CHECK(&t);
	model_clear();
}

/*
 * Every key of an n-node tree looked up once: the average and largest
 * number of nodes a find visits, printed; the largest can never exceed
 * the height.
 */
static void
measure_finds(const struct rb_tree *t, const char *what)
{
	uint64_t total = 0, most = 0, key;
	size_t n = t->rbt_count;
	int h = height(t->rbt_root), bound = 0;

	while (height_ok(bound + 1, n))
		bound++;
	KT_ASSERT(height_ok(h, n));
	for (key = 0; key < n; key++) {
		key_compares = 0;
		KT_ASSERT(find(t, key) != NULL);
		total += key_compares;
		most = MAX(most, key_compares);
	}
	key_compares = 0;
	KT_ASSERT(most <= (uint64_t)h);
	ktest_print("# rbtree: %zu %s keys: height %d (bound %d); a find visits "
	    "%lu.%02lu nodes on average, %lu at most\n", n, what, h, bound,
	    total / n, total * 100 / n % 100, most);
}

/*
 * rb_tree_insert_between places a node by its neighbours, without a
 * search: random keys, each put between the nodes that bracket it, give
 * the same ordered, balanced, exactly augmented tree as rb_tree_insert,
 * and not one comparison is made.
 */
KTEST(rbtree, insert_between_neighbours_needs_no_search)
{
	struct krand *r = ktest_rand();
	struct rb_tree t;
	const size_t n = 4000;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (size_t i = 0; i < n; i++) {
		uint64_t key = 1 + krand_below(r, 1000000);
		if (find(&t, key) != NULL)
			continue;
		struct tnode *prev = find_le(&t, key), *tn = &nodes[i];
		struct rb_node *next = prev != NULL ? rb_tree_next(&prev->node) :
		    rb_tree_first(&t);
		tn->key = key;
		tn->val = krand_below(r, 1000000);
		key_compares = node_compares = 0;
		rb_tree_insert_between(&t, prev != NULL ? &prev->node : NULL, next,
		    &tn->node);
		KT_EQ(key_compares + node_compares, 0);
		if (i % 500 == 0)
			CHECK(&t);
	}
	CHECK(&t);
	KT_ASSERT(height_ok(height(t.rbt_root), t.rbt_count));
	uint64_t last = 0;
	struct rb_node *rn;
	RB_TREE_FOREACH(rn, &t) {
		KT_ASSERT(TN(rn)->key > last);
		last = TN(rn)->key;
	}
	reset();
}

/*
 * The augmentation walk stops at the first ancestor whose data comes out
 * unchanged: a leaf whose value moves without changing its subtree's
 * maximum costs the leaf and its parent, not the path to the root; one
 * that becomes the new maximum walks all the way up.
 */
KTEST(rbtree, augment_walk_stops_where_nothing_changes)
{
	struct rb_tree t;
	struct rb_node *leaf;
	const size_t n = 4095;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (size_t i = 0; i < n; i++)
		insert_new(&t, &nodes[i], i, 10);
	for (leaf = t.rbt_root; leaf->rb_left != NULL; leaf = leaf->rb_left)
		;
	int depth = 0;
	for (struct rb_node *p = leaf; p != NULL; p = p->rb_parent)
		depth++;
	KT_ASSERT(depth > 5);
	TN(leaf)->val = 3;              /* the maximum stays 10 everywhere */
	augment_calls = 0;
	rb_tree_augment_path(&t, leaf);
	KT_EQ(augment_calls, 2);
	CHECK(&t);
	TN(leaf)->val = 99;             /* the new maximum: the whole path */
	augment_calls = 0;
	rb_tree_augment_path(&t, leaf);
	KT_EQ(augment_calls, (uint64_t)depth);
	KT_EQ(TN(t.rbt_root)->maxval, 99);
	CHECK(&t);
	reset();
}

/* Sequential keys turn a naive BST into a list; this one must stay low. */
KTEST(rbtree, ascending_inserts_stay_balanced)
{
	struct rb_tree t;
	size_t i;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < NNODES; i++) {
		insert_new(&t, &nodes[i], i, i % 1000);
		if ((i + 1) % 10000 == 0)
			KT_ASSERT(height_ok(height(t.rbt_root), i + 1));
	}
	CHECK(&t);
	KT_EQ(TN(t.rbt_root)->maxval, 999);
	measure_finds(&t, "ascending");
	/* Removing in ascending order is the same worst case, mirrored. */
	for (i = 0; i < NNODES; i++) {
		rb_tree_remove(&t, &nodes[i].node);
		if ((i + 1) % 10000 == 0) {
			KT_ASSERT(height_ok(height(t.rbt_root), NNODES - i - 1));
			CHECK(&t);
		}
	}
	KT_ASSERT(t.rbt_root == NULL);
	reset();
}

/* The same measurement for keys arriving in random order. */
KTEST(rbtree, random_order_find_cost)
{
	struct krand *r = ktest_rand();
	struct rb_tree t;
	uint64_t k;
	size_t i, j;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < NNODES; i++)
		nodes[i].key = i;
	for (i = NNODES - 1; i > 0; i--) {     /* shuffle the keys */
		j = krand_below(r, i + 1);
		k = nodes[i].key;
		nodes[i].key = nodes[j].key;
		nodes[j].key = k;
	}
	for (i = 0; i < NNODES; i++)
		insert_new(&t, &nodes[i], nodes[i].key, krand_below(r, 1000));
	CHECK(&t);
	measure_finds(&t, "random-order");
	for (i = 0; i < NNODES; i++)
		rb_tree_remove(&t, &nodes[i].node);
	KT_ASSERT(t.rbt_root == NULL);
	CHECK(&t);
	reset();
}

/* The largest val in the tree, found the slow way. */
static uint64_t
scan_max(const struct rb_tree *t)
{
	const struct rb_node *n;
	uint64_t m = 0;

	RB_TREE_FOREACH(n, t)
		m = MAX(m, TNC(n)->val);
	return m;
}

KTEST(rbtree, augment_path_restores_consistency)
{
	struct krand *r = ktest_rand();
	struct rb_tree t;
	struct tnode *tn;
	size_t i;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < 1000; i++)
		insert_new(&t, &nodes[i], i, krand_below(r, 1000));
	CHECK(&t);
	for (i = 0; i < 3000; i++) {
		tn = &nodes[krand_below(r, 1000)];
		switch (i % 3) {
		case 0:
			/* A new maximum: without the path the root is stale. */
			tn->val = TN(t.rbt_root)->maxval + 1;
			ktest_capture_reset();
			KT_ASSERT(rb_tree_check(&t, tn_augment_ok, ktest_capture) > 0);
			KT_ASSERT(ktest_captured_lines() > 0);
			break;
		case 1:
			tn->val = 0;
			break;
		default:
			tn->val = krand_below(r, 1000);
			break;
		}
		rb_tree_augment_path(&t, &tn->node);
		KT_EQ(rb_tree_check(&t, tn_augment_ok, ktest_print), 0);
		KT_EQ(TN(t.rbt_root)->maxval, scan_max(&t));
	}
	for (i = 0; i < 1000; i++)
		rb_tree_remove(&t, &nodes[i].node);
	CHECK(&t);
	reset();
}

KTEST(rbtree, duplicates_are_refused)
{
	struct rb_tree t;
	struct tnode *probe = &nodes[200];
	size_t i;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < 100; i++)
		insert_new(&t, &nodes[i], 10 * i, i);
	for (i = 0; i < 100; i++) {
		probe->key = 10 * i;
		probe->val = 5000;      /* would change maxval if it got in */
		KT_ASSERT(rb_tree_insert(&t, &probe->node) == &nodes[i].node);
		KT_EQ(t.rbt_count, 100);
		KT_ASSERT(find(&t, 10 * i) == &nodes[i]);
	}
	KT_EQ(TN(t.rbt_root)->maxval, 99);
	CHECK(&t);
	/* The refused node is unharmed and goes in under a fresh key. */
	insert_new(&t, probe, 5, 5000);
	KT_EQ(t.rbt_count, 101);
	KT_EQ(TN(t.rbt_root)->maxval, 5000);
	CHECK(&t);
	rb_tree_remove(&t, &probe->node);
	for (i = 0; i < 100; i++)
		rb_tree_remove(&t, &nodes[i].node);
	KT_ASSERT(t.rbt_root == NULL);
	reset();
}

/* Kinds of node to remove; each must be met at least once. */
enum { RM_ROOT, RM_LEAF, RM_ONE_CHILD, RM_TWO_NEAR, RM_TWO_FAR, RM_KINDS };

/*
 * Is n of that kind?  TWO_NEAR: two children, the successor is its right
 * child; TWO_FAR: the successor is deeper, so it leaves a parent behind.
 */
static bool
is_kind(const struct rb_node *n, int kind)
{
	bool two = n->rb_left != NULL && n->rb_right != NULL;

	switch (kind) {
	case RM_ROOT:
		return n->rb_parent == NULL;
	case RM_LEAF:
		return n->rb_parent != NULL && n->rb_left == NULL &&
		    n->rb_right == NULL;
	case RM_ONE_CHILD:
		return n->rb_parent != NULL && (n->rb_left == NULL) !=
		    (n->rb_right == NULL);
	case RM_TWO_NEAR:
		return n->rb_parent != NULL && two && n->rb_right->rb_left == NULL;
	default:
		return n->rb_parent != NULL && two && n->rb_right->rb_left != NULL;
	}
}

/* The in-order index of a random node of that kind, or -1 if none. */
static int
pick_kind(const struct rb_tree *t, int kind, struct krand *r)
{
	const struct rb_node *n;
	int seen = 0, chosen = -1, i = 0;

	RB_TREE_FOREACH(n, t) {
		/* Reservoir sampling: each match is equally likely. */
		if (is_kind(n, kind) && krand_below(r, ++seen) == 0)
			chosen = i;
		i++;
	}
	return chosen;
}

KTEST(rbtree, remove_root_leaf_and_two_child_nodes)
{
	struct krand *r = ktest_rand();
	struct tnode *want[64];
	int done[RM_KINDS] = { 0 }, step, i, n = 64, kind;
	struct rb_tree t;
	struct tnode *victim;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < n; i++)
		want[i] = insert_new(&t, &nodes[i], i, krand_below(r, 100));
	CHECK(&t);
	for (step = 0; n > 0; step++) {
		kind = step % RM_KINDS;
		i = pick_kind(&t, kind, r);
		if (i < 0)
			continue;
		victim = want[i];
		rb_tree_remove(&t, &victim->node);
		KT_ASSERT(victim->node.rb_parent == NULL);
		KT_ASSERT(victim->node.rb_left == NULL && victim->node.rb_right == NULL);
		KT_ASSERT(find(&t, victim->key) == NULL);
		memmove(&want[i], &want[i + 1], (n - i - 1) * sizeof(want[0]));
		n--;
		done[kind]++;
		CHECK(&t);
		expect_sequence(&t, want, n);
	}
	KT_ASSERT(t.rbt_root == NULL && t.rbt_count == 0);
	for (kind = 0; kind < RM_KINDS; kind++)
		KT_ASSERT(done[kind] > 0);
	/* The smallest trees: one node, then a root with one child. */
	insert_new(&t, &nodes[0], 1, 7);
	rb_tree_remove(&t, &nodes[0].node);
	KT_ASSERT(t.rbt_root == NULL);
	insert_new(&t, &nodes[0], 1, 7);
	insert_new(&t, &nodes[1], 2, 9);
	rb_tree_remove(&t, &nodes[0].node);
	KT_ASSERT(t.rbt_root == &nodes[1].node);
	CHECK(&t);
	rb_tree_remove(&t, &nodes[1].node);
	CHECK(&t);
	reset();
}

KTEST(rbtree, find_le_edges)
{
	struct rb_tree t;
	size_t i;

	reset();
	/* Without an augment function, as a tree with no summaries uses it. */
	rb_tree_init(&t, &tn_plain_ops);
	KT_ASSERT(find_le(&t, 0) == NULL);
	KT_ASSERT(find_le(&t, 50) == NULL);
	KT_ASSERT(find(&t, 50) == NULL);
	KT_ASSERT(rb_tree_first(&t) == NULL && rb_tree_last(&t) == NULL);
	for (i = 1; i <= 10; i++)
		insert_new(&t, &nodes[i], 10 * i, 0);
	KT_EQ(rb_tree_check(&t, NULL, ktest_print), 0);
	KT_ASSERT(find_le(&t, 0) == NULL);              /* below the smallest */
	KT_ASSERT(find_le(&t, 9) == NULL);
	KT_ASSERT(find_le(&t, 10) == &nodes[1]);        /* equal to the smallest */
	KT_ASSERT(find_le(&t, 11) == &nodes[1]);        /* between */
	KT_ASSERT(find_le(&t, 59) == &nodes[5]);
	KT_ASSERT(find_le(&t, 60) == &nodes[6]);        /* equal, inside */
	KT_ASSERT(find_le(&t, 100) == &nodes[10]);      /* equal to the largest */
	KT_ASSERT(find_le(&t, 101) == &nodes[10]);      /* above the largest */
	KT_ASSERT(find_le(&t, UINT64_MAX) == &nodes[10]);
	KT_ASSERT(find(&t, 55) == NULL);
	KT_ASSERT(find(&t, 70) == &nodes[7]);
	KT_ASSERT(rb_tree_first(&t) == &nodes[1].node);
	KT_ASSERT(rb_tree_last(&t) == &nodes[10].node);
	KT_ASSERT(rb_tree_prev(&nodes[1].node) == NULL);
	KT_ASSERT(rb_tree_next(&nodes[10].node) == NULL);
	for (i = 1; i <= 10; i++)
		rb_tree_remove(&t, &nodes[i].node);
	KT_ASSERT(find_le(&t, 100) == NULL);
	reset();
}

/* Break t one way, expect the checker to object, then mend it. */
#define EXPECT_BROKEN(t)                                                  \
	do {                                                              \
		ktest_capture_reset();                                    \
		KT_ASSERT(rb_tree_check((t), tn_augment_ok, ktest_capture) > 0); \
		KT_ASSERT(ktest_captured_lines() > 0);                    \
	} while (0)

/* A checker that never fails proves nothing: show it catches each rule. */
KTEST(rbtree, check_catches_each_broken_rule)
{
	struct rb_tree t;
	struct rb_node *root, *red = NULL, *leaf = NULL, *saved;
	struct rb_node *n;
	uint64_t k;
	int i, c1, c2;

	reset();
	rb_tree_init(&t, &tn_ops);
	for (i = 0; i < 64; i++)
		insert_new(&t, &nodes[i], i, i);
	CHECK(&t);
	root = t.rbt_root;
	RB_TREE_FOREACH(n, &t) {
		if (n->rb_color == RB_RED && red == NULL)
			red = n;
		if (n->rb_left == NULL && n->rb_right == NULL &&
		    n->rb_parent != root && leaf == NULL)
			leaf = n;
	}
	KT_ASSERT(red != NULL && leaf != NULL);

	k = nodes[0].key;                       /* order */
	nodes[0].key = nodes[63].key + 1;
	EXPECT_BROKEN(&t);
	nodes[0].key = k;
	root->rb_color = RB_RED;                /* red root */
	EXPECT_BROKEN(&t);
	root->rb_color = RB_BLACK;
	red->rb_color = RB_BLACK;               /* black height */
	EXPECT_BROKEN(&t);
	red->rb_color = RB_RED;
	c1 = leaf->rb_color;                    /* red under red */
	c2 = leaf->rb_parent->rb_color;
	leaf->rb_color = RB_RED;
	leaf->rb_parent->rb_color = RB_RED;
	EXPECT_BROKEN(&t);
	leaf->rb_color = c1;
	leaf->rb_parent->rb_color = c2;
	CHECK(&t);

	saved = leaf->rb_parent;                /* parent link */
	leaf->rb_parent = root;
	EXPECT_BROKEN(&t);
	leaf->rb_parent = saved;
	leaf->rb_left = root;                   /* a loop back to the root */
	EXPECT_BROKEN(&t);
	leaf->rb_left = NULL;
	t.rbt_count++;                          /* count */
	EXPECT_BROKEN(&t);
	t.rbt_count--;
	TN(leaf)->maxval++;                     /* augmented data */
	EXPECT_BROKEN(&t);
	TN(leaf)->maxval--;
	CHECK(&t);

	for (i = 0; i < 64; i++)
		rb_tree_remove(&t, &nodes[i].node);
	reset();
}
