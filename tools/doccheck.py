#!/usr/bin/env python3
"""tools/doccheck.py [FILE.md ...] - the book's citations still exist.

The concept chapters (docs/book/*.md) point at the code: every
mechanism to its file and function, every claim to the test that proves
it, every figure to the gdb command that shows it; the file map
(docs/vm.md) names the key functions of each file.  Those are the
documents checked when none are named.  Code moves
and tests get renamed; this check makes sure the book moves with them
instead of rotting silently.  `make test` runs it first (DOCCHECK=0
skips it); it reads only text files, so it takes well under a second.

What it checks, in every `backquoted` span (a span may hold several
words, e.g. `make test KTEST='fault/*'`; each word is looked at):

  `uvm/uvm_amap.c:amap_copy`   the file exists and defines the name at the
                               start of a line: a function in the house
                               style (return type on the line above), a
                               one-line definition, a macro, a struct, a
                               global, or a Python def/class
  `uvm/uvm_fault.c`            a path into the tree (its first folder is
                               one of the project's) exists
  `fault/case_1b_copies_a_shared_anon_on_write`
                               a kernel test KTEST(fault, case_1b_...)
                               under tests/, or a user test UTEST(name)
                               in tests/user/SUITE.c; a glob (`fault/*`)
                               must match at least one
  `uvm map pid 1`              "uvm map" is a command tools/gdb/uvm.py
                               registers; `$uvm_entry(...)` a function

In the gdb scripts that made the figures (docs/book/gdb/*.gdb), every
`uvm` command exists and every `break FILE:LINE` names an existing line.
And in a table row of docs/vm.md (the file map), | concept | `file.c` |
`name`, `name` |, each name must be defined in one of the row's files.

Worked example: a chapter says `uvm/uvm_map.c:uvm_map_findspace` and
`uvm_map/findspace_visits_are_logarithmic`.  Rename the function to
uvm_map_find_space and doccheck prints

  docs/book/1-address-spaces.md:176: uvm/uvm_map.c defines no uvm_map_findspace

and exits 1, which fails make test.  Exit status 0 when everything
cited exists.
"""
import fnmatch
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE_DIRS = {"boot", "dev", "disk", "docs", "kern", "pmap", "rootfs", "tests",
             "tools", "user", "uvm"}
SOURCE_EXT = (".c", ".h", ".py", ".sh", ".asm", ".gdb", ".md", ".ld")
SPAN = re.compile(r"`([^`\n]+)`")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
FILE_FUNC = re.compile(r"^([A-Za-z0-9_./-]+\.[a-z]+):(" + IDENT + r")$")
TEST = re.compile(r"^([a-z][a-z0-9_]*)/([a-z0-9_*@?]+)$")
GDBFN = re.compile(r"\$(uvm_[a-z_]+)\(")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def test_names():
    """Every kernel test suite/name and user test prog/name in the tree."""
    names = set()
    kt = re.compile(r"KTEST(?:_OWN_BOOT|_MANUAL_ONLY|_DEFINE)?\(\s*(" + IDENT +
                    r")\s*,\s*(" + IDENT + r")")
    for path in glob.glob(os.path.join(ROOT, "tests", "**", "*.c"), recursive=True):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for suite, name in kt.findall(text):
            names.add(suite + "/" + name)
        if os.path.dirname(path) == os.path.join(ROOT, "tests", "user"):
            prog = os.path.basename(path)[:-2]
            for name in re.findall(r"^UTEST\((" + IDENT + r")\)", text, re.M):
                names.add(prog + "/" + name)
    return names


def defines(text, name, py):
    """Does a source text define name at the start of a line?"""
    n = re.escape(name)
    pats = [r"^" + n + r"\s*\(",                               # house style
            r"^[A-Za-z_][^\n;]*[\s*]" + n + r"\s*\([^;]*$",       # one line
            r"^#\s*define\s+" + n + r"\b",
            r"^(?:typedef\s+)?(?:struct|union|enum)\s+" + n + r"\s*\{",
            r"^[A-Za-z_][^\n(]*[\s*]" + n + r"\s*(?:\[[^\]]*\])?\s*[;=]"]
    if py:
        pats = [r"^\s*(?:def|class)\s+" + n + r"\b", r"^" + n + r"\s*="]
    return any(re.search(p, text, re.M) for p in pats)


def gdb_commands():
    text = read("tools/gdb/uvm.py")
    return (set(re.findall(r'__init__\("(uvm[ a-z-]*)"', text)),
            set(re.findall(r'__init__\("(uvm_[a-z_]+)"\)', text)))


class Checker:
    def __init__(self):
        self.tests = test_names()
        self.cmds, self.funcs = gdb_commands()
        self.errors = []
        self.counts = {"file:function": 0, "path": 0, "test": 0, "gdb": 0}
        self.cache = {}

    def fail(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def source(self, path):
        if path not in self.cache:
            self.cache[path] = read(path) if os.path.isfile(os.path.join(ROOT, path)) else None
        return self.cache[path]

    def in_tree(self, path):
        return path.split("/", 1)[0] in TREE_DIRS

    def word(self, where, w):
        w = w.strip("'\"()[],;")
        if "=" in w:
            w = w.rsplit("=", 1)[1].strip("'\"")
        if not w or w.startswith("/"):
            return
        m = FILE_FUNC.match(w)
        if m and self.in_tree(m.group(1)):
            self.counts["file:function"] += 1
            text = self.source(m.group(1))
            if text is None:
                self.fail(where, "no file %s" % m.group(1))
            elif not defines(text, m.group(2), m.group(1).endswith(".py")):
                self.fail(where, "%s defines no %s" % (m.group(1), m.group(2)))
            return
        if "/" in w and self.in_tree(w) and (w.endswith(SOURCE_EXT) or
                                             os.path.exists(os.path.join(ROOT, w))):
            self.counts["path"] += 1
            if not glob.glob(os.path.join(ROOT, w)):
                self.fail(where, "no such path %s" % w)
            return
        m = TEST.match(w)
        if m and not os.path.exists(os.path.join(ROOT, w)) and not self.in_tree(w):
            self.counts["test"] += 1
            if not any(fnmatch.fnmatchcase(t, w) for t in self.tests):
                self.fail(where, "no test %s" % w)

    def span(self, where, s):
        words = s.split()
        if len(words) >= 2 and words[0] == "uvm":
            self.counts["gdb"] += 1
            if "uvm " + words[1] not in self.cmds:
                self.fail(where, "no gdb command 'uvm %s' in tools/gdb/uvm.py" % words[1])
        for fn in GDBFN.findall(s):
            self.counts["gdb"] += 1
            if fn not in self.funcs:
                self.fail(where, "no gdb function $%s in tools/gdb/uvm.py" % fn)
        for w in words:
            self.word(where, w)

    def table_row(self, where, line):
        """A file-map row, | concept | `a.c`, `b.c` | `f`, `g` |: each
        name must be defined in one of the row's files."""
        cells = [SPAN.findall(c) for c in line.strip().strip("|").split("|")]
        files = [w for c in cells for w in c
                 if "/" in w and w.endswith((".c", ".h")) and self.in_tree(w)]
        names = [w for c in cells for w in c if re.fullmatch(IDENT, w)]
        if not files or not names:
            return
        texts = [t for t in (self.source(f) for f in files) if t is not None]
        for n in names:
            self.counts["file:function"] += 1
            if not any(defines(t, n, False) for t in texts):
                self.fail(where, "none of %s defines %s" % (", ".join(files), n))

    def doc(self, path):
        fence = False
        for i, line in enumerate(read(path).splitlines(), 1):
            if line.startswith("```"):
                fence = not fence
                continue
            if fence:           # figures: real output, not citations
                continue
            if line.startswith("|"):
                self.table_row("%s:%d" % (path, i), line)
            for s in SPAN.findall(line):
                self.span("%s:%d" % (path, i), s)


def gdb_script(c, path):
    """A figure's gdb script (docs/book/gdb/*.gdb): its uvm commands exist,
    its `break FILE:LINE` points into an existing file that long."""
    for i, line in enumerate(read(path).splitlines(), 1):
        where = "%s:%d" % (path, i)
        words = line.split()
        if len(words) >= 2 and words[0] == "uvm":
            c.counts["gdb"] += 1
            if "uvm " + words[1] not in c.cmds:
                c.fail(where, "no gdb command 'uvm %s' in tools/gdb/uvm.py" % words[1])
        m = re.match(r"^break\s+([\w./-]+\.c):(\d+)$", line)
        if m:
            c.counts["path"] += 1
            text = c.source(m.group(1))
            if text is None or len(text.splitlines()) < int(m.group(2)):
                c.fail(where, "no line %s in %s" % (m.group(2), m.group(1)))


def main(argv):
    os.chdir(ROOT)
    docs = argv[1:] or sorted(glob.glob("docs/book/*.md")) + ["docs/vm.md"]
    if not docs:
        print("doccheck: no docs/book/*.md")
        return 1
    c = Checker()
    for d in docs:
        c.doc(d)
    if not argv[1:]:
        for g in sorted(glob.glob("docs/book/gdb/*.gdb")):
            gdb_script(c, g)
    for e in c.errors:
        print(e)
    n = c.counts
    print("doccheck: %d files; %d file:function, %d paths, %d tests, %d gdb commands cited; %s" % (
        len(docs), n["file:function"], n["path"], n["test"], n["gdb"],
        "%d missing" % len(c.errors) if c.errors else "all present"))
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
