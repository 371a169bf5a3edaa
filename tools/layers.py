#!/usr/bin/env python3
# tools/layers.py - the kernel's folder-to-folder include graph, measured.
#
#   python3 tools/layers.py            the summary: one line per pair of
#                                      folders, with how many includes
#   python3 tools/layers.py -v         also every include that makes an
#                                      upward or sideways arrow
#                                      (file -> header)
#   python3 tools/layers.py --up       only the upward arrows, verbose
#
# It reads the `#include "..."` lines (and NASM's `%include "..."`) of the
# kernel's own sources - boot/, kern/, pmap/, uvm/, dev/, not tests/,
# user/ or tools/ - and counts, for each folder, which other folders it
# includes from.  Every include names a path from the top of the tree
# (the Makefile builds with -I.), so the folder of a header is the
# directory part of that path.
#
# The layers, bottom to top, are the ones docs/design.md draws.  An arrow
# from a folder to one in a lower layer (or within its layer's own
# folder) is "down"; to another folder of the same layer, "side"; to a
# higher layer, "up".  docs/design.md names and explains every upward
# arrow this prints; a new one is either a mistake or a paragraph there.
#
# Exit status: 0 always (this is a measurement, not a check).

import os
import re
import sys
from collections import defaultdict

# Layer of each folder, bottom (0) to top.  kern/kmain.c is the only
# source directly in kern/, so "kern" stands for it.
LAYERS = [
    ("kern/lib",),
    ("boot", "kern/arch", "kern/core"),
    ("dev",),
    ("pmap",),
    ("uvm",),
    ("kern/proc", "kern/fs", "kern/vfs", "kern/sys"),
    ("kern",),
]
RANK = {d: i for i, ds in enumerate(LAYERS) for d in ds}
SOURCE_DIRS = [d for ds in LAYERS for d in ds]
INCLUDE = re.compile(r'^\s*[#%]\s*include\s+"([^"]+)"')


def sources(top):
    for d in SOURCE_DIRS:
        path = os.path.join(top, d)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h", ".asm", ".inc")):
                yield d, os.path.join(d, name)


def graph(top):
    """{(from_dir, to_dir): [(file, header), ...]}"""
    edges = defaultdict(list)
    for d, f in sources(top):
        with open(os.path.join(top, f), encoding="utf-8") as fh:
            for line in fh:
                m = INCLUDE.match(line)
                if not m:
                    continue
                hdr = m.group(1)
                to = os.path.dirname(hdr) or "."
                if to != d:
                    edges[(d, to)].append((f, hdr))
    return edges


def direction(a, b):
    if b not in RANK:
        return "outside"
    if RANK[b] < RANK[a]:
        return "down"
    if RANK[b] == RANK[a]:
        return "side"
    return "up"


def main(argv):
    verbose = "-v" in argv
    only_up = "--up" in argv
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    edges = graph(top)
    print("layers, bottom to top:")
    for i, ds in enumerate(LAYERS):
        print("  %d  %s" % (i, ", ".join(ds)))
    print()
    for a in SOURCE_DIRS:
        outs = sorted((b for (x, b) in edges if x == a),
                      key=lambda b: (RANK.get(b, 99), b))
        for b in outs:
            dirn = direction(a, b)
            if only_up and dirn != "up":
                continue
            incs = edges[(a, b)]
            files = sorted({f for f, _ in incs})
            print("%-10s -> %-10s %-5s %3d include(s) in %d file(s)"
                  % (a, b, dirn, len(incs), len(files)))
            if (only_up and dirn == "up") or (verbose and dirn != "down"):
                for f, h in sorted(incs):
                    print("      %-28s %s" % (f, h))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
