#!/usr/bin/env python3
# tools/draw/check.py - open the drawings in a real browser and check them.
#
#   python3 tools/draw/check.py LOG OUTDIR [--expect STEP:WHAT=N ...]
#
# For every step of OUTDIR/index.html (made by draw.py from LOG) it runs
# headless Chromium twice:
#
#   chromium --headless --dump-dom index.html#K   the page after its script
#       has run (the figure is put in by the script, so an empty page means
#       the script failed); the boxes are counted by class and compared
#       with what the snapshots in LOG say: one entry box per map entry of
#       every process, one amap, anon and page box per distinct structure
#       under the focus entries, each anon's data-ref its reference count,
#       one pv line per mapping
#   chromium --headless --screenshot=OUTDIR/step-K.png   the PNG must
#       exist and not be blank (more than a few colours: decoded here
#       with zlib, no image library)
#
# --expect adds checks on the mechanism, e.g. for forkdemo
#   2:amap.ref=2=1      step 2 shows one amap with reference count 2
#   3:case=1B=1         step 3's caption names one fault of case 1B
#   3:anon=2            step 3 has two anons (the child's copy, case 1B)
#
# Exit status 0 when all hold; each failure is one line "draw-check: ...".
# Python 3 standard library only.

import argparse
import os
import re
import struct
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uvmsnap  # noqa: E402
import draw  # noqa: E402

CHROME = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--hide-scrollbars"]
PROFILE = []        # --user-data-dir=OUTDIR/.chromium: one per run, in the build


def chrome(args, timeout=60):
    r = subprocess.run(CHROME + PROFILE + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       timeout=timeout)
    return r.stdout.decode(errors="replace")


def expected(step):
    """Counts the snapshot says the figure must show."""
    amaps, anons, pages, pv = {}, {}, set(), 0
    entries = sum(len(p.entries) for p in step.procs)
    for p in step.procs:
        for e in p.focus_entries(*step.focus):
            if e["amap"] in p.amaps:
                a = p.amaps[e["amap"]]
                amaps[e["amap"]] = a["ref"]
                for idx in draw.slots_in(a, e):
                    anons[a["slots"][idx]] = p.anons[a["slots"][idx]]["ref"]
            if e["obj"] != "0":
                pages.update(pa for pa in e["pages"] if p.pages[pa]["owner"].startswith("obj:"))
    for p in step.procs:
        for k in anons:
            if k in p.anons and p.anons[k]["page"] != "0":
                pages.add(p.anons[k]["page"])
    for pa in pages:
        pg = next(p.pages[pa] for p in step.procs if pa in p.pages)
        pv += min(int(pg["nmap"]), 8)
    return {"entry": entries, "amap": len(amaps), "anon": len(anons), "page": len(pages),
            "pv": pv, "anonrefs": sorted(anons.values()), "amaprefs": sorted(amaps.values())}


def count(dom, cls):
    return len(re.findall(r'<g class="%s"' % re.escape(cls), dom))


def refs(dom, cls):
    return sorted(re.findall(r'<g class="%s" data-id="[^"]*" data-ref="([^"]*)"' % cls, dom))


def png_colours(path):
    """How many distinct pixels (up to 64) the PNG has."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0
    pos, idat, w, h, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}.get(ctype, 0)
    if bpp == 0:
        return 0
    raw, stride, prev, seen = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
    for y in range(h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 7):
            seen.add(bytes(line[x:x + bpp]))
        prev = line
        if len(seen) >= 64:
            break
    return len(seen)


def check_expect(rule, doms, fails):
    m = re.match(r"(\d+):([\w.=]+?)=(\d+)$", rule)
    if not m:
        fails.append("bad --expect %r" % rule)
        return
    k, what, n = int(m.group(1)), m.group(2), int(m.group(3))
    dom = doms.get(k, "")
    if what.startswith("case="):
        got = len(re.findall(r"data-case=[\"']%s[\"']" % re.escape(what[5:]), dom))
    elif ".ref=" in what:
        cls, ref = what.split(".ref=")
        got = refs(dom, cls).count(ref)
    else:
        got = count(dom, what)
    if got != n:
        fails.append("step %d: %s: %d, expected %d" % (k, what, got, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("outdir")
    ap.add_argument("--expect", action="append", default=[])
    args = ap.parse_args()
    with open(args.log, errors="replace") as f:
        steps = uvmsnap.read_steps(f.read())
    page = "file://" + os.path.abspath(os.path.join(args.outdir, "index.html"))
    PROFILE.append("--user-data-dir=" + os.path.abspath(os.path.join(args.outdir, ".chromium")))
    fails, doms = [], {}
    if not steps:
        fails.append("no snapshot in %s" % args.log)
    for k, step in enumerate(steps, 1):
        dom = chrome(["--dump-dom", "%s#%d" % (page, k)])
        doms[k] = dom
        if 'data-step="%d"' % k not in dom:
            fails.append("step %d: the page's script did not show it" % k)
        want = expected(step)
        for cls in ("entry", "amap", "anon", "page", "pv"):
            if count(dom, cls) != want[cls]:
                fails.append("step %d: %d boxes of class %s, the snapshot has %d"
                             % (k, count(dom, cls), cls, want[cls]))
        if sorted(refs(dom, "anon"), key=int) != sorted(want["anonrefs"], key=int):
            fails.append("step %d: anon refs %s, the snapshot has %s" % (k, refs(dom, "anon"), want["anonrefs"]))
        if sorted(refs(dom, "amap"), key=int) != sorted(want["amaprefs"], key=int):
            fails.append("step %d: amap refs %s, the snapshot has %s" % (k, refs(dom, "amap"), want["amaprefs"]))
        png = os.path.join(args.outdir, "step-%02d.png" % k)
        if os.path.exists(png):
            os.remove(png)
        chrome(["--screenshot=" + os.path.abspath(png), "--window-size=1280,1000", "%s#%d" % (page, k)])
        if not os.path.exists(png) or os.path.getsize(png) < 1000:
            fails.append("step %d: no screenshot %s" % (k, png))
        elif png_colours(png) < 8:
            fails.append("step %d: screenshot %s is blank" % (k, png))
    for rule in args.expect:
        check_expect(rule, doms, fails)
    for f in fails:
        print("draw-check: " + f)
    print("draw-check: %s: %d steps, %s" % (page, len(steps), "FAILED" if fails else "ok"))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
