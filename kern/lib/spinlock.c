/*
 * kern/lib/spinlock.c - the one piece of spin-lock state that is not in
 * a lock: how many are held (see spinlock.h).  On one CPU a plain
 * counter; changed only with interrupts off, by the holder.
 */
#include "kern/lib/spinlock.h"

int spin_nheld;
