# tools/gdb/uvm_printers.py - gdb pretty-printers for the main VM
# structures, so that "print *entry", "print *amap", "print anon->an_page"
# and friends show one line that reads like the kernel's own printers
# (uvm_map_entry_print, amap_print, anon_print, vm_page_print) instead of
# a page of raw fields.  "print/r" still shows the raw structure, and
# "info pretty-printer" lists these under "uvm".
#
# Loaded by tools/gdb/uvm.py, which also borrows the small helpers below
# (u64, decode, prot_str, entry_flags).  Flag values come from the
# generated build/gdb/uvm_const.py (tools/gdb/genconst.sh).

import gdb
import gdb.printing

import uvm_const as K


def u64(v):
    """A gdb.Value (pointer or integer) as a Python unsigned int."""
    return int(v) & 0xffffffffffffffff


def names_in(prefix, header):
    """[(value, name)] of the macros starting with prefix that header
    defines: the page flags are the PG_* of uvm/uvm_page.h, the PTE bits
    the PG_* of pmap/pte.h (the generated DEFINED_IN tells them apart)."""
    return sorted((getattr(K, n), n) for n, h in K.DEFINED_IN.items()
                  if h == header and n.startswith(prefix))


def decode(value, prefix, header):
    """The names (without prefix) of the one-bit flags set in value,
    e.g. decode(pg.flags, "PG_", "uvm/uvm_page.h") -> "BUSY CLEAN"."""
    return " ".join(n[len(prefix):] for v, n in names_in(prefix, header)
                    if v and v & (v - 1) == 0 and value & v)


def enum_name(value, prefix, header):
    """The lower-case name of value among prefix* (MAP_INHERIT_COPY -> copy)."""
    for v, n in names_in(prefix, header):
        if v == value:
            return n[len(prefix):].lower()
    return str(value)


def prot_str(p):
    """VM_PROT_* bits as "rw-"."""
    return "".join(c if p & bit else "-" for bit, c in (
        (K.VM_PROT_READ, "r"), (K.VM_PROT_WRITE, "w"), (K.VM_PROT_EXECUTE, "x")))


def entry_flags(e):
    """cow, needs-copy, wired, nomerge, hugepage / nohugepage (the 2 MiB
    page advice): as uvm_map_entry_print spells them."""
    et, out = int(e["etype"]), []
    if et & K.UVM_ET_COPYONWRITE:
        out.append("cow")
    if et & K.UVM_ET_NEEDSCOPY:
        out.append("needs-copy")
    if int(e["wired_count"]) > 0:
        out.append("wired")
    if int(e["flags"]) & K.UVM_MAP_NOMERGE:
        out.append("nomerge")
    thp = int(e["thp"])
    if thp == K.UVM_THP_HUGE:
        out.append("hugepage")
    elif thp == K.UVM_THP_NEVER:
        out.append("nohugepage")
    return out


def queue_name(pqflags):
    """As queue_name in uvm/uvm_page.c: free, active, inactive, reserved, none."""
    for bit, name in ((K.PQ_FREE, "free"), (K.PQ_ACTIVE, "active"),
                      (K.PQ_INACTIVE, "inactive"), (K.PQ_RESERVED, "reserved")):
        if pqflags & bit:
            return name
    return "none"


def hx(v):
    """%#lx as the kernel's printf writes it: 0 stays "0", others get 0x."""
    return "%#x" % v if v else "0"


def entry_line(e):
    """One map entry (a struct vm_map_entry value), character for character
    as uvm_map_entry_print writes it (so the two can be compared)."""
    return "%012x-%012x %s/%s %-5s %-10s%s amap %#x+%d obj %#x+%s gap %s" % (
        u64(e["start"]), u64(e["end"]), prot_str(int(e["protection"])),
        prot_str(int(e["max_protection"])),
        enum_name(int(e["inheritance"]), "MAP_INHERIT_", "uvm/uvm_map.h"),
        enum_name(int(e["advice"]), "UVM_ADV_", "uvm/uvm_map.h"),
        "".join(" " + f for f in entry_flags(e)),
        u64(e["aref"]["ar_amap"]), int(e["aref"]["ar_pageoff"]),
        u64(e["object"]), hx(u64(e["offset"])), hx(u64(e["gap"])))


def anon_line(an):
    """One anon (a struct vm_anon * value) as anon_print writes it."""
    if u64(an) == 0:
        return "anon NULL"
    pg = an["an_page"]
    return "anon %#x: ref %d page %s swslot %d" % (
        u64(an), int(an["an_ref"]), hx(u64(pg["phys_addr"]) if u64(pg) else 0),
        int(an["an_swslot"]))


def page_line(p):
    """One vm_page (a value) on one line: pa, queue, flags, owner, mappings."""
    owner = "anon %#x" % u64(p["uanon"]) if u64(p["uanon"]) else (
        "obj %#x+%#x" % (u64(p["uobject"]), u64(p["offset"])) if u64(p["uobject"]) else "kernel")
    return "vm_page %#x: pa %#x queue %s flags %s wired %d owner %s, %d mapping%s" % (
        u64(p.address), u64(p["phys_addr"]), queue_name(int(p["pqflags"])),
        decode(int(p["flags"]), "PG_", "uvm/uvm_page.h") or "-", int(p["wire_count"]),
        owner, int(p["md"]["pv_count"]), "" if int(p["md"]["pv_count"]) == 1 else "s")


class EntryPrinter:
    """struct vm_map_entry: range, prot/maxprot, inherit, advice, flags, amap, object, gap."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "vm_map_entry " + entry_line(self.val)


class ArefPrinter:
    """struct vm_aref: the amap window of an entry."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        a = u64(self.val["ar_amap"])
        return "vm_aref {amap %#x, pageoff %d}" % (a, int(self.val["ar_pageoff"])) \
            if a else "vm_aref {no amap}"


class AmapPrinter:
    """struct vm_amap: ref, shared, slots in use/allocated, used slots."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        a = self.val
        return "vm_amap %#x: ref %d%s slots %d/%d used %d%s" % (
            u64(a.address), int(a["am_ref"]),
            " shared" if int(a["am_flags"]) & K.AMAP_SHARED else "",
            int(a["am_nslot"]), int(a["am_maxslot"]), int(a["am_nused"]),
            "" if u64(a["am_ppref"]) == 0 else " (ppref kept; uvm amap shows it)")


class AnonPrinter:
    """struct vm_anon: ref, page (physical address), swap slot."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return anon_line(self.val.address)


class PagePrinter:
    """struct vm_page: pa, queue, flags, wiring, owner, mapping count."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return page_line(self.val)


class PmapPrinter:
    """struct pmap: the PML4's physical address (CR3), refs, resident pages."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        p = self.val
        return "pmap %#x: cr3 %#x refs %d%s resident %d wired %d ptpages %d" % (
            u64(p.address), u64(p["pm_pml4_pa"]), int(p["pm_refs"]),
            " kernel" if bool(p["pm_kernel"]) else "", int(p["pm_stats"]["resident"]),
            int(p["pm_stats"]["wired"]), int(p["pm_stats"]["ptpages"]))


def build():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("uvm")
    pp.add_printer("vm_map_entry", "^vm_map_entry$", EntryPrinter)
    pp.add_printer("vm_aref", "^vm_aref$", ArefPrinter)
    pp.add_printer("vm_amap", "^vm_amap$", AmapPrinter)
    pp.add_printer("vm_anon", "^vm_anon$", AnonPrinter)
    pp.add_printer("vm_page", "^vm_page$", PagePrinter)
    pp.add_printer("pmap", "^pmap$", PmapPrinter)
    return pp


def register(objfile):
    """Register the printers (for objfile, or everywhere when None);
    sourcing uvm.py twice replaces them instead of failing."""
    gdb.printing.register_pretty_printer(objfile, build(), replace=True)
