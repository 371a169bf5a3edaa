/*
 * kern/lib/queue.h - intrusive doubly-linked tail queues, in the BSD shape
 * that UVM code is written against (TAILQ_*).
 *
 * A head points at the first element and at the last element's "next"
 * field; each element has a next pointer and a pointer to whatever points
 * at it (the previous element's next field, or the head's first field):
 *
 *   head.first ---> [A] next ---> [B] next ---> NULL
 *                    ^ prevp       ^ prevp
 *   head.lastp = &B.next
 *
 * so insert and remove are O(1) with no special case for the ends.
 */
#ifndef KERN_LIB_QUEUE_H
#define KERN_LIB_QUEUE_H

#include "kern/lib/types.h"

#define TAILQ_HEAD(name, type)                                             \
	struct name {                                                      \
		struct type *tqh_first;                                    \
		struct type **tqh_lastp;                                   \
	}

#define TAILQ_ENTRY(type)                                                  \
	struct {                                                           \
		struct type *tqe_next;                                     \
		struct type **tqe_prevp;                                   \
	}

#define TAILQ_INIT(h)                                                      \
	do {                                                               \
		(h)->tqh_first = NULL;                                     \
		(h)->tqh_lastp = &(h)->tqh_first;                          \
	} while (0)

#define TAILQ_EMPTY(h) ((h)->tqh_first == NULL)
#define TAILQ_FIRST(h) ((h)->tqh_first)
#define TAILQ_NEXT(e, f) ((e)->f.tqe_next)

#define TAILQ_INSERT_HEAD(h, e, f)                                         \
	do {                                                               \
		(e)->f.tqe_next = (h)->tqh_first;                          \
		if ((e)->f.tqe_next != NULL)                               \
			(e)->f.tqe_next->f.tqe_prevp = &(e)->f.tqe_next;   \
		else                                                       \
			(h)->tqh_lastp = &(e)->f.tqe_next;                 \
		(h)->tqh_first = (e);                                      \
		(e)->f.tqe_prevp = &(h)->tqh_first;                        \
	} while (0)

#define TAILQ_INSERT_TAIL(h, e, f)                                         \
	do {                                                               \
		(e)->f.tqe_next = NULL;                                    \
		(e)->f.tqe_prevp = (h)->tqh_lastp;                         \
		*(h)->tqh_lastp = (e);                                     \
		(h)->tqh_lastp = &(e)->f.tqe_next;                         \
	} while (0)

/* Insert e right after le, which is on h. */
#define TAILQ_INSERT_AFTER(h, le, e, f)                                    \
	do {                                                               \
		(e)->f.tqe_next = (le)->f.tqe_next;                        \
		if ((e)->f.tqe_next != NULL)                               \
			(e)->f.tqe_next->f.tqe_prevp = &(e)->f.tqe_next;   \
		else                                                       \
			(h)->tqh_lastp = &(e)->f.tqe_next;                 \
		(le)->f.tqe_next = (e);                                    \
		(e)->f.tqe_prevp = &(le)->f.tqe_next;                      \
	} while (0)

/* Insert e right before le (the head is not needed: le's prevp says where). */
#define TAILQ_INSERT_BEFORE(le, e, f)                                      \
	do {                                                               \
		(e)->f.tqe_prevp = (le)->f.tqe_prevp;                      \
		(e)->f.tqe_next = (le);                                    \
		*(le)->f.tqe_prevp = (e);                                  \
		(le)->f.tqe_prevp = &(e)->f.tqe_next;                      \
	} while (0)

#define TAILQ_REMOVE(h, e, f)                                              \
	do {                                                               \
		if ((e)->f.tqe_next != NULL)                               \
			(e)->f.tqe_next->f.tqe_prevp = (e)->f.tqe_prevp;   \
		else                                                       \
			(h)->tqh_lastp = (e)->f.tqe_prevp;                 \
		*(e)->f.tqe_prevp = (e)->f.tqe_next;                       \
		(e)->f.tqe_prevp = NULL;                                   \
	} while (0)

#define TAILQ_FOREACH(v, h, f)                                             \
	for ((v) = (h)->tqh_first; (v) != NULL; (v) = (v)->f.tqe_next)

/* Safe against removal of v inside the loop. */
#define TAILQ_FOREACH_SAFE(v, h, f, tmp)                                   \
	for ((v) = (h)->tqh_first;                                         \
	    (v) != NULL && ((tmp) = (v)->f.tqe_next, 1); (v) = (tmp))

/* True while e sits on some queue (TAILQ_REMOVE clears tqe_prevp). */
#define TAILQ_ON_QUEUE(e, f) ((e)->f.tqe_prevp != NULL)

#endif
