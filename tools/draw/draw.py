#!/usr/bin/env python3
# tools/draw/draw.py - the textbook figures of a process's VM, from the
# snapshots a program printed (user/snapshot.h, /proc/PID/uvm).
#
#   python3 tools/draw/draw.py LOG OUTDIR [--title forkdemo]
#
# writes OUTDIR/step-01.svg ... (one figure per uvmsnap() call) and
# OUTDIR/index.html, which steps through them (prev/next, arrow keys,
# index.html#3 opens step 3) with the step's label and the page faults
# since the previous step, each with its case (1A, 1B, 2A, 2B).
#
# A figure has five rows, top to bottom, each box carrying a class and
# data- attributes a test can count (tools/draw/check.py):
#
#   map      per process (left: the lowest pid, the parent), its entries
#            on the address line in order, with the gaps between them
#            (class entry, data-pid, data-start; class gap)
#   amaps    class amap (data-id, data-ref), its slots (class slot)
#   anons    class anon (data-id, data-ref)
#   pages    class page (data-pa), one line per mapping (class pv:
#            which process, which va, r/w and the A and D bits)
#   objects  class object (data-id, data-refs)
#
# Only the focus entries (the range the program named) are drawn in
# depth; the others show on the address line.  A structure two processes
# share is one box with a line from each: after fork one amap with ref 2
# under both entries; after the child's write (case 1B) the child's own
# new anon beside the parent's.  Short names (amap A1, anon a1, object
# O1) are given in order of first appearance over the whole run, so a
# name means the same structure in every step.
#
# Python 3 standard library only.

import argparse
import html
import json
import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uvmsnap  # noqa: E402

ROW_Y = {"map": 70, "amap": 195, "anon": 320, "page": 420, "object": 580}
COLORS = {"entry": "#dde8f7", "focus": "#9fc3f0", "amap": "#fde9b8", "anon": "#d5f0d0",
          "page": "#f3d9ef", "object": "#e6e0f6", "gap": "#ffffff"}


def esc(s):
    return html.escape(str(s), quote=True)


def human(n):
    for unit in ("", "K", "M", "G", "T"):
        if n < 1024 or unit == "T":
            return "%d%s" % (n, unit) if unit else "%d B" % n
        n //= 1024
    return str(n)


class Names:
    """Short stable names: A1 for amaps, a1 for anons, O1 for objects."""

    def __init__(self, steps):
        self.map = {}
        counts = {"A": 0, "a": 0, "O": 0}
        for focus_only in (True, False):    # the drawn ones first: A1, a1
            for s in steps:
                for p in s.procs:
                    for e in p.focus_entries(*s.focus) if focus_only else p.entries:
                        self._name(e["amap"], "A", counts)
                        self._name(e["obj"], "O", counts)
                        a = p.amaps.get(e["amap"])
                        for idx in slots_in(a, e) if a else []:
                            self._name(a["slots"][idx], "a", counts)
        self.pmaps = uvmsnap.pmap_names(steps)

    def _name(self, ident, prefix, counts):
        if ident in ("0", "", None) or ident in self.map:
            return
        counts[prefix] += 1
        self.map[ident] = "%s%d" % (prefix, counts[prefix])

    def __call__(self, ident):
        return self.map.get(ident, ident[-6:])


class Svg:
    def __init__(self):
        self.parts = []
        self.lines = []

    def box(self, x, y, w, h, fill, cls, data, texts, stroke="#333"):
        attrs = " ".join('data-%s="%s"' % (k, esc(v)) for k, v in data.items())
        out = ['<g class="%s" %s>' % (cls, attrs),
               '<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="%s"/>'
               % (x, y, w, h, fill, stroke)]
        for i, t in enumerate(texts):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append('<text x="%d" y="%d"%s>%s</text>' % (x + 5, y + 14 + 13 * i, weight, esc(t)))
        out.append("</g>")
        self.parts.append("\n".join(out))

    def line(self, x1, y1, x2, y2, cls="link"):
        self.lines.append('<line class="%s" x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555" '
                          'stroke-width="1.3" marker-end="url(#arrow)"/>' % (cls, x1, y1, x2, y2))

    def text(self, x, y, t, size=12, cls="label"):
        self.parts.append('<text class="%s" x="%d" y="%d" font-size="%d">%s</text>'
                          % (cls, x, y, size, esc(t)))

    def render(self, w, h, title):
        head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                'viewBox="0 0 %d %d" font-family="monospace" font-size="11">\n'
                '<title>%s</title>\n<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" '
                'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>\n'
                '<rect width="100%%" height="100%%" fill="white"/>\n' % (w, h, w, h, esc(title)))
        return head + "\n".join(self.lines + self.parts) + "\n</svg>\n"


def place(items, width, gap=14):
    """items: [(want_center_x, width, key)] -> {key: x}, left to right,
    no overlaps, each as near its wanted centre as the ones before allow."""
    out, right = {}, 10
    for cx, w, key in sorted(items, key=lambda t: t[0]):
        x = max(right, int(cx - w / 2))
        out[key] = x
        right = x + w + gap
    return out


def entry_texts(e):
    flags = e["flags"].replace("needscopy", "NEEDS-COPY")
    return ["%s-%s" % (e["start"], e["end"]),
            "%s %s %s" % (e["prot"], e["inherit"], human(e["end_i"] - e["start_i"])), flags]


def draw_map(svg, proc, x0, focus, names, where):
    """The address line of one process; where[(pid, start)] = box centre.
    => (the focus entries, the right end of the drawing)."""
    svg.text(x0, 44, "pid %d  (map of %d entries)" % (proc.pid, len(proc.entries)), 13)
    y = ROW_Y["map"]
    fe = proc.focus_entries(*focus)
    big, small = 190, 50
    x, prev = x0, None
    for e in proc.entries:
        if prev is not None:
            g = e["start_i"] - prev["end_i"]
            if g > 0:
                svg.parts.append('<g class="gap" data-size="%d"><line x1="%d" y1="%d" x2="%d" '
                                 'y2="%d" stroke="#999" stroke-dasharray="2,2"/>'
                                 '<text x="%d" y="%d" font-size="8" fill="#777">%s</text>'
                                 '<title>gap of %s</title></g>'
                                 % (g, x + 1, y + 22, x + 15, y + 22, x + 1, y - 4, human(g), human(g)))
                x += 18
            else:
                x += 3
        isf = e in fe
        w = big if isf else small
        texts = entry_texts(e) if isf else [e["prot"], e["start"][-7:]]
        if isf:
            texts.append("amap %s" % names(e["amap"]) if e["amap"] != "0" else "no amap")
        svg.box(x, y, w, 70 if isf else 44, COLORS["focus" if isf else "entry"], "entry",
                {"pid": proc.pid, "start": e["start"], "end": e["end"], "flags": e["flags"],
                 "focus": int(isf)}, texts)
        where[(proc.pid, e["start"])] = (x + w // 2, y + (70 if isf else 44))
        x += w
        prev = e
    return fe, x


def slots_in(amap, e):
    """The slot numbers e covers that hold an anon."""
    first = int(e["pageoff"], 16)
    n = (e["end_i"] - e["start_i"]) >> 12
    return [i for i in sorted(amap["slots"]) if first <= i < first + n]


def draw_step(step, names, title):
    """One step as SVG text."""
    svg, where = Svg(), {}
    shown, rest = fault_caption(step, names)
    cap = "%s: %s" % (title, step.label)
    if shown:
        cap += "  -  " + ", ".join("pid %d %s %s: case %s" % (
            f["pid"], {"w": "write", "x": "exec"}.get(f["access"], "read"), f["va"], f["case"])
            for f in shown)
    svg.text(10, 18, cap, 13, "caption")
    focus_by_pid, x = {}, 10
    for p in step.procs:
        focus_by_pid[p.pid], x = draw_map(svg, p, x, step.focus, names, where)
        x += 40
    width = max(x, 600)
    # amaps: one box per id, under the entries that point at it
    amap_want, amap_of, anon_want, page_want, obj_want = {}, {}, {}, {}, {}
    for p in step.procs:
        for e in focus_by_pid[p.pid]:
            cx = where[(p.pid, e["start"])][0]
            if e["amap"] != "0" and e["amap"] in p.amaps:
                amap_want.setdefault(e["amap"], []).append(cx)
                amap_of.setdefault(e["amap"], (p, e))
            if e["obj"] != "0" and e["obj"] in p.objects:
                obj_want.setdefault(e["obj"], []).append(cx)
    slot_w = 34
    amap_boxes = {}
    items = []
    for aid, cxs in amap_want.items():
        p, e = amap_of[aid]
        nslots = max(len(slots_in(p.amaps[aid], e)), 1)
        items.append((sum(cxs) / len(cxs), max(170, nslots * slot_w + 10), aid))
    pos = place(items, width)
    for cx, w, aid in items:
        p, e = amap_of[aid]
        a = p.amaps[aid]
        x, y = pos[aid], ROW_Y["amap"]
        svg.box(x, y, w, 78, COLORS["amap"], "amap", {"id": aid, "ref": a["ref"]},
                ["amap %s  ref %s" % (names(aid), a["ref"]),
                 "slots %s, used %s%s" % (a["nslot"], a["nused"], ", shared" if a["shared"] == "1" else ""),
                 "ppref %s" % a["ppref"]])
        amap_boxes[aid] = (x, w)
        for k, idx in enumerate(slots_in(a, e)):
            sx = x + 5 + k * slot_w
            anon = a["slots"][idx]
            svg.box(sx, y + 46, slot_w - 4, 26, "#fff8e0", "slot", {"amap": aid, "idx": idx, "anon": anon},
                    ["%d" % idx])
            anon_want.setdefault(anon, []).append(sx + slot_w // 2)
    for p in step.procs:            # entry -> amap
        for e in focus_by_pid[p.pid]:
            if e["amap"] in amap_boxes:
                ex, ey = where[(p.pid, e["start"])]
                ax, aw = amap_boxes[e["amap"]]
                svg.line(ex, ey, ax + aw // 2, ROW_Y["amap"])
    anons = {}
    for p in step.procs:
        anons.update({k: v for k, v in p.anons.items() if k in anon_want})
    items = [(sum(c) / len(c), 150, k) for k, c in anon_want.items() if k in anons]
    pos = place(items, width)
    anon_at = {}
    for cx, w, k in items:
        a = anons[k]
        x, y = pos[k], ROW_Y["anon"]
        svg.box(x, y, w, 58, COLORS["anon"], "anon", {"id": k, "ref": a["ref"]},
                ["anon %s" % names(k), "ref %s" % a["ref"],
                 "swap slot %s" % a["swslot"] if a["swslot"] != "0" else "no swap copy"])
        anon_at[k] = x + w // 2
        for sx in anon_want[k]:
            svg.line(sx, ROW_Y["amap"] + 72, x + w // 2, y)
        if a["page"] != "0":
            page_want.setdefault(a["page"], []).append(x + w // 2)
    pages = {}
    for p in step.procs:
        for e in focus_by_pid[p.pid]:
            if e["obj"] != "0":
                for pa in e["pages"]:
                    pg = p.pages[pa]
                    if pg["owner"].startswith("obj:"):
                        page_want.setdefault(pa, []).append(sum(obj_want[e["obj"]]) / len(obj_want[e["obj"]]))
        for pa, pg in p.pages.items():
            if pa in page_want:
                pages[pa] = pg
    items = [(sum(c) / len(c), 200, pa) for pa, c in page_want.items() if pa in pages]
    pos = place(items, width)
    page_at = {}
    for cx, w, pa in items:
        pg = pages[pa]
        x, y = pos[pa], ROW_Y["page"]
        maps = ["%s @%x %s" % (names.pmaps.get(pm, pm[-6:]), va, bits) for pm, va, bits in pg["maplist"]]
        texts = ["page pa %s" % pa, "%s, A/D of gone PTEs: %s" % (pg["flags"], pg["attrs"]),
                 "PV list (%s):" % pg["nmap"]] + maps
        h = 16 + 13 * len(texts)
        data = {"pa": pa, "nmap": pg["nmap"], "owner": pg["owner"]}
        svg.box(x, y, w, h, COLORS["page"], "page", data, texts)
        for i in range(len(maps)):      # the PV lines, countable
            svg.parts.append('<g class="pv" data-pa="%s" data-map="%s"/>' % (esc(pa), esc(maps[i])))
        page_at[pa] = (x + w // 2, y + h)
        kind, _, owner = pg["owner"].partition(":")
        if kind == "anon" and owner in anon_at:
            svg.line(anon_at[owner], ROW_Y["anon"] + 58, x + w // 2, y)
    objs = {}
    for p in step.procs:
        objs.update({k: v for k, v in p.objects.items() if k in obj_want})
    items = [(sum(c) / len(c), 190, k) for k, c in obj_want.items() if k in objs]
    pos = place(items, width)
    bottom = max([ROW_Y["object"]] + [v[1] + 30 for v in page_at.values()])
    for cx, w, k in items:
        o = objs[k]
        x = pos[k]
        svg.box(x, bottom, w, 46, COLORS["object"], "object", {"id": k, "refs": o["refs"]},
                ["object %s (%s)" % (names(k), o["pager"]), "refs %s, %s resident" % (o["refs"], o["npages"])])
        for p in step.procs:
            for e in focus_by_pid[p.pid]:
                if e["obj"] == k:
                    ex, ey = where[(p.pid, e["start"])]
                    svg.lines.append('<line class="objlink" x1="%d" y1="%d" x2="%d" y2="%d" stroke="#86c" '
                                     'stroke-dasharray="5,3"/>' % (ex - 40, ey, x + w // 2, bottom))
        for pa, (px, py) in page_at.items():
            if pages[pa]["owner"] == "obj:" + k:
                svg.line(x + w // 2, bottom, px, py)
    height = bottom + 70 if objs else max([ROW_Y["anon"] + 80] + [v[1] + 20 for v in page_at.values()])
    return svg.render(width, height, "%s: %s" % (title, step.label))


def fault_caption(step, names):
    """The faults since the previous step: those in a focus entry in full,
    the rest counted by case."""
    lo, hi = step.focus
    shown, rest = [], {}
    for f in step.faults:
        proc = next((p for p in step.procs if p.pid == f["pid"]), None)
        e = proc.entry_at(f["va_i"]) if proc else None
        if e is not None and e["start_i"] <= hi and e["end_i"] > lo:
            shown.append({"pid": f["pid"], "va": f["va"], "access": f["access"], "case": f["case"],
                          "seq": f["seq_i"], "error": f["error"]})
        else:
            rest[f["case"]] = rest.get(f["case"], 0) + 1
    return shown, rest


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(title)s</title>
<style>
body { font-family: sans-serif; margin: 1em; }
#caption { margin: .5em 0; min-height: 4em; }
.fault { font-family: monospace; }
.case { font-weight: bold; color: #a11; }
#figure svg { border: 1px solid #ccc; max-width: 100%%; height: auto; }
</style></head>
<body>
<h1>%(title)s: the VM, step by step</h1>
<p><button id="prev">&larr; prev</button> <span id="pos"></span>
<button id="next">next &rarr;</button></p>
<div id="caption"></div>
<div id="figure"></div>
<p>Made by tools/draw/draw.py from snapshots the kernel wrote (/proc/PID/uvm,
uvm/uvm_snapshot.c) while the program ran.  Boxes: map entries (blue; the
focus entries wide), amaps with their slots (yellow), anons (green), pages
with their PV lists and A/D bits (pink), objects (violet).</p>
<script id="steps" type="application/json">%(json)s</script>
<script>
var steps = JSON.parse(document.getElementById("steps").textContent);
var cur = 0;
function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;"); }
function show(k) {
  cur = Math.max(0, Math.min(steps.length - 1, k));
  var s = steps[cur], c = "<b>Step " + (cur + 1) + " of " + steps.length + ": " + esc(s.label) + "</b>";
  if (s.faults.length) {
    c += "<br>Faults in the focus since the previous step:";
    s.faults.forEach(function (f) {
      c += "<br><span class='fault' data-case='" + esc(f["case"]) + "'>pid " + f.pid + " va " + esc(f.va) +
        " " + (f.access == "w" ? "write" : f.access == "x" ? "execute" : "read") +
        ": case <span class='case'>" + esc(f["case"]) + "</span>" + (f.error != "0" ? " error " + esc(f.error) : "") + "</span>";
    });
  } else {
    c += "<br>No fault in the focus since the previous step.";
  }
  var others = Object.keys(s.other_faults);
  if (others.length)
    c += "<br>Elsewhere (stack, data, text): " + others.map(function (k) { return s.other_faults[k] + " &times; " + esc(k); }).join(", ");
  document.getElementById("caption").innerHTML = c;
  document.getElementById("figure").innerHTML = s.svg;
  document.getElementById("pos").textContent = (cur + 1) + " / " + steps.length;
  document.body.setAttribute("data-step", cur + 1);
  if (location.hash != "#" + (cur + 1)) history.replaceState(null, "", "#" + (cur + 1));
}
document.getElementById("prev").onclick = function () { show(cur - 1); };
document.getElementById("next").onclick = function () { show(cur + 1); };
document.addEventListener("keydown", function (e) {
  if (e.key == "ArrowLeft") show(cur - 1);
  if (e.key == "ArrowRight") show(cur + 1);
});
show(parseInt(location.hash.slice(1) || "1", 10) - 1);
</script>
</body></html>
"""


def write_all(steps, outdir, title):
    names = Names(steps)
    os.makedirs(outdir, exist_ok=True)
    data = []
    for i, s in enumerate(steps):
        svg = draw_step(s, names, title)
        with open(os.path.join(outdir, "step-%02d.svg" % (i + 1)), "w") as f:
            f.write(svg)
        shown, rest = fault_caption(s, names)
        data.append({"label": s.label, "svg": svg, "faults": shown, "other_faults": rest})
    text = json.dumps(data).replace("</", "<\\/")
    with open(os.path.join(outdir, "index.html"), "w") as f:
        f.write(PAGE % {"title": esc(title), "json": text})
    return os.path.join(outdir, "index.html")


def main():
    ap = argparse.ArgumentParser(description="draw UVM snapshots as SVG and one HTML page")
    ap.add_argument("log", help="output of a program calling uvmsnap() (the serial log)")
    ap.add_argument("outdir")
    ap.add_argument("--title", default="uvm")
    args = ap.parse_args()
    with open(args.log, errors="replace") as f:
        steps = uvmsnap.read_steps(f.read())
    if not steps:
        sys.exit("draw.py: no snapshot in %s: does the program call uvmsnap() (user/snapshot.h), "
                 "and was the kernel booted with uvmsnap=1?" % args.log)
    bad = [s.label for s in steps for p in s.procs if not p.complete]
    if bad:
        print("draw.py: warning: truncated snapshot in %s" % ", ".join(bad), file=sys.stderr)
    print(write_all(steps, args.outdir, args.title))


if __name__ == "__main__":
    main()
