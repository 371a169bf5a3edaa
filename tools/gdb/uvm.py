# tools/gdb/uvm.py - gdb commands that show the VM structures of the
# kernel running in QEMU.  Loaded by tools/gdb/kernel.gdb (make gdb); every
# command starts with "uvm", and "help uvm" lists them, "help uvm map"
# explains one.
#
#   uvm procs                 the processes: pid, name, state, vmspace, exe
#   uvm threads [bt]          every kernel thread: state, what it sleeps on,
#                             and with bt where it stopped (its saved stack)
#   uvm map [SPACE|pid N]     a map's entries, one line each
#   uvm amap AMAP             an amap's slots, anons and per-page refs
#   uvm anon ANON             one anon: refs, page, swap slot, lock
#   uvm page PAGE|PA          one vm_page: flags, queue, owner, mappings
#   uvm pte VA [PMAP]         the four-level page-table walk for VA
#   uvm faults [N]            the last N faults from the fault trace
#   uvm stats                 every counter in uvmexp and pmap_counters
#   uvm queues [N]            the paging queues and the page daemon
#   uvm swap [bits]           the swap areas and the slots in use
#   uvm vnode VNODE           a vnode: type, refs, mount, ino, name, v_obj
#   uvm object OBJ            an object: pager, file, pages (busy/clean/dirty)
#   uvm break-fault [pid N] [addr A] [write|read|exec]
#                             stop once at the next matching page fault
#   uvm user-symbols [PID]    load the symbols of a process's program
#   uvm break-main PROG       stop in a user program's main, with its source
#   $uvm_entry(VA), $uvm_anon(VA), $uvm_proc(PID), $uvm_vnode(OBJ)
#                             the map entry / anon holding VA; a process;
#                             the vnode whose pages OBJ holds
#
# The flag values come from BUILD/gdb/uvm_const.py, which make generates
# from the kernel headers (tools/gdb/genconst.sh): nothing here repeats a
# number from the C.  BUILD is the build being debugged: $UVMKERN_BUILD,
# which make gdb (tools/gdb.sh) and make test's gdb check
# (tools/gdb/test-gdb.sh) set to the Makefile's BUILD, else build/ - so
# with make BUILD=other the constants and the user programs are that
# build's, never another's.  Pretty-printers for the main structures are in
# tools/gdb/uvm_printers.py, loaded by this file.
#
# The kernel has C printers for the same structures; from gdb, with the
# kernel stopped, "call amap_print(AMAP, kprint)" (also anon_print,
# vm_page_print, uvm_map_print, uvm_swap_print, uvm_pdaemon_print,
# uvmexp_print) writes their view to the serial console.  The commands
# here use the same field names, so the two read alike.

import os
import struct
import sys

import gdb

HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() \
    else os.path.abspath("tools/gdb")
TOP = os.path.dirname(os.path.dirname(HERE))
# Relative to the top of the tree, as the Makefile's BUILD is.
BUILD = os.path.join(TOP, os.environ.get("UVMKERN_BUILD") or "build")
for d in (HERE, os.path.join(BUILD, "gdb")):
    if d not in sys.path:
        sys.path.insert(0, d)

try:
    import uvm_const as K
except ImportError:
    raise gdb.GdbError("uvm.py: %s is missing: run make" % os.path.relpath(
        os.path.join(BUILD, "gdb", "uvm_const.py"), TOP))

import uvm_printers  # noqa: E402  (needs sys.path above)
from uvm_printers import decode, hx, u64  # noqa: E402


# ---------------------------------------------------------------------
# Helpers of the commands (the ones the pretty-printers share are in
# uvm_printers.py: u64, hx, decode, prot_str, entry_flags).

def read_u64(addr):
    inf = gdb.selected_inferior()
    return int.from_bytes(bytes(inf.read_memory(addr, 8)), "little")


def pte_describe(pte):
    """A PTE in the words of pmap_pte_describe (pmap/pmap.c)."""
    if not pte & K.PG_V:
        return "not present"
    frame = pte & (K.PG_LGFRAME if pte & K.PG_PS else K.PG_FRAME)
    bits = ["RW" if pte & K.PG_RW else "RO", "U" if pte & K.PG_U else "K",
            "NX" if pte & K.PG_NX else "X"]
    for bit, name in ((K.PG_A, "A"), (K.PG_M, "D"), (K.PG_G, "G"), (K.PG_PS, "PS"),
                      (K.PG_PCD, "PCD"), (K.PG_WIRED, "WIRED"), (K.PG_PVLIST, "PV")):
        if pte & bit:
            bits.append(name)
    return "pa %#x %s" % (frame, " ".join(bits))


def leaf_page(leaf, level, va):
    """(size name, the 4 KiB page's pa) for a leaf entry found at level
    ("PT", or "PD"/"PDPT" with PS: a 2M/1G page, whose frame holds va's
    page at va's offset in the large page)."""
    if level == "PT" or not leaf & K.PG_PS:
        return "4K", leaf & K.PG_FRAME
    shift = K.L1_SHIFT + 9 * (1 if level == "PD" else 2)
    frame = leaf & K.PG_FRAME & ~((1 << shift) - 1)
    return ("2M" if level == "PD" else "1G"), frame + (va & ((1 << shift) - 1) & ~((1 << K.L1_SHIFT) - 1))


def leaf_describe(leaf, level, va):
    """pte_describe of a leaf, a large page's saying its size and where
    va's own 4 KiB page is inside it."""
    size, pa = leaf_page(leaf, level, va)
    if size == "4K":
        return pte_describe(leaf)
    return "%s (a %s page: va's 4K page at pa %#x)" % (pte_describe(leaf), size, pa)


def pte_walk(va, cr3):
    """[(level name, index, entry)] from the PML4 down to the last entry
    read (a missing table or a large page ends the walk early)."""
    table, out = cr3 & K.PG_FRAME, []
    for lvl, name in ((4, "PML4"), (3, "PDPT"), (2, "PD"), (1, "PT")):
        idx = (va >> (K.L1_SHIFT + 9 * (lvl - 1))) & (K.NPTE - 1)
        e = read_u64(K.DMAP_BASE + table + idx * 8)
        out.append((name, idx, e))
        if not e & K.PG_V or e & K.PG_PS:
            break
        table = e & K.PG_FRAME
    return out


def tailq(head, link, limit=None):
    """The elements of a TAILQ: head is the list head (a value), link the
    name of the TAILQ_ENTRY field in each element."""
    p, n = head["tqh_first"], 0
    while u64(p) != 0 and (limit is None or n < limit):
        yield p
        p, n = p[link]["tqe_next"], n + 1


def static_var(name, file):
    """A file-level static: 'file'::name, so a common name stays unambiguous."""
    return gdb.parse_and_eval("'%s'::%s" % (file, name))


def all_procs():
    return list(tailq(static_var("allproc", "kern/proc/proc.c"), "all"))


def proc_by_pid(pid):
    for p in all_procs():
        if int(p["pid"]) == pid:
            return p
    raise gdb.GdbError("no process with pid %d (uvm procs lists them)" % pid)


def current_thread():
    """curthread: the kernel reads it through the CPU's GS base
    (kern/arch/cpu_info.h), so does this.  In kernel mode the base is
    $gs_base; in user mode the kernel's waits in $k_gs_base (swapgs).
    Without those registers (an old gdb stub), the boot CPU's."""
    ci_type = gdb.lookup_type("struct cpu_info").pointer()
    try:
        base = u64(gdb.parse_and_eval("$gs_base"))
        if base >> 63 == 0:
            base = u64(gdb.parse_and_eval("$k_gs_base"))
    except (gdb.error, TypeError, ValueError):
        base = 0
    if base >> 63 == 0:
        return gdb.parse_and_eval("cpu_infos[0].ci_curthread")
    return gdb.Value(base).cast(ci_type)["ci_curthread"]


def current_proc():
    """curproc, or None when the CPU runs a kernel thread."""
    t = current_thread()
    if u64(t) == 0 or u64(t["proc"]) == 0:
        return None
    return t["proc"]


def as_ptr(arg, typename):
    """Evaluate arg; a plain number becomes a pointer to typename."""
    v = gdb.parse_and_eval(arg)
    t = gdb.lookup_type(typename).pointer()
    if v.type.strip_typedefs().code != gdb.TYPE_CODE_PTR:
        v = gdb.Value(u64(v)).cast(t)
    return v.cast(t)


class UvmPrefix(gdb.Command):
    """Show the kernel's virtual-memory structures.

Every subcommand reads kernel memory through gdb, so it works wherever
the kernel is stopped.  The kernel's own printers give the same view on
the serial console: call amap_print(AMAP, kprint), anon_print,
vm_page_print, uvm_map_print(MAP, kprint), uvm_swap_print(kprint),
uvm_pdaemon_print(kprint), uvmexp_print(kprint), uvm_ftrace_print(N, kprint).
The pretty-printers (info pretty-printer) make "print *entry" and
friends one readable line; "print/r" shows the raw structure."""

    def __init__(self):
        super().__init__("uvm", gdb.COMMAND_DATA, prefix=True)


def thread_line(l, cur_lwp):
    """One thread of a process: tid, kernel-thread state, what it waits on."""
    t = l["l_thread"]
    if u64(t) == 0:
        state = "not started"
    else:
        state = str(t["state"]).replace("TS_", "").lower()
        if state == "sleeping" and u64(t["wmesg"]) != 0:
            state += " on " + t["wmesg"].string()
    if bool(l["l_dead"]):
        state = "dead (not reaped yet)"
    return "%s     thread %d: %s, TLS %#x, mask %#x" % (
        "*" if u64(l) == cur_lwp else " ", int(l["l_tid"]), state,
        u64(l["l_fs_base"]), u64(l["l_sigmask"]))


class UvmProcs(gdb.Command):
    """List the processes: pid, state, name, vmspace and exe path.

Columns: pid; the process state (enum proc_state); its name; its struct
vmspace * (give it to "uvm map"); the path its program was exec'd from
(what "uvm user-symbols" loads).  A '*' marks the current process.  A
process with more than one thread (struct lwp) gets a line per thread
below it: its id, its kernel thread's state (and what it sleeps on), its
TLS pointer and signal mask; '*' marks the thread on the CPU."""

    def __init__(self):
        super().__init__("uvm procs", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        cur = current_proc()
        for p in all_procs():
            state = str(p["state"]).replace("PS_", "")
            print("%s%4d %-12s %-16s vmspace %#x %s" % (
                "*" if cur is not None and u64(cur) == u64(p) else " ",
                int(p["pid"]), state.lower(), p["name"].string(),
                u64(p["vmspace"]), p["exe"].string()))
            lwps = list(tailq(p["p_lwps"], "l_link"))
            if len(lwps) > 1:
                t = current_thread()
                cur_lwp = u64(t["lwp"]) if u64(t) != 0 else 0
                for l in lwps:
                    print(thread_line(l, cur_lwp))


def all_threads():
    return list(tailq(gdb.parse_and_eval("allthreads"), "all_link"))


def where(pc):
    """function+offset file:line of a code address."""
    sal = gdb.find_pc_line(pc)
    blk = gdb.block_for_pc(pc)
    fn = blk.function if blk is not None else None
    while blk is not None and fn is None:
        blk = blk.superblock
        fn = blk.function if blk is not None else None
    if fn is not None:
        name = "%s+%#x" % (fn.name, pc - int(blk.start))
    else:       # assembly (swtch.asm, the entry stubs): its label
        name = gdb.execute("info symbol %#x" % pc, to_string=True).split(" in section")[0]
        name = name.replace(" + ", "+").strip() if not name.startswith("No symbol") else "%#x" % pc
    if sal.symtab is not None:
        name += " %s:%d" % (sal.symtab.filename, sal.line)
    return name


def saved_frames(t, depth=16):
    """Return addresses up a thread's stack as swtch left it: ctx_rsp
    points at the six registers swtch pushed (r15 first, rbp fifth)
    under its return address; from there the frame-pointer chain
    (-fno-omit-frame-pointer) leads up to the thread's first frame."""
    inf = gdb.selected_inferior()

    def word(a):
        return struct.unpack("<Q", bytes(inf.read_memory(a, 8)))[0]
    sp = u64(t["ctx_rsp"])
    pcs, rbp = [word(sp + 48)], word(sp + 32)
    while rbp != 0 and len(pcs) < depth and word(rbp + 8) != 0:
        pcs.append(word(rbp + 8))
        rbp = word(rbp)
    return pcs


class UvmThreads(gdb.Command):
    """List every kernel thread: tid, name, process, state, what it sleeps on.

"uvm threads bt" adds each stopped thread's calls, read from its saved
stack (the one on a CPU: use "bt").  The first thing to look at when the
kernel hangs: which threads wait, on what, and where.  A thread asleep on
"nanosleep" or "sigwait" waits for clock ticks: "print ticks" twice tells
whether the clock still runs."""

    def __init__(self):
        super().__init__("uvm threads", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        bt = arg.strip() == "bt"
        for t in all_threads():
            state = str(t["state"]).replace("TS_", "").lower()
            if state == "sleeping" and u64(t["wmesg"]) != 0:
                state += " on " + t["wmesg"].string()
            pid = "pid %d" % int(t["proc"]["pid"]) if u64(t["proc"]) else "kernel"
            print("%5d %-20s %-8s %s" % (int(t["tid"]), t["name"].string(), pid, state))
            if bt and state != "running":
                for pc in saved_frames(t):
                    print("        " + where(pc))


def map_of(arg):
    """The struct vm_map named by arg: a struct vmspace * or struct vm_map *
    expression, "pid N", or nothing (the current thread's).  None when
    that is a kernel thread, which has no user map."""
    args = gdb.string_to_argv(arg)
    if len(args) == 2 and args[0] == "pid":
        v = proc_by_pid(int(args[1], 0))["vmspace"]
    elif args:
        v = gdb.parse_and_eval(arg)
    else:
        v = current_thread()["vmspace"]
    if u64(v) == 0:
        return None
    if str(v.type.target().strip_typedefs()) == "struct vm_map":
        return v.dereference()
    return v["vm_map"]


class UvmMap(gdb.Command):
    """Show every entry of an address map (a process's address space).

Usage: uvm map [SPACE | pid N]
SPACE is a struct vmspace * or struct vm_map * expression; default: the
current thread's address space.  The heading gives the map's range,
entry count, bytes mapped, the free space before the first entry (lead
gap), its pmap and its timestamp (bumped by every change).  Then one
line per entry, in address order, exactly as uvm_map_entry_print
writes it (make test compares the two):

  START-END      the range [start, end)
  prot/max       protection and maximum protection (r w x)
  inherit        what fork gives the child: share, copy, none, zero
  advice         normal, random, sequential (fault-ahead)
  flags          cow (private: writes go to anons), needs-copy (the amap
                 is still shared with another entry until the next write
                 fault copies it), wired, nomerge, hugepage / nohugepage
                 (madvise's 2 MiB page advice)
  amap A+S       the amap (0x0: none yet) and the slot of the first page
  obj O+OFF      the object (file, aobj; 0x0: none) and the offset of the
                 first page
  gap G          free space between this entry's end and the next start

Under an entry with an object, a line "-> " names what the object is:
its pager and, when a cached vnode has it as v_obj, the file - its path
as far as the name cache knows it, file system, inode number and vnode
(give that to "uvm vnode", the object to "uvm object").

Same view on the console (without the "->" lines): call
uvm_map_print(MAP, kprint)."""

    def __init__(self):
        super().__init__("uvm map", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        m = map_of(arg)
        if m is None:
            print("no address space (a kernel thread): name one, e.g. uvm map pid 1")
            return
        hdr = u64(m["header"].address)
        print("map %#x: [%s, %s) %d entries, %s bytes, lead gap %s, pmap %#x, timestamp %d" % (
            u64(m.address), hx(u64(m["min_offset"])), hx(u64(m["max_offset"])),
            int(m["nentries"]), hx(u64(m["size"])), hx(u64(m["lead_gap"])), u64(m["pmap"]),
            int(m["timestamp"])))
        e, files = m["header"]["next"], FileNames()
        while u64(e) != hdr:
            print("  " + uvm_printers.entry_line(e.dereference()))
            if u64(e["object"]):
                print("      -> " + files.object_text(e["object"]))
            e = e["next"]


def ppref_runs(a):
    """The amap's per-page reference counts as [(first, end, ref)], or a
    string saying why there are none (see print_ppref in uvm_amap.c)."""
    pp = u64(a["am_ppref"])
    if pp == 0:
        return "none (every reference covers all slots)"
    if pp == K.PPREF_NONE:
        return "not kept (allocation failed)"
    runs, slot, nslot = [], 0, int(a["am_nslot"])
    while slot < nslot:
        v = int(a["am_ppref"][slot])
        if v == 0:
            break
        # A run of one page is stored as ref+1; a longer one as -(ref+1)
        # followed by its length (amap_pp_setreflen).
        ref, ln = (v - 1, 1) if v > 0 else (-v - 1, int(a["am_ppref"][slot + 1]))
        if ln < 1:
            break
        runs.append((slot, slot + ln, ref))
        slot += ln
    return runs


class UvmAmap(gdb.Command):
    """Show an amap: its slots and anons, and the per-page refs as runs.

It prints the amap's header, every used slot with its anon, and the
per-page reference counts (ppref) decoded into runs.

Usage: uvm amap AMAP      (a struct vm_amap * expression or address)

Heading: ref (map entries holding the amap), shared, slots in use/
allocated, used (slots holding an anon), the lock and how many amaps
share it.  Slot lines: the slot number and its anon: ref (slots
pointing at the anon, in this and other amaps), page (physical address
of the resident page, 0 if none), swslot (swap slot, 0 if none).
ppref: runs [first,end) ref - how many references cover those slots.
Same view on the console: call amap_print(AMAP, kprint)."""

    def __init__(self):
        super().__init__("uvm amap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: uvm amap AMAP")
        a = as_ptr(arg, "struct vm_amap")
        if u64(a) == 0:
            print("no amap (NULL: the entry has none yet - its first write fault, "
                  "or amap_copy at fork, makes one)")
            return
        lo = a["am_lockobj"]
        print("amap %#x: ref %d%s slots %d/%d used %d lock %#x (%d holders)" % (
            u64(a), int(a["am_ref"]), " shared" if int(a["am_flags"]) & K.AMAP_SHARED else "",
            int(a["am_nslot"]), int(a["am_maxslot"]), int(a["am_nused"]),
            u64(a["am_lock"]), int(lo["lo_refs"]) if u64(lo) else 0))
        for i in range(int(a["am_nused"])):
            s = int(a["am_slots"][i])
            print("  slot %d: %s" % (s, uvm_printers.anon_line(a["am_anon"][s])))
        runs = ppref_runs(a)
        if isinstance(runs, str):
            print("  ppref: " + runs)
        else:
            print("  ppref:" + "".join(" [%d,%d) %d" % r for r in runs) +
                  ("" if runs and runs[-1][1] == int(a["am_nslot"]) else " (malformed)"))


def lock_str(mtx):
    """A kmutex *: its name and who holds it."""
    if u64(mtx) == 0:
        return "none"
    m = mtx.dereference()
    owner = u64(m["owner"])
    name = m["name"].string() if u64(m["name"]) else "?"
    held = "free" if owner == 0 else "held by thread %#x (%s)" % (
        owner, m["owner"]["name"].string())
    return "%#x (%s, %s, %d waiting)" % (u64(mtx), name, held, int(m["waiters"]))


class UvmAnon(gdb.Command):
    """Show one anon: one page of anonymous memory.

Usage: uvm anon ANON      (a struct vm_anon * expression or address)

  ref       amap slots pointing at the anon (2 or more: shared after
            fork; the next write fault copies it, case 1B)
  page      the resident struct vm_page * and its physical address
            (none: the data is only in swap)
  swslot    the swap slot holding a copy (0: none)
  lock      the amap lock that covers the anon, and who holds it
Then the page itself, as "uvm page" shows it.
Same first line on the console: call anon_print(ANON, kprint)."""

    def __init__(self):
        super().__init__("uvm anon", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: uvm anon ANON")
        an = as_ptr(arg, "struct vm_anon")
        if u64(an) == 0:
            print("no anon (NULL: the slot is empty - the page is the object's, "
                  "or not touched yet)")
            return
        pg = an["an_page"]
        print(uvm_printers.anon_line(an))
        print("  lock %s" % lock_str(an["an_lock"]))
        if u64(pg):
            print("  page %#x:" % u64(pg))
            show_page(pg, "    ")
        else:
            print("  page none%s" % (" (in swap)" if int(an["an_swslot"]) else ""))


def page_of_phys(pa):
    """The struct vm_page * of physical address pa (vm_page_from_phys), or None."""
    segs = static_var("physsegs", "uvm/uvm_page.c")
    n = int(static_var("nphysseg", "uvm/uvm_page.c"))
    f = pa >> K.L1_SHIFT
    for i in range(n):
        s = segs[i]
        if int(s["start_frame"]) <= f < int(s["end_frame"]):
            return s["pages"] + (f - int(s["start_frame"]))
    return None


def show_page(pg, ind=""):
    """Print a vm_page as vm_page_print does, plus its PTE per mapping."""
    p = pg.dereference()
    print("%svm_page %#x: pa %#x queue %s flags %s wired %d" % (
        ind, u64(pg), u64(p["phys_addr"]), uvm_printers.queue_name(int(p["pqflags"])),
        decode(int(p["flags"]), "PG_", "uvm/uvm_page.h") or "-", int(p["wire_count"])))
    print("%s  owner: obj %#x off %#x anon %#x" % (
        ind, u64(p["uobject"]), u64(p["offset"]), u64(p["uanon"])))
    md = p["md"]
    print("%s  attrs %s, %d mapping%s" % (
        ind, decode(int(md["attrs"]), "PMAP_ATTR_", "pmap/pmap_page.h") or "-",
        int(md["pv_count"]), "" if int(md["pv_count"]) == 1 else "s"))
    pv = md["pv_list"]
    while u64(pv):
        pm, va = pv["pv_pmap"], u64(pv["pv_va"])
        walk = pte_walk(va, u64(pm["pm_pml4_pa"]))
        level = walk[-1][0]
        leaf = walk[-1][2] if level == "PT" or walk[-1][2] & K.PG_PS else 0
        print("%s    pmap %#x va %#x: %s" % (ind, u64(pm), va, leaf_describe(leaf, level, va)
                                             if walk[-1][2] & K.PG_V else "(no table)"))
        pv = pv["pv_next"]


class UvmPage(gdb.Command):
    """Show one physical page (struct vm_page).

Usage: uvm page PAGE | PA
PAGE is a struct vm_page * expression; a plain number below the direct
map (0xffff800000000000) is taken as a physical address and its vm_page
looked up, as vm_page_from_phys does.

  pa        the physical address
  queue     free, active, inactive, reserved (never allocatable) or none
            (wired and kernel pages sit on no queue)
  flags     BUSY (being worked on) WANTED (someone waits for it) CLEAN
            (matches swap/file) RELEASED FAKE (not filled yet) ZERO
  wired     wired mappings or kernel users
  owner     obj+off (a file or aobj page) or anon (anonymous memory)
  attrs     REF / MOD gathered from mappings that are gone
  mappings  the PV list: one line per (pmap, va) mapping the page, with
            the PTE found there
Same view on the console: call vm_page_print(PAGE, kprint)."""

    def __init__(self):
        super().__init__("uvm page", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: uvm page PAGE|PA")
        v = gdb.parse_and_eval(arg)
        if v.type.strip_typedefs().code != gdb.TYPE_CODE_PTR and u64(v) < K.DMAP_BASE:
            pg = page_of_phys(u64(v))
            if pg is None:
                raise gdb.GdbError("no vm_page for physical address %#x (not managed RAM)" % u64(v))
        else:
            pg = as_ptr(arg, "struct vm_page")
        if u64(pg) == 0:
            print("no page (NULL: not resident - in swap, or never touched)")
            return
        show_page(pg)


class UvmPte(gdb.Command):
    """Walk the page tables for a virtual address, level by level.

Usage: uvm pte VA [PMAP]
From the PML4 of PMAP (a struct pmap * expression; default: the CPU's
CR3, i.e. the running address space) down through PDPT, PD and PT.
Each line: the level, the index VA selects there, the raw entry and its
bits in the words of pmap_pte_describe: pa (the next table, or the page),
RW/RO, U (user) or K, NX or X, A (accessed), D (dirty), G (global),
PS (large page), PCD, WIRED and PV (software bits: a wired mapping; a
managed page with a PV entry).  The walk stops at an entry that is not
present or maps a large page: a PD entry with PS maps 2M (uvmkern's
2 MiB pages for anonymous memory), and the last line says so and gives
the physical address of VA's own 4K page inside it."""

    def __init__(self):
        super().__init__("uvm pte", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            raise gdb.GdbError("usage: uvm pte VA [PMAP]")
        va = u64(gdb.parse_and_eval(args[0]))
        if len(args) > 1:
            pm = gdb.parse_and_eval(" ".join(args[1:]))
            if u64(pm) == 0:
                print("no pmap (NULL)")
                return
            cr3 = u64(pm["pm_pml4_pa"])
        else:
            cr3 = u64(gdb.parse_and_eval("$cr3"))
        print("va %#x, page tables at %#x:" % (va, cr3 & K.PG_FRAME))
        walk = pte_walk(va, cr3)
        for name, idx, e in walk:
            print("  %-4s[%3d] = %016x  %s" % (name, idx, e, pte_describe(e)))
        name, idx, e = walk[-1]
        if e & K.PG_V and (name == "PT" or e & K.PG_PS):
            print("  -> va %#x is mapped: %s" % (va, leaf_describe(e, name, va)))
        else:
            print("  -> va %#x is not mapped" % va)


def ftrace_case_names():
    """FT_1A -> '1A', FT_2B_PROMOTE -> '2B-promote', from the enum's debug info."""
    out = {}
    for f in gdb.lookup_type("enum ftrace_case").fields():
        n = f.name[3:]
        out[f.enumval] = "-" if n == "NONE" else n[:2] + n[2:].replace("_", "-").lower()
    return out


class UvmFaults(gdb.Command):
    """Show the last N page faults (default 10) from the kernel's fault trace.

Usage: uvm faults [N]
The kernel records every fault in a ring (uvm_ftrace, the last 64; also
printed at a panic, and streamed with trace=fault).  Columns: the fault's
sequence number, the pid owning the address space, the address, the
access (read, write, exec), the case the handler took (1A: anon page
mapped; 1B: shared anon copied on write; 2A: object page mapped;
2B-promote: object page copied into a new anon; 2B-zero: zero-filled
new anon; -: failed before choosing), restarts, the result (ok or
-errno) and the TSC cycles spent.
Same view on the console: call uvm_ftrace_print(N, kprint)."""

    def __init__(self):
        super().__init__("uvm faults", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        n = int(gdb.parse_and_eval(arg)) if arg else 10
        t = gdb.parse_and_eval("uvm_ftrace")
        last, cases = int(t["seq"]), ftrace_case_names()
        if last == 0:
            print("no faults recorded yet")
            return
        for s in range(max(1, last - min(n, K.FTRACE_N) + 1), last + 1):
            r = t["rec"][s % K.FTRACE_N]
            acc = int(r["access"])
            print("fault #%d pid %d va %#x %-5s %-10s restarts %d %-5s %d cycles" % (
                int(r["seq"]), int(r["pid"]), u64(r["va"]),
                "write" if acc & K.VM_PROT_WRITE else ("exec" if acc & K.VM_PROT_EXECUTE else "read"),
                cases.get(int(r["fcase"]), "?"), int(r["restarts"]),
                "ok" if int(r["error"]) == 0 else str(int(r["error"])), int(r["cycles"])))


class UvmStats(gdb.Command):
    """Show every counter of uvmexp (pages, faults per case, paging) and the pmap's.

Pages, allocator, faults per case, paging, page daemon: each line is a
field of struct uvmexp (uvm/uvm_page.h says what it counts); then the
pmap's own, struct pmap_counters (pmap/pmap.h).
Same view on the console: call uvmexp_print(kprint)."""

    def __init__(self):
        super().__init__("uvm stats", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        for var in ("uvmexp", "pmap_counters"):
            ux = gdb.parse_and_eval(var)
            for f in ux.type.fields():
                print("%-14s %d" % (f.name, int(ux[f.name])))


class UvmQueues(gdb.Command):
    """Show the paging queues and the page daemon's state.

Usage: uvm queues [N]
First the page daemon as uvm_pdaemon_print writes it: whether it runs
(or stalled: its last pass freed nothing), free pages against its
watermarks (freemin: it wakes below this; freetarg: it works until
this many are free; reserve: kept for the kernel), the queue lengths
and its counters.  Then the first N pages (default 5) of the active
and the inactive queue, oldest first - the inactive queue's head is
where the daemon's next scan starts: the vm_page, its physical address,
flags, its owner and how many mappings it has.
Same first part on the console: call uvm_pdaemon_print(kprint)."""

    def __init__(self):
        super().__init__("uvm queues", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        n = int(gdb.parse_and_eval(arg)) if arg else 5
        ux = gdb.parse_and_eval("uvmexp")
        pd = static_var("pd", "uvm/uvm_pdaemon.c")
        state = "not started" if not bool(pd["running"]) else (
            "stalled" if bool(pd["stalled"]) else "running")
        print("pagedaemon: %s; free %d (freemin %d, freetarg %d, reserve %d)" % (
            state, int(ux["free"]), int(ux["freemin"]), int(ux["freetarg"]), int(ux["reserve"])))
        print("  queues: active %d inactive %d wired %d" % (
            int(ux["active"]), int(ux["inactive"]), int(ux["wired"])))
        print("  passes %d scanned %d reactivated %d deactivated %d freed clean %d "
              "skipped %d stalls %d" % tuple(int(ux[f]) for f in (
                  "pdwoke", "pdscans", "pdreact", "pddeact", "pdfreed", "pdbusy", "pdstalls")))
        print("  pageouts %d pageins %d oom kills %d" % (
            int(ux["pageouts"]), int(ux["pageins"]), int(ux["oomkills"])))
        for qname, total in (("active", ux["active"]), ("inactive", ux["inactive"])):
            head = static_var(qname + "_list", "uvm/uvm_page.c")
            print("%s queue (%d pages), first %d:" % (qname, int(total), n))
            for pg in tailq(head, "pageq", n):
                print("  " + uvm_printers.page_line(pg.dereference()))


class UvmSwap(gdb.Command):
    """Show swap: the totals and every swap area.

Usage: uvm swap [bits]
Totals as uvm_swap_print writes them: slots, in use (bad ones included),
bad, then the I/O counters.  Then one line per area: its slot range
[first, end), the slots in use and bad, and its disk (no device: an
area a test made for bookkeeping), draining while swapoff empties it.
With "bits", each area's used and bad bitmaps too, as runs of slot
numbers (e.g. used 1-4 9-11, bad 7).
Same view (without bits) on the console: call uvm_swap_print(kprint)."""

    def __init__(self):
        super().__init__("uvm swap", gdb.COMMAND_DATA)

    @staticmethod
    def runs(bitmap, first, nslots):
        out, start = [], None
        words = [read_u64(u64(bitmap) + 8 * i) for i in range((nslots + 63) // 64)]
        for i in range(nslots + 1):
            on = i < nslots and (words[i // 64] >> (i % 64)) & 1
            if on and start is None:
                start = i
            elif not on and start is not None:
                out.append("%d" % (first + start) if i - start == 1 else
                           "%d-%d" % (first + start, first + i - 1))
                start = None
        return " ".join(out) or "-"

    def invoke(self, arg, from_tty):
        bits = arg.strip() == "bits"
        if arg.strip() and not bits:
            raise gdb.GdbError("usage: uvm swap [bits]")
        st = gdb.parse_and_eval("uvm_swap_stats")
        print("swap: %d slots, %d in use, %d bad" % (
            int(st["nslots"]), int(st["inuse"]), int(st["bad"])))
        print("  %d pages written in %d writes, %d read in %d reads; errors: %d write, %d read" % tuple(
            int(st[f]) for f in ("pages_written", "writes", "pages_read", "reads",
                                 "write_errors", "read_errors")))
        areas = list(tailq(static_var("swap_areas", "uvm/uvm_swap.c"), "sa_link"))
        if not areas:
            print("  no swap areas (swap=none, or no swap disk)")
        for a in areas:
            first, ns = int(a["sa_first"]), int(a["sa_nslots"])
            dev = a["sa_dev"]
            print("  area [%d, %d): %d in use, %d bad (%s%s)" % (
                first, first + ns, int(a["sa_inuse"]), int(a["sa_nbad"]),
                dev["name"].string() if u64(dev) else "no device",
                ", draining" if bool(a["sa_draining"]) else ""))
            if bits:
                print("    used " + self.runs(a["sa_used"], first, ns))
                print("    bad  " + self.runs(a["sa_bad"], first, ns))


class FaultBreakpoint(gdb.Breakpoint):
    """A one-shot breakpoint on uvm_fault that stops only for the wanted
    pid, page and access; gdb deletes it once it has stopped (temporary)."""

    def __init__(self, pid, addr, access):
        super().__init__("uvm_fault", gdb.BP_BREAKPOINT, internal=False, temporary=True)
        self.pid, self.addr, self.access = pid, addr, access

    @staticmethod
    def arg(name, reg):
        # At the entry of uvm_fault the arguments are still in their
        # registers; read the variable, or the register if -O2 lost it.
        try:
            v = gdb.parse_and_eval(name)
            if not v.is_optimized_out:
                return v
        except gdb.error:
            pass
        return gdb.parse_and_eval(reg)

    def stop(self):
        m = self.arg("map", "$rdi")
        va = u64(self.arg("va", "$rsi"))
        access = u64(self.arg("access_type", "$rdx"))
        # The map is the first member of its vmspace, which records the pid.
        pid = int(gdb.Value(u64(m)).cast(
            gdb.lookup_type("struct vmspace").pointer())["vm_pid"])
        if self.pid is not None and pid != self.pid:
            return False
        if self.addr is not None and (va >> K.L1_SHIFT) != (self.addr >> K.L1_SHIFT):
            return False
        if self.access is not None and not access & self.access:
            return False
        kind = "write" if access & K.VM_PROT_WRITE else (
            "exec" if access & K.VM_PROT_EXECUTE else "read")
        print("uvm break-fault: pid %d, %s fault at va %#x (map %#x)" % (pid, kind, va, u64(m)))
        return True


class UvmBreakFault(gdb.Command):
    """Stop once at the next page fault, of one pid, address or access.

The breakpoint stops only at a fault that matches what is given (any
fault if nothing is), and deletes itself after stopping once.

Usage: uvm break-fault [pid N] [addr A] [read|write|exec]
It is a breakpoint on uvm_fault (uvm/uvm_fault.c), where every fault on
a user address arrives: from user mode through trap_user_fault, from
copyin and friends, and from the kernel's self-tests.  The pid is the
vmspace's (vm_pid), addr matches any address in A's page.  When it stops,
the fault has not been handled yet: look with "uvm map", "uvm pte A",
then "finish" runs the handler and returns (0: resolved), and the same
commands show what it changed."""

    def __init__(self):
        super().__init__("uvm break-fault", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        args, pid, addr, access = gdb.string_to_argv(arg), None, None, None
        acc = {"read": K.VM_PROT_READ, "write": K.VM_PROT_WRITE, "exec": K.VM_PROT_EXECUTE}
        i = 0
        while i < len(args):
            if args[i] == "pid" and i + 1 < len(args):
                pid, i = int(gdb.parse_and_eval(args[i + 1])), i + 2
            elif args[i] == "addr" and i + 1 < len(args):
                addr, i = u64(gdb.parse_and_eval(args[i + 1])), i + 2
            elif args[i] in acc:
                access, i = acc[args[i]], i + 1
            else:
                raise gdb.GdbError("usage: uvm break-fault [pid N] [addr A] [read|write|exec]")
        bp = FaultBreakpoint(pid, addr, access)
        print("uvm break-fault: breakpoint %d on uvm_fault for %s, %s, %s" % (
            bp.number, "pid %d" % pid if pid is not None else "any pid",
            "page of %#x" % addr if addr is not None else "any address",
            args[-1] if access is not None else "any access"))


def elf_info(path):
    """(e_type, [p_vaddr of each PT_LOAD]) of a 64-bit ELF file."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            raise gdb.GdbError("%s is not a 64-bit ELF file" % path)
        e_type, = struct.unpack_from("<H", eh, 16)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        loads = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _, _, p_vaddr = struct.unpack("<IIQQ", f.read(24))
            if p_type == 1:
                loads.append(p_vaddr)
    return e_type, loads


class UvmUserSymbols(gdb.Command):
    """Load the symbols of a process's program, at the address it runs at.

Usage: uvm user-symbols [PID]     (default: the current process)
It reads the process's exe path (struct proc, set by exec), finds that
program in BUILD/user/ (built with -g; e.g. /bin/forkdemo or
/mnt/usr/local/bin/forkdemo -> build/user/forkdemo, /tests/cow ->
build/user/tests/cow) or else in BUILD/initrd/ (the initrd's tree, whose
copies have no -g info; BUILD is $UVMKERN_BUILD, default build), and
adds its symbols with
add-symbol-file.  A static executable (ET_EXEC) runs at its link
address; a static-pie one (ET_DYN) at the base exec chose, read back
from the process's map: the start of the first entry backed by an
object, less the first PT_LOAD's page.  Symbols loaded before for
another program are removed first.  User and kernel symbols then work
together: "bt" in a fault shows the kernel frames; "info symbol ADDR"
or "list *ADDR" name a user address."""

    loaded = None

    def __init__(self):
        super().__init__("uvm user-symbols", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        p = proc_by_pid(int(gdb.parse_and_eval(arg))) if arg.strip() else current_proc()
        if p is None:
            raise gdb.GdbError("the CPU runs a kernel thread: name a pid (uvm procs)")
        exe = p["exe"].string()
        if not exe:
            raise gdb.GdbError("process %d has no exe path" % int(p["pid"]))
        path = user_program_file(exe)
        e_type, loads = elf_info(path)
        if e_type == 2:         # ET_EXEC
            base = 0
        elif e_type == 3:       # ET_DYN: static-pie
            base = self.pie_base(p, loads)
        else:
            raise gdb.GdbError("%s: ELF type %d is not an executable" % (path, e_type))
        load_user_symbols(path, base)
        print("uvm user-symbols: pid %d %s -> %s at offset %#x" % (
            int(p["pid"]), exe, shown(path), base))

    @staticmethod
    def pie_base(p, loads):
        m = p["vmspace"]["vm_map"]
        hdr, e = u64(m["header"].address), m["header"]["next"]
        page = ~((1 << K.L1_SHIFT) - 1)
        while u64(e) != hdr:
            if int(e["etype"]) & K.UVM_ET_OBJ:
                return u64(e["start"]) - (min(loads) & page)
            e = e["next"]
        raise gdb.GdbError("no object-backed entry in the map: where is the program?")


def shown(path):
    """path relative to the top of the tree when it is inside it."""
    rel = os.path.relpath(path, TOP)
    return path if rel.startswith("..") else rel


def load_user_symbols(path, base):
    """add-symbol-file path at offset base, after removing the user
    program's symbols loaded before (one program's at a time)."""
    if UvmUserSymbols.loaded is not None:
        gdb.execute("remove-symbol-file %s" % UvmUserSymbols.loaded, to_string=True)
        UvmUserSymbols.loaded = None
    gdb.execute("add-symbol-file %s -o %#x" % (path, base), to_string=True)
    UvmUserSymbols.loaded = path


def user_program_file(prog):
    """The build's copy of the user program prog, with its debug info: a
    name (forkdemo, tests/cow) or the path it has in the guest
    (/bin/forkdemo, /mnt/usr/local/bin/forkdemo, /tests/cow).  BUILD/user/
    first: the initrd's copies (BUILD/initrd/) have no -g info."""
    name = os.path.basename(prog)
    tests = prog.startswith("/tests/") or prog.startswith("tests/")
    cands = [os.path.join(BUILD, "user", "tests" if tests else "", name),
             os.path.join(BUILD, "user", name),
             os.path.join(BUILD, "user", "tests", name),
             os.path.join(BUILD, "initrd", prog.lstrip("/"))]
    path = next((c for c in cands if os.path.isfile(c)), None)
    if path is None:
        raise gdb.GdbError("%s: not found as %s" % (prog, " or ".join(
            shown(c) for c in cands)))
    return path


class MainBreakpoint(gdb.Breakpoint):
    """A one-shot hardware breakpoint on a user program's main that stops
    only in a process running that program."""

    def __init__(self, addr, name):
        super().__init__("*%#x" % addr, gdb.BP_HARDWARE_BREAKPOINT,
                         internal=False, temporary=True)
        self.name = name

    def stop(self):
        p = current_proc()
        if p is None or os.path.basename(p["exe"].string()) != self.name:
            return False        # another program with main at that address
        print("uvm break-main: pid %d (%s) is at main" % (int(p["pid"]), p["exe"].string()))
        return True


class UvmBreakMain(gdb.Command):
    """Stop once in a user program's main, with its source.

Usage: uvm break-main PROG
PROG is the program's name (forkdemo, cow) or its path in the guest
(/mnt/usr/local/bin/forkdemo, /bin/forkdemo, /tests/cow).  The command
loads the symbols of the build's copy (BUILD/user/, with -g: line
numbers and variables, as "uvm user-symbols" does) and sets a temporary
breakpoint on main that stops only in a process whose exe has that name:
every static musl program is linked at the same address, so main's
address alone would stop in the wrong one.  Then "continue" (or boot
with init=PROG, or run PROG at the shell): gdb stops at main with its
source line; "next", "step", "print argc", "bt", "list" work as for any
program, and the uvm commands show its memory.

The breakpoint is a hardware one (QEMU's, matched by address whatever
the page tables say): a software breakpoint would write an int3 into the
program's text when gdb resumes - before exec maps it, it cannot; after,
it would land in the page cache page every process running the file
shares."""

    def __init__(self):
        super().__init__("uvm break-main", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 1:
            raise gdb.GdbError("usage: uvm break-main PROG")
        path = user_program_file(args[0])
        e_type, _ = elf_info(path)
        if e_type != 2:
            raise gdb.GdbError("%s is not a static executable at a fixed address (ET_EXEC): "
                               "stop it another way, then uvm user-symbols" % path)
        load_user_symbols(path, 0)
        sym = gdb.lookup_objfile(path).lookup_global_symbol("main")
        if sym is None:
            raise gdb.GdbError("%s has no main" % path)
        addr = u64(sym.value().address)
        bp = MainBreakpoint(addr, os.path.basename(args[0]))
        print("uvm break-main: breakpoint %d at %#x, main of %s (symbols loaded); "
              "continue to stop there" % (bp.number, addr, shown(path)))


def entry_at(m, va):
    """The struct vm_map_entry * of map m (a struct vm_map value) holding va, or None."""
    hdr, e = u64(m["header"].address), m["header"]["next"]
    while u64(e) != hdr:
        if u64(e["start"]) <= va < u64(e["end"]):
            return e
        e = e["next"]
    return None


def lookup_entry(va, space):
    """The entry holding va (a gdb.Value) in space (a struct vmspace * or
    vm_map * value, or None: the current thread's), or a NULL pointer."""
    if space is None:
        m = map_of("")
    elif str(space.type.strip_typedefs().target()) == "struct vm_map":
        m = space.dereference()
    else:
        m = space.cast(gdb.lookup_type("struct vmspace").pointer())["vm_map"]
    e = entry_at(m, u64(va)) if m is not None else None
    return e if e is not None else gdb.Value(0).cast(
        gdb.lookup_type("struct vm_map_entry").pointer())


class EntryFunction(gdb.Function):
    """$uvm_entry(VA [, SPACE]) - the map entry holding VA.

Returns the struct vm_map_entry * holding VA in SPACE (a struct vmspace
* or vm_map *; default: the current thread's), or 0 when VA is not
mapped.  E.g.:  print *$uvm_entry(0x400000)
                                  uvm amap $uvm_entry($va)->aref.ar_amap"""

    def __init__(self):
        super().__init__("uvm_entry")

    def invoke(self, va, space=None):
        return lookup_entry(va, space)


class AnonFunction(gdb.Function):
    """$uvm_anon(VA [, SPACE]) - the anon holding VA's page.

Returns the struct vm_anon * in the amap of VA's map entry (slot =
ar_pageoff + (VA - start) / page), or 0 when there is none.  E.g.:  uvm anon $uvm_anon($va)"""

    def __init__(self):
        super().__init__("uvm_anon")

    def invoke(self, va, space=None):
        e = lookup_entry(va, space)
        null = gdb.Value(0).cast(gdb.lookup_type("struct vm_anon").pointer())
        if u64(e) == 0 or u64(e["aref"]["ar_amap"]) == 0:
            return null
        slot = int(e["aref"]["ar_pageoff"]) + ((u64(va) - u64(e["start"])) >> K.L1_SHIFT)
        return e["aref"]["ar_amap"]["am_anon"][slot]


class CurthreadFunction(gdb.Function):
    """$curthread() - the struct thread * running on the selected CPU.

The kernel's curthread is no variable but a load through the CPU's GS
base (kern/arch/cpu_info.h); this follows the same pointer.  E.g.:
print $curthread()->name    call uvm_map_print(&$curthread()->vmspace->vm_map, kprint)"""

    def __init__(self):
        super().__init__("curthread")

    def invoke(self):
        return current_thread()


class ProcFunction(gdb.Function):
    """$uvm_proc(PID) - the struct proc * of process PID.

E.g.:  uvm amap $uvm_entry($va, $uvm_proc(1)->vmspace)->aref.ar_amap"""

    def __init__(self):
        super().__init__("uvm_proc")

    def invoke(self, pid):
        return proc_by_pid(int(pid))


# ---------------------------------------------------------------------
# Files: vnodes, the objects behind them, and the names they go by.

def rb_nodes(root):
    """The nodes of a red-black tree in order (root: a struct rb_node *)."""
    out, stack, n = [], [], root
    while u64(n) or stack:
        while u64(n):
            stack.append(n)
            n = n["rb_left"]
        n = stack.pop()
        out.append(n)
        n = n["rb_right"]
    return out


def obj_pages(obj):
    """The resident struct vm_page * of a uvm_object, by offset."""
    t = gdb.lookup_type("struct vm_page")
    off = next(f.bitpos for f in t.fields() if f.name == "objt") // 8
    return [gdb.Value(u64(n) - off).cast(t.pointer())
            for n in rb_nodes(obj["rb_pages"]["rbt_root"])]


def page_modified(pg):
    """pmap_is_modified: the folded MOD attribute, or a D bit in the PTE
    of a mapping the page still has."""
    md = pg["md"]
    if int(md["attrs"]) & K.PMAP_ATTR_MOD:
        return True
    pv = md["pv_list"]
    while u64(pv):
        name, _, e = pte_walk(u64(pv["pv_va"]), u64(pv["pv_pmap"]["pm_pml4_pa"]))[-1]
        if e & K.PG_V and (name == "PT" or e & K.PG_PS) and e & K.PG_M:
            return True
        pv = pv["pv_next"]
    return False


def page_state(pg):
    """A page's state for write-back, as vm_query_obj reports it: clean
    (PG_CLEAN and no modified bit) or dirty, then modified (the pmap's
    bit), busy, rdonly (over a hole), fake (not filled yet)."""
    f, mod = int(pg["flags"]), page_modified(pg)
    words = ["dirty" if mod or not f & K.PG_CLEAN else "clean"]
    for cond, w in ((mod, "modified"), (f & K.PG_BUSY, "busy"),
                    (f & K.PG_RDONLY, "rdonly"), (f & K.PG_FAKE, "fake")):
        if cond:
            words.append(w)
    return " ".join(words)


def hash_chains(var, file, link):
    """Every element of a static hash table of singly linked chains."""
    h = static_var(var, file)
    for i in range(h.type.range()[1] + 1):
        p = h[i]
        while u64(p):
            yield p
            p = p[link]


class FileNames(object):
    """What one command needs to name files: the vnode cache (object ->
    vnode) and the name cache (vnode -> parent, name), read once."""

    def __init__(self):
        self._vnodes = self._names = None

    def vnode_of(self, obj):
        """The cached struct vnode * whose v_obj is obj, or None."""
        if self._vnodes is None:
            self._vnodes = {}
            for vp in hash_chains("vcache_hash", "kern/vfs/vfs_vnode.c", "v_hashnext"):
                if u64(vp["v_obj"]):
                    self._vnodes.setdefault(u64(vp["v_obj"]), vp)
        return self._vnodes.get(u64(obj))

    def path(self, vp):
        """vp's path from the name cache: each name and its directory up
        to a mount's root, then the mount's path; '?' where the cache has
        forgotten a name."""
        if self._names is None:
            self._names, inf = {}, gdb.selected_inferior()
            for nc in hash_chains("nc_hash", "kern/vfs/vfs_cache.c", "nc_hashnext"):
                if u64(nc["nc_dvp"]):
                    name = bytes(inf.read_memory(nc["nc_name"].address, int(nc["nc_len"])))
                    self._names.setdefault(u64(nc["nc_vp"]), (nc["nc_dvp"], name.decode(errors="replace")))
        parts, v = [], vp
        for _ in range(64):
            mp = v["v_mount"]
            if u64(mp) and u64(mp["mnt_root"]) == u64(v):
                top = mp["mnt_path"].string()
                return top.rstrip("/") + "/" + "/".join(reversed(parts)) if parts else top
            ent = self._names.get(u64(v))
            if ent is None:
                break
            parts.append(ent[1])
            v = ent[0]
        return "?/" + "/".join(reversed(parts)) if parts else "?"

    def vnode_text(self, vp):
        """'PATH (FSTYPE ino N, vnode 0x...)'."""
        mp = vp["v_mount"]
        return "%s (%s ino %d, vnode %#x)" % (
            self.path(vp), mp["mnt_op"]["vfs_name"].string() if u64(mp) else "?",
            int(vp["v_ino"]), u64(vp))

    def object_text(self, obj):
        """An object's pager and the file behind it."""
        pager = obj["pgops"]["pgo_name"].string() if u64(obj["pgops"]) else "no pager"
        vp = self.vnode_of(obj)
        return "%s object %#x, %s" % (pager, u64(obj), "file " + self.vnode_text(vp)
                                       if vp is not None else "no file (no cached vnode has it)")


def show_object(obj, files, ind=""):
    """An object as uvm_obj_print writes it, each page's state appended
    after '->', preceded by the file behind it and, for a vnode-pager
    object, the pager's own fields."""
    o = obj.dereference()
    pager = o["pgops"]["pgo_name"].string() if u64(o["pgops"]) else "no pager"
    print("%suvm_object %#x (%s): refs %d, %d resident pages%s" % (
        ind, u64(obj), pager, int(o["uo_refs"]), int(o["uo_npages"]),
        ", locked" if u64(o["vmobjlock"]["owner"]) else ""))
    vp = files.vnode_of(obj)
    print("%s  file %s" % (ind, files.vnode_text(vp) if vp is not None else "none"))
    if u64(o["pgops"]) == u64(gdb.parse_and_eval("&uvn_pager")):
        uvn = gdb.Value(u64(obj)).cast(gdb.lookup_type("struct uvm_vnode").pointer())
        print("%s  uvn: size %s, pending error %d, disk %s" % (
            ind, hx(u64(uvn["u_size"])), int(uvn["u_error"]),
            uvn["u_dev"]["name"].string() if u64(uvn["u_dev"]) else "none"))
    for pg in obj_pages(o):
        f = int(pg["flags"])
        print("%s  off %10s  page %s%s%s  -> %s" % (
            ind, hx(u64(pg["offset"])), hx(u64(pg["phys_addr"])), " busy" if f & K.PG_BUSY else "",
            " clean" if f & K.PG_CLEAN else "", page_state(pg)))


class UvmObject(gdb.Command):
    """Show a uvm_object: its pager, the file behind it and its pages.

Usage: uvm object OBJ     (a struct uvm_object * expression or address,
                           e.g. $uvm_entry(VA)->object)

Heading as uvm_obj_print writes it: the pager (aobj: anonymous memory
or a tmpfs file; vnode: the vnode pager, a disk file; memobj: an initrd
file), refs (uo_refs: mappings and other holders), resident pages.
Then "file": the cached vnode whose v_obj this is (path from the name
cache, file system, inode, vnode), or none.  A vnode-pager object adds
the pager's fields: the file size it knows (u_size), a write-back error
not yet reported, its disk.  One line per resident page, by offset:
offset in the object, physical address, busy and clean (PG_BUSY,
PG_CLEAN) as uvm_obj_print has them, then after "->" its state for
write-back: clean, or dirty (not PG_CLEAN, or written through a mapping
since: the pmap's modified bit, "modified"), busy, rdonly, fake.
Same lines up to "->" on the console: call uvm_obj_print(OBJ, kprint)."""

    def __init__(self):
        super().__init__("uvm object", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: uvm object OBJ")
        obj = as_ptr(arg, "struct uvm_object")
        if u64(obj) == 0:
            print("no object (NULL: anonymous private memory has only its amap)")
            return
        show_object(obj, FileNames())


class UvmVnode(gdb.Command):
    """Show a vnode: the kernel's handle on one file.

Usage: uvm vnode VNODE    (a struct vnode * expression or address, e.g.
                           $uvm_vnode($uvm_entry(VA)->object))

  type      VREG, VDIR, VLNK ... (enum vtype)
  ino       the file's number in its file system
  refs      holders: open files, cwds, mappings of a disk file, lookups
            (0: unreferenced, kept in the vnode cache with its pages)
  mount     the mount's path and file system type; "mounted on" when a
            file system is mounted on this directory
  flags     dead (out of the cache), loading, keeppages (v_obj outlives
            the vnode: tmpfs, initrd), magiclink
  name      its path as far as the name cache knows it
  v_obj     the object holding the file's pages, shown as "uvm object"
            shows it
Same first line on the console: call vnode_print(VNODE, kprint)."""

    def __init__(self):
        super().__init__("uvm vnode", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: uvm vnode VNODE")
        vp = as_ptr(arg, "struct vnode")
        if u64(vp) == 0:
            print("no vnode (NULL: no cached vnode has that object - anonymous "
                  "memory, or a file whose vnode was reclaimed)")
            return
        files, v, mp = FileNames(), vp.dereference(), vp["v_mount"]
        flags = [w for cond, w in ((bool(v["v_dead"]), "dead"), (bool(v["v_loading"]), "loading"),
                                   (int(v["v_vflags"]) & K.VV_KEEPPAGES, "keeppages"),
                                   (int(v["v_vflags"]) & K.VV_MAGICLINK, "magiclink"),
                                   (u64(v["v_mountedhere"]), "mounted-on")) if cond]
        print("vnode %#x: %s ino %d refs %d mount %s (%s) v_obj %#x%s" % (
            u64(vp), str(v["v_type"]), int(v["v_ino"]), int(v["v_refs"]),
            mp["mnt_path"].string() if u64(mp) else "-",
            mp["mnt_op"]["vfs_name"].string() if u64(mp) else "-",
            u64(v["v_obj"]), (" " + " ".join(flags)) if flags else ""))
        print("  name %s" % files.path(vp))
        if u64(v["v_obj"]):
            show_object(v["v_obj"], files, "  ")


class VnodeFunction(gdb.Function):
    """$uvm_vnode(OBJ) - the cached vnode whose pages OBJ holds.

Returns the struct vnode * whose v_obj is OBJ (a struct uvm_object *),
or 0 when no cached vnode has it (anonymous memory; a tmpfs file whose
vnode was reclaimed).  E.g.:  uvm vnode $uvm_vnode($uvm_entry($va)->object)"""

    def __init__(self):
        super().__init__("uvm_vnode")

    def invoke(self, obj):
        vp = FileNames().vnode_of(obj)
        return vp if vp is not None else gdb.Value(0).cast(
            gdb.lookup_type("struct vnode").pointer())


def friendly(cls, name):
    """Make the command cls ("uvm NAME") end in a one-line gdb error,
    never a Python traceback, when it reads memory that is not there (a
    wrong or freed pointer, a field of NULL) or gdb cannot evaluate an
    argument."""
    inner = cls.invoke

    def invoke(self, arg, from_tty):
        try:
            return inner(self, arg, from_tty)
        except (gdb.MemoryError, gdb.error) as e:
            raise gdb.GdbError("uvm %s: %s (a wrong, freed or NULL pointer?)" % (name, e))
    cls.invoke = invoke


for _cls, _name in ((UvmProcs, "procs"), (UvmThreads, "threads"), (UvmMap, "map"), (UvmAmap, "amap"),
                    (UvmAnon, "anon"), (UvmPage, "page"), (UvmPte, "pte"),
                    (UvmFaults, "faults"), (UvmStats, "stats"), (UvmQueues, "queues"),
                    (UvmSwap, "swap"), (UvmBreakFault, "break-fault"),
                    (UvmUserSymbols, "user-symbols"), (UvmBreakMain, "break-main"),
                    (UvmObject, "object"), (UvmVnode, "vnode")):
    friendly(_cls, _name)

UvmPrefix()
UvmProcs()
UvmThreads()
UvmMap()
UvmAmap()
UvmAnon()
UvmPage()
UvmPte()
UvmFaults()
UvmStats()
UvmQueues()
UvmSwap()
UvmBreakFault()
UvmUserSymbols()
UvmBreakMain()
UvmObject()
UvmVnode()
EntryFunction()
AnonFunction()
ProcFunction()
CurthreadFunction()
VnodeFunction()
uvm_printers.register(gdb.current_objfile())
