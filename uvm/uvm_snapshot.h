/*
 * uvm/uvm_snapshot.h - one process's VM as text, the way a textbook draws
 * it: map entries, their amaps, slots and anons, the pages with their
 * mappings, the objects below, and the faults that led there.  Read as
 * /proc/PID/uvm; tools/draw/ turns a sequence of them into figures.
 * uvm_snapshot.c describes the format line by line.
 */
#ifndef UVM_UVM_SNAPSHOT_H
#define UVM_UVM_SNAPSHOT_H

#include "kern/lib/types.h"

struct vmspace;

/*
 * uvm_snapshot - write the snapshot of vm (process pid) into buf, at most
 * cap bytes with the terminating NUL.
 *  => no lock held; takes the map lock, then each amap's and each
 *     object's lock (one at a time), then a page's PV lock; may sleep.
 *  => the caller holds a reference on vm.
 *  => returns the length written (without the NUL); a snapshot that did
 *     not fit ends in a "truncated" line instead of "end".
 */
size_t uvm_snapshot(struct vmspace *vm, int pid, char *buf, size_t cap);

#endif
