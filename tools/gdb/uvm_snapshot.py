# tools/gdb/uvm_snapshot.py - "uvm snapshot": /proc/PID/uvm read from a
# stopped kernel, line for line in the format uvm/uvm_snapshot.c writes,
# so tools/draw/draw.py draws either.
#
#   (gdb) uvm break-fault pid 2 write
#   (gdb) continue
#   (gdb) uvm snapshot pid 2 pid 1 focus 0x7fffff6ff000 label child writes to /tmp/s.log
#   (gdb) shell python3 tools/draw/draw.py /tmp/s.log /tmp/draw-gdb
#
# Without "to FILE" the lines are printed; with "focus" or "to" they are
# wrapped in the @@uvmsnap markers user/snapshot.h prints, one step per
# command, appended to FILE.  Nothing is locked (the kernel is stopped):
# a snapshot taken in the middle of a change shows the change half done,
# which is what a debugger is for.
#
# Loaded by tools/gdb/kernel.gdb after uvm.py, whose helpers it uses:
# gdb runs a sourced file in __main__, so they are __main__'s.

import gdb
import __main__ as U

K = U.K
u64 = U.u64
SNAP_PAGES = 256
SNAP_MAPS = 8


def prot(p):
    return U.uvm_printers.prot_str(p)


def eflags(e):
    et, out = int(e["etype"]), []
    if et & K.UVM_ET_COPYONWRITE:
        out.append("cow")
    if et & K.UVM_ET_NEEDSCOPY:
        out.append("needscopy")
    if et & K.UVM_ET_OBJ:
        out.append("obj")
    if int(e["wired_count"]) > 0:
        out.append("wired")
    return ",".join(out) or "-"


def pte_bits(pm, va):
    name, _, e = U.pte_walk(va, u64(pm["pm_pml4_pa"]))[-1]
    if not (e & K.PG_V and (name == "PT" or e & K.PG_PS)):
        return "-"
    return "r" + ("w" if e & K.PG_RW else "") + ("A" if e & K.PG_A else "") + \
        ("D" if e & K.PG_M else "")


def page_line(pg, kind, owner):
    p, maps, n = pg.dereference(), [], 0
    attrs = int(p["md"]["attrs"])
    pv = p["md"]["pv_list"]
    while u64(pv):
        if n < SNAP_MAPS:
            maps.append("%x@%x/%s" % (u64(pv["pv_pmap"]), u64(pv["pv_va"]),
                                      pte_bits(pv["pv_pmap"], u64(pv["pv_va"]))))
        n += 1
        pv = pv["pv_next"]
    a = ("A" if attrs & K.PMAP_ATTR_REF else "") + ("D" if attrs & K.PMAP_ATTR_MOD else "")
    fl = "clean" if int(p["flags"]) & K.PG_CLEAN else "dirty"
    if int(p["flags"]) & K.PG_BUSY:
        fl += ",busy"
    return "page pa=%x owner=%s:%x off=%x flags=%s attrs=%s nmap=%d maps=%s" % (
        u64(p["phys_addr"]), kind, owner, u64(p["offset"]), fl, a or "-", n, ",".join(maps) or "-")


def ppref(a):
    pp = u64(a["am_ppref"])
    if pp == 0:
        return "none"
    if pp == K.PPREF_NONE:
        return "unalloc"
    out, s = [], 0
    while s < int(a["am_nslot"]):
        v = int(a["am_ppref"][s])
        ref, ln = (v - 1, 1) if v > 0 else (-v - 1, int(a["am_ppref"][s + 1]))
        out.append("%d*%d" % (ref, ln))
        s += max(ln, 1)
    return ",".join(out)


def amap_lines(ap):
    a = ap.dereference()
    out = ["amap id=%x ref=%d nslot=%d nused=%d shared=%d ppref=%s" % (
        u64(ap), int(a["am_ref"]), int(a["am_nslot"]), int(a["am_nused"]),
        1 if int(a["am_flags"]) & K.AMAP_SHARED else 0, ppref(a))]
    for s in range(int(a["am_nslot"])):
        an = a["am_anon"][s]
        if u64(an) == 0:
            continue
        pg = an["an_page"]
        out.append("slot amap=%x idx=%d anon=%x" % (u64(ap), s, u64(an)))
        out.append("anon id=%x ref=%d swslot=%d page=%x" % (
            u64(an), int(an["an_ref"]), int(an["an_swslot"]), u64(pg["phys_addr"]) if u64(pg) else 0))
        if u64(pg):
            out.append(page_line(pg, "anon", u64(an)))
    return out


def object_lines(e, first):
    obj, out = e["object"], []
    start, end = u64(e["offset"]), u64(e["offset"]) + u64(e["end"]) - u64(e["start"])
    if first:
        name = obj["pgops"]["pgo_name"]
        out.append("object id=%x pager=%s refs=%d npages=%d" % (
            u64(obj), name.string() if u64(name) else "?", int(obj["uo_refs"]), int(obj["uo_npages"])))
    pages = [pg for pg in U.obj_pages(obj) if start <= u64(pg["offset"]) < end]
    out += [page_line(pg, "obj", u64(obj)) for pg in pages[:SNAP_PAGES]]
    if len(pages) > SNAP_PAGES:
        out.append("morepages obj=%x entry=%x count=%d" % (u64(obj), u64(e["start"]), len(pages) - SNAP_PAGES))
    return out


def snapshot(pid):
    """The lines of /proc/PID/uvm, from the kernel's memory."""
    vm = U.proc_by_pid(pid)["vmspace"]
    if u64(vm) == 0:
        raise gdb.GdbError("pid %d has no address space (a zombie?)" % pid)
    m = vm["vm_map"]
    t = gdb.parse_and_eval("uvm_ftrace")
    last = int(t["seq"])
    out = ["uvm pid=%d pmap=%x entries=%d min=%x max=%x ftseq=%d" % (
        pid, u64(m["pmap"]), int(m["nentries"]), u64(m["min_offset"]), u64(m["max_offset"]), last)]
    hdr = m["header"].address
    e, amaps, objs = m["header"]["next"], set(), set()
    while u64(e) != u64(hdr):
        ap, obj = e["aref"]["ar_amap"], e["object"]
        out.append("entry start=%x end=%x prot=%s maxprot=%s inherit=%s flags=%s wired=%d "
                   "amap=%x pageoff=%x obj=%x off=%x" % (
                       u64(e["start"]), u64(e["end"]), prot(int(e["protection"])),
                       prot(int(e["max_protection"])),
                       ["share", "copy", "none", "zero"][int(e["inheritance"])], eflags(e),
                       int(e["wired_count"]), u64(ap), int(e["aref"]["ar_pageoff"]), u64(obj),
                       u64(e["offset"])))
        if u64(ap) and u64(ap) not in amaps:
            amaps.add(u64(ap))
            out += amap_lines(ap)
        if u64(obj):
            out += object_lines(e, u64(obj) not in objs)
            objs.add(u64(obj))
        e = e["next"]
    cases = U.ftrace_case_names()
    for s in range(max(1, last - K.FTRACE_N + 1), last + 1):
        r = t["rec"][s % K.FTRACE_N]
        if int(r["seq"]) != s or int(r["pid"]) != pid:
            continue
        acc = int(r["access"])
        out.append("fault seq=%d va=%x access=%s case=%s restarts=%d error=%d" % (
            s, u64(r["va"]), "w" if acc & K.VM_PROT_WRITE else ("x" if acc & K.VM_PROT_EXECUTE else "r"),
            cases.get(int(r["fcase"]), "?"), int(r["restarts"]), int(r["error"])))
    return out + ["end"]


def num(expr):
    """A number, a convenience variable or any gdb expression."""
    return u64(gdb.parse_and_eval(expr))


class UvmSnapshot(gdb.Command):
    """Write processes' VM structures as /proc/PID/uvm does, for tools/draw/.

Usage: uvm snapshot [pid N ...] [focus ADDR[-ADDR]] [label WORDS...] [to FILE]
pid N: whose (default: the current process; several: one after the
other, as user/snapshot.h takes a parent and its child).  With focus or
to, the snapshots are one step between @@uvmsnap markers (focus: the
entries tools/draw/draw.py details), appended to FILE if given.
Format: uvm/uvm_snapshot.c."""

    def __init__(self):
        super().__init__("uvm snapshot", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args, pids, focus, label, path = gdb.string_to_argv(arg), [], None, [], None
        i = 0
        while i < len(args):
            w = args[i]
            if w == "pid" and i + 1 < len(args):
                pids.append(num(args[i + 1]))
                i += 2
            elif w == "focus" and i + 1 < len(args):
                lo, _, hi = args[i + 1].partition("-")
                focus = (num(lo), num(hi or lo))
                i += 2
            elif w == "to" and i + 1 < len(args):
                path = args[i + 1]
                i += 2
            elif w == "label":
                label, i = args[i + 1:], len(args)
                if "to" in label:
                    path = label[label.index("to") + 1] if label.index("to") + 1 < len(label) else None
                    label = label[:label.index("to")]
            else:
                raise gdb.GdbError("uvm snapshot: what is %r? (help uvm snapshot)" % w)
        if not pids:
            p = U.current_proc()
            if p is None:
                raise gdb.GdbError("uvm snapshot: the CPU runs a kernel thread: say pid N")
            pids = [int(p["pid"])]
        lines = []
        for pid in pids:
            lines += snapshot(pid)
        if focus is not None or path is not None:
            lo, hi = focus or (0, 0)
            lines = ['@@uvmsnap begin label="%s" focus=%x-%x self=%d' % (
                " ".join(label) or "gdb", lo, hi, pids[0])] + lines + ["@@uvmsnap done"]
        if path is None:
            print("\n".join(lines))
        else:
            with open(path, "a") as f:
                f.write("\n".join(lines) + "\n")
            print("uvm snapshot: %d lines appended to %s" % (len(lines), path))


UvmSnapshot()
