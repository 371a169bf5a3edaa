# tools/draw/uvmsnap.py - read the VM snapshots a program printed.
#
# A program calls uvmsnap() (user/snapshot.h) at the points it wants
# drawn; each call prints, between "@@uvmsnap begin ..." and
# "@@uvmsnap done", /proc/PID/uvm of itself and maybe of one other
# process (uvm/uvm_snapshot.c describes the lines).  read_steps() turns a
# log (the serial output of a boot, other lines mixed in) into a list of
# Step, each with one Proc per process, oldest pid first:
#
#   steps = read_steps(open("serial.log").read())
#   steps[1].label            'after fork (child not yet written)'
#   steps[1].procs[0].pid     1   (the parent: lower pid, left)
#   steps[1].faults           faults since steps[0] (all its processes)
#
# Python 3 standard library only.

import re

BEGIN = re.compile(r'@@uvmsnap begin label="(.*)" focus=([0-9a-f]+)-([0-9a-f]+) self=(\d+)')
KINDS = ("uvm", "entry", "amap", "slot", "anon", "page", "object", "fault",
         "morepages", "end", "truncated")


def fields(line):
    """'entry start=400000 end=401000' -> ('entry', {'start': '400000', ...})"""
    words = line.split()
    kv = {}
    for w in words[1:]:
        k, _, v = w.partition("=")
        kv[k] = v
    return words[0], kv


def hexint(s):
    return int(s, 16) if s not in ("", "-") else 0


class Proc:
    """One process's snapshot: its entries and what they lead to."""

    def __init__(self, kv):
        self.pid = int(kv["pid"])
        self.pmap = kv["pmap"]
        self.ftseq = int(kv["ftseq"])
        self.entries = []       # dicts, address order
        self.amaps = {}         # id -> dict with "slots": {idx: anon id}
        self.anons = {}         # id -> dict
        self.pages = {}         # pa -> dict with "maps": [(pmap, va, bits)]
        self.objects = {}       # id -> dict
        self.faults = []        # dicts, oldest first
        self.complete = False

    def add(self, kind, kv):
        if kind == "entry":
            kv["start_i"], kv["end_i"] = hexint(kv["start"]), hexint(kv["end"])
            kv["pages"] = []
            self.entries.append(kv)
        elif kind == "amap":
            kv["slots"] = {}
            self.amaps[kv["id"]] = kv
        elif kind == "slot":
            self.amaps[kv["amap"]]["slots"][int(kv["idx"])] = kv["anon"]
        elif kind == "anon":
            self.anons[kv["id"]] = kv
        elif kind == "object":
            self.objects[kv["id"]] = kv
        elif kind == "page":
            maps = []
            if kv.get("maps", "-") != "-":
                for m in kv["maps"].split(","):
                    pm, _, rest = m.partition("@")
                    va, _, bits = rest.partition("/")
                    maps.append((pm, hexint(va), bits))
            kv["maplist"] = maps
            self.pages[kv["pa"]] = kv
            if self.entries:
                self.entries[-1]["pages"].append(kv["pa"])
        elif kind == "fault":
            kv["seq_i"] = int(kv["seq"])
            kv["va_i"] = hexint(kv["va"])
            self.faults.append(kv)
        elif kind in ("end", "truncated"):
            self.complete = kind == "end"

    def entry_at(self, va):
        for e in self.entries:
            if e["start_i"] <= va < e["end_i"]:
                return e
        return None

    def focus_entries(self, lo, hi):
        return [e for e in self.entries if e["start_i"] <= hi and e["end_i"] > lo]


class Step:
    def __init__(self, m):
        self.label = m.group(1)
        self.focus = (int(m.group(2), 16), int(m.group(3), 16))
        self.self_pid = int(m.group(4))
        self.procs = []
        self.faults = []        # filled by read_steps: new since the last step

    def ftseq(self):
        return max([p.ftseq for p in self.procs] or [0])


def read_steps(text):
    """The steps of a log, in order; faults set to those new in each."""
    steps, step, proc = [], None, None
    for raw in text.splitlines():
        line = raw.strip("\r")
        m = BEGIN.search(line)
        if m:
            step, proc = Step(m), None
            continue
        if step is None:
            continue
        if line.startswith("@@uvmsnap done"):
            step.procs.sort(key=lambda p: p.pid)
            steps.append(step)
            step = None
            continue
        kind = line.split(" ", 1)[0]
        if kind not in KINDS:
            continue
        kind, kv = fields(line)
        if kind == "uvm":
            proc = Proc(kv)
            step.procs.append(proc)
        elif proc is not None:
            proc.add(kind, kv)
    last = 0
    for s in steps:
        seen = {}
        for p in s.procs:
            for f in p.faults:
                if f["seq_i"] > last:
                    f["pid"] = p.pid
                    seen[f["seq_i"]] = f
        s.faults = [seen[k] for k in sorted(seen)]
        last = max(last, s.ftseq())
    return steps


def pmap_names(steps):
    """pmap id -> 'pid N', over every snapshot of the run."""
    names = {}
    for s in steps:
        for p in s.procs:
            names[p.pmap] = "pid %d" % p.pid
    return names
