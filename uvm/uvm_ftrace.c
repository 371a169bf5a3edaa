/*
 * uvm/uvm_ftrace.c - the fault trace ring (see uvm_ftrace.h).
 *
 *   rec[seq % FTRACE_N] <- the newest fault; the oldest is overwritten
 *
 *   fault #1042 pid 3 va 0x7fffff6ff000 write  1B       ok      18230 cycles
 *
 * Writers are the fault handlers of every CPU: each takes its sequence
 * number by an atomic add, so two faults at once write different slots
 * (unless FTRACE_N faults come between, which the ring tolerates by
 * design: it keeps the newest).  No lock; a reader (panic, gdb) sees
 * whole records except, at worst, one being written at that moment.
 */
#include "uvm/uvm_ftrace.h"

struct uvm_ftrace uvm_ftrace;

const char *
uvm_ftrace_case_name(int fcase)
{
	static const char *const names[] = {
		[FT_NONE] = "-", [FT_1A] = "1A", [FT_1B] = "1B", [FT_2A] = "2A",
		[FT_2B_PROMOTE] = "2B-promote", [FT_2B_ZERO] = "2B-zero",
	};

	return fcase >= 0 && fcase <= FT_2B_ZERO ? names[fcase] : "?";
}

void
uvm_ftrace_print_rec(const struct ftrace_rec *r, kprint_fn pr)
{
	pr("fault #%lu pid %d va %#lx %-5s %-10s %-7s %lu cycles%s\n", r->seq,
	    r->pid, r->va, (r->access & VM_PROT_WRITE) ? "write" :
	    (r->access & VM_PROT_EXECUTE) ? "exec" : "read",
	    uvm_ftrace_case_name(r->fcase), r->error == 0 ? "ok" : "error",
	    r->cycles, r->restarts ? " (restarted)" : "");
}

void
uvm_ftrace_record(struct ftrace_rec *r)
{
	r->seq = __atomic_add_fetch(&uvm_ftrace.seq, 1, __ATOMIC_RELAXED);
	uvm_ftrace.rec[r->seq % FTRACE_N] = *r;
	if (uvm_ftrace.stream)
		uvm_ftrace_print_rec(r, kprint);
}

void
uvm_ftrace_print(int n, kprint_fn pr)
{
	uint64_t last = uvm_ftrace.seq, first;

	n = MIN(n, FTRACE_N);           /* the ring holds no more */
	first = last > (uint64_t)n ? last - (uint64_t)n + 1 : 1;
	pr("the last %lu page faults (of %lu):\n", last >= first ? last - first + 1 : 0, last);
	for (uint64_t s = first; s <= last && last > 0; s++)
		uvm_ftrace_print_rec(&uvm_ftrace.rec[s % FTRACE_N], pr);
}
