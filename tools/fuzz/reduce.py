#!/usr/bin/env python3
"""tools/fuzz/reduce.py - cut a failing fuzz batch down to the calls that matter.

    tools/fuzz/reduce.py SEED CALLS [--skipknown] [--mem 512M] [--timeout 90]

SEED is a batch seed as /bin/fuzz printed it ("fuzz: batch 17 seed 0x...
calls 200": the last such line before a panic), CALLS the batch's size.
The script boots the kernel (build/kernel.elf and build/initrd.cpio, as
`make` left them) with /bin/fuzz as init, replaying that one batch:

    init=/bin/fuzz initexit=1 qemuexit=1 swap=none -- replay=SEED calls=CALLS skip=...

First it replays the whole batch and notes how it fails: the kernel's
"panic:" line, or a hang (the fuzzer's "fuzz: HANG", or no end at all).
Then it delta-debugs (Zeller's ddmin) over the batch's operations: it
leaves out chunks of them with skip= and keeps a smaller set whenever the
same failure still happens.  Each operation draws its random numbers
from (seed, index) alone, so leaving some out does not change the others.
At the end it replays the minimal set with verbose=1 and prints each
call as "nr(args) = result", the panic after the last one, and the
command line that reproduces it.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Makefile's QEMU_BASE: keep in step.
QEMU = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "qemu64", "-smp", "1",
        "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-display", "none", "-serial", "stdio"]


def skip_arg(keep, n):
    """The skip= value that leaves out every index in [0, n) not in keep."""
    ranges, lo = [], None
    for i in range(n + 1):
        out = i < n and i not in keep
        if out and lo is None:
            lo = i
        elif not out and lo is not None:
            ranges.append(str(lo) if lo == i - 1 else "%d-%d" % (lo, i - 1))
            lo = None
    return ",".join(ranges)


class Booter:
    """Boots one replay and says how it ended."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="fuzz-reduce-")
        self.runs = 0

    def iso(self, cmdline):
        tree = os.path.join(self.dir, "iso")
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.join(tree, "boot", "grub"))
        shutil.copy(os.path.join(ROOT, "build", "kernel.elf"), os.path.join(tree, "boot"))
        shutil.copy(os.path.join(ROOT, "build", "initrd.cpio"), os.path.join(tree, "boot"))
        cfg = subprocess.run([os.path.join(ROOT, "tools", "grubcfg.sh"), cmdline],
                             check=True, capture_output=True, text=True).stdout
        with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        out = os.path.join(self.dir, "replay.iso")
        subprocess.run(["grub-mkrescue", "-o", out, tree], check=True,
                       capture_output=True)
        return out

    def boot(self, keep, verbose=False):
        """=> (verdict, console text); verdict is the panic line, 'hang' or None."""
        a = self.args
        words = ["replay=%s" % a.seed, "calls=%d" % a.calls, "timeout=%d" % a.batch_timeout]
        skip = skip_arg(keep, a.calls)
        if skip:
            words.append("skip=" + skip)
        if a.skipknown:
            words.append("skipknown=1")
        if verbose:
            words.append("verbose=1")
        cmdline = "init=/bin/fuzz initexit=1 qemuexit=1 swap=none -- " + " ".join(words)
        iso = self.iso(cmdline)
        self.runs += 1
        try:
            p = subprocess.run(QEMU + ["-m", a.mem, "-cdrom", iso, "-boot", "d"],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=a.timeout)
            text = p.stdout.decode("utf-8", "replace").replace("\r", "")
        except subprocess.TimeoutExpired as e:
            text = (e.stdout or b"").decode("utf-8", "replace").replace("\r", "")
        m = re.search(r"^panic:.*$", text, re.M)
        if m:
            return m.group(0), text
        if "fuzz: HANG" in text or not re.search(r"^fuzz: \d+ calls", text, re.M):
            return "hang", text
        return None, text


def ddmin(items, fails, log):
    """Zeller's ddmin: a 1-minimal subset of items for which fails() holds."""
    n = 2
    while len(items) >= 2:
        size = (len(items) + n - 1) // n
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        reduced = False
        for c in chunks:                        # a chunk alone
            if fails(c):
                items, n, reduced = c, 2, True
                break
        if not reduced:
            for c in chunks:                    # everything but a chunk
                rest = [i for i in items if i not in c]
                if len(chunks) > 2 and fails(rest):
                    items, n, reduced = rest, max(n - 1, 2), True
                    break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
        log("%d operations left" % len(items))
    return items


def last_started(text):
    """The index of the last operation the verbose replay started."""
    found = re.findall(r"^(\d+): \w+$", text, re.M)
    return int(found[-1]) if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seed", help="the batch seed, e.g. 0x204391a6fd59956f")
    ap.add_argument("calls", type=int, help="the batch's size (fuzz's batch=, 200 by default)")
    ap.add_argument("--skipknown", action="store_true", help="pass skipknown=1")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--timeout", type=int, default=90, help="seconds a boot may take")
    ap.add_argument("--batch-timeout", type=int, default=10,
                    help="the fuzzer's own timeout= for the batch's child")
    args = ap.parse_args()
    log = lambda s: print("reduce: " + s, flush=True)

    b = Booter(args)
    want, text = b.boot(set(range(args.calls)), verbose=True)
    if want is None:
        log("the whole batch does not fail: nothing to reduce")
        print(text[-2000:])
        return 1
    log("the batch fails with: %s" % want)
    last = last_started(text)
    items = list(range(args.calls if last is None else last + 1))
    same = lambda keep: b.boot(set(keep))[0] == want
    if last is not None and not same(items):
        items = list(range(args.calls))       # the later ones matter too
    items = ddmin(items, same, log)
    verdict, text = b.boot(set(items), verbose=True)
    log("%d boots; %d operation(s) left: %s" % (b.runs, len(items), items))
    start = text.find("fuzz: batch 0 seed")
    for line in text[start:].splitlines():
        if line.startswith(("fuzz: batch 0", "init:")) or "not implemented" in line:
            continue
        print("  " + line)
        if line.startswith("panic:") or line.startswith("fuzz: HANG"):
            break
    log("rerun: make run CMDLINE='init=/bin/fuzz initexit=1 qemuexit=1 swap=none -- replay=%s "
        "calls=%d skip=%s verbose=1%s'" % (args.seed, args.calls,
                                          skip_arg(set(items), args.calls),
                                          " skipknown=1" if args.skipknown else ""))
    shutil.rmtree(b.dir, ignore_errors=True)
    return 0 if verdict == want else 1


if __name__ == "__main__":
    sys.exit(main())
