# tools/gdb/uvm.py - gdb commands that show the VM structures of the
# running kernel.  Loaded by tools/gdb/kernel.gdb; every command starts
# with "uvm" and "help uvm" lists them.
#
#   uvm map [VMSPACE]    the map entries of a vmspace (default: the current
#                        thread's), with prot, inherit, advice, flags, amap,
#                        object and the gap after each entry
#   uvm amap AMAP        an amap's used slots, their anons and ref counts,
#                        and its per-page reference counts (ppref) as runs
#   uvm pte VA [CR3]     the four-level page-table walk for VA
#   uvm faults [N]       the last N page faults from the fault trace
#   uvm stats            the fault and page counters (uvmexp)
#
# Constants (PTE bits, entry types) are read from the kernel's debug
# information where gdb can see them, so they cannot drift from the C.

import gdb

DMAP_BASE = 0xffff800000000000
PG_V, PG_RW, PG_U, PG_A, PG_M, PG_PS = 1, 2, 4, 0x20, 0x40, 0x80
PG_NX = 1 << 63
FRAME = 0x000ffffffffff000


def u64(v):
    return int(v) & 0xffffffffffffffff


def read_u64(addr):
    inf = gdb.selected_inferior()
    return int.from_bytes(bytes(inf.read_memory(addr, 8)), "little")


def prot_str(p):
    return ("r" if p & 1 else "-") + ("w" if p & 2 else "-") + ("x" if p & 4 else "-")


class UvmPrefix(gdb.Command):
    """Show the kernel's VM structures: uvm map, uvm amap, uvm pte, uvm faults, uvm stats."""

    def __init__(self):
        super().__init__("uvm", gdb.COMMAND_DATA, prefix=True)


def map_of(arg):
    """The struct vm_map of ARG (a struct vmspace * or struct vm_map *
    expression; default: the current thread's address space), or None."""
    v = gdb.parse_and_eval(arg if arg else "curthread->vmspace")
    if u64(v) == 0:
        return None
    if str(v.type.target().strip_typedefs()) == "struct vm_map":
        return v.dereference()
    return v["vm_map"]


class UvmMap(gdb.Command):
    """uvm map [SPACE]: every entry of a map; SPACE is a struct vmspace * or
struct vm_map * expression (default: the current thread's address space):
range, prot/maxprot, inheritance, advice, flags (cow, needs-copy, wired),
the amap and its slot offset, the object and its offset, and the gap
(free space) after the entry."""

    def __init__(self):
        super().__init__("uvm map", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        m = map_of(arg)
        if m is None:
            print("no address space (a kernel thread): name one, e.g. uvm map f->map")
            return
        hdr = m["header"].address
        print("map %#x: [%#x, %#x) %d entries, lead gap %#x, timestamp %d" % (
            u64(m.address), u64(m["min_offset"]), u64(m["max_offset"]),
            int(m["nentries"]), u64(m["lead_gap"]), int(m["timestamp"])))
        inh = ["share", "copy", "none", "zero"]
        adv = ["normal", "random", "sequential"]
        e = m["header"]["next"]
        while u64(e) != u64(hdr):
            et = int(e["etype"])
            flags = []
            if et & 2:
                flags.append("cow")
            if et & 4:
                flags.append("needs-copy")
            if int(e["wired_count"]) > 0:
                flags.append("wired")
            amap = u64(e["aref"]["ar_amap"])
            print("  %012x-%012x %s/%s %-5s %-10s %-15s amap %s obj %s gap %#x" % (
                u64(e["start"]), u64(e["end"]), prot_str(int(e["protection"])),
                prot_str(int(e["max_protection"])), inh[int(e["inheritance"])],
                adv[int(e["advice"])], ",".join(flags) or "-",
                ("%#x+%d" % (amap, int(e["aref"]["ar_pageoff"]))) if amap else "-",
                ("%#x+%#x" % (u64(e["object"]), u64(e["offset"]))) if u64(e["object"]) else "-",
                u64(e["gap"])))
            e = e["next"]


class UvmAmap(gdb.Command):
    """uvm amap AMAP: an amap (struct vm_amap *): its reference count, the
used slots with their anons (reference count, resident page or swap
slot), and the per-page reference counts decoded into runs."""

    def __init__(self):
        super().__init__("uvm amap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        a = gdb.parse_and_eval(arg)
        nslot, nused = int(a["am_nslot"]), int(a["am_nused"])
        print("amap %#x: ref %d, slots %d (used %d, allocated %d)" % (
            u64(a), int(a["am_ref"]), nslot, nused, int(a["am_maxslot"])))
        for i in range(nused):
            s = int(a["am_slots"][i])
            an = a["am_anon"][s]
            print("  slot %4d: anon %#x ref %d page %#x swslot %d" % (
                s, u64(an), int(an["an_ref"]), u64(an["an_page"]), int(an["an_swslot"])))
        pp = u64(a["am_ppref"])
        if pp == 0 or pp == 0xffffffffffffffff:
            print("  ppref: none (every reference covers the whole amap)")
            return
        runs, slot = [], 0
        while slot < nslot:
            v = int(a["am_ppref"][slot])
            if v > 0:
                ref, ln = v - 1, 1
            else:
                ref, ln = -v - 1, int(a["am_ppref"][slot + 1])
            runs.append("[%d,%d) %d" % (slot, slot + ln, ref))
            slot += max(ln, 1)
        print("  ppref: " + " ".join(runs))


class UvmPte(gdb.Command):
    """uvm pte VA [PMAP]: walk the page tables for VA, from the PML4 of
PMAP (a struct pmap * expression; default: the CPU's CR3), printing the
entry at each of the four levels and its bits."""

    def __init__(self):
        super().__init__("uvm pte", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        va = u64(gdb.parse_and_eval(args[0]))
        if len(args) > 1:
            cr3 = u64(gdb.parse_and_eval(args[1])["pm_pml4_pa"])
        else:
            cr3 = u64(gdb.parse_and_eval("$cr3"))
        table = cr3 & FRAME
        for lvl, name in ((4, "PML4"), (3, "PDPT"), (2, "PD"), (1, "PT")):
            idx = (va >> (12 + 9 * (lvl - 1))) & 0x1ff
            e = read_u64(DMAP_BASE + table + idx * 8)
            bits = [n for b, n in ((PG_V, "P"), (PG_RW, "W"), (PG_U, "U"), (PG_A, "A"),
                                   (PG_M, "D"), (PG_PS, "PS")) if e & b]
            if e & PG_NX:
                bits.append("NX")
            print("  %-4s[%3d] = %016x  %s" % (name, idx, e, " ".join(bits) or "not present"))
            if not e & PG_V or e & PG_PS or lvl == 1:
                if lvl == 1 and e & PG_V:
                    print("  -> physical page %#x" % (e & FRAME))
                return
            table = e & FRAME


class UvmFaults(gdb.Command):
    """uvm faults [N]: the last N (default 10) page faults from the kernel's
fault trace: pid, address, access, the case taken (1A 1B 2A 2B),
the result and the TSC cycles spent."""

    def __init__(self):
        super().__init__("uvm faults", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        n = int(arg) if arg else 10
        t = gdb.parse_and_eval("uvm_ftrace")
        size = int(gdb.parse_and_eval("sizeof(uvm_ftrace.rec)/sizeof(uvm_ftrace.rec[0])"))
        last = int(t["seq"])
        cases = ["-", "1A", "1B", "2A", "2B-promote", "2B-zero"]
        for s in range(max(1, last - min(n, size) + 1), last + 1):
            r = t["rec"][s % size]
            acc = int(r["access"])
            print("fault #%d pid %d va %#x %-5s %-10s %-5s %d cycles" % (
                int(r["seq"]), int(r["pid"]), u64(r["va"]),
                "write" if acc & 2 else ("exec" if acc & 4 else "read"),
                cases[int(r["fcase"])], "ok" if int(r["error"]) == 0 else int(r["error"]),
                int(r["cycles"])))


class UvmStats(gdb.Command):
    """uvm stats: the page counts and the fault counters per case (uvmexp)."""

    def __init__(self):
        super().__init__("uvm stats", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        ux = gdb.parse_and_eval("uvmexp")
        for f in ux.type.fields():
            print("  %-14s %d" % (f.name, int(ux[f.name])))


UvmPrefix()
UvmMap()
UvmAmap()
UvmPte()
UvmFaults()
UvmStats()
