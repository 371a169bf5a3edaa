#!/usr/bin/env python3
"""tools/profile.py SOCKET KERNEL_ELF SECONDS SERIAL_LOG [TOP] - make profile's
sampler: where a running guest spends its time, read from outside.

Every ~2 ms it asks QEMU's monitor (a Unix socket) for the vCPU's
registers and files the instruction pointer under the kernel function
that holds it (from `nm -n` of the kernel ELF), or under "(user)" for a
user-space address.  It starts when the guest's console says
"init: starting" (the program under study has begun) and stops after
SECONDS or when QEMU ends, then prints the TOP functions by share:

    profile: 3502 samples of /bin/forkloop over 15.0 s
     28.64%  (user)
      3.54%  pmap_activate
      ...

A sample is one instant, so a share is an estimate: 3,000 samples put a
function's 3% within about +-0.6%.  Under TCG a function's share is its
share of QEMU's work, which is what the cycle figures of make bench
measure too.  Nothing in the guest changes: no counters, no hooks.
"""
import bisect
import collections
import re
import socket
import subprocess
import sys
import time


def kernel_symbols(elf):
    """Sorted (address, name) of the ELF's text symbols."""
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), f[2]))
    return syms


class Monitor:
    """QEMU's human monitor on a Unix socket: a command, its answer."""

    def __init__(self, path, wait_s=120):
        deadline = time.time() + wait_s
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.s.settimeout(10)
        self.cmd("")

    def cmd(self, c):
        self.s.sendall((c + "\n").encode())
        buf = b""
        while not buf.rstrip().endswith(b"(qemu)"):
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("QEMU ended")
            buf += chunk
        return buf.decode(errors="replace")


def wait_for_start(log, timeout_s=300):
    """The program's name once the console says init started it."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            m = re.search(r"init: starting (\S+)", open(log, errors="replace").read())
        except OSError:
            m = None
        if m:
            return m.group(1)
        time.sleep(0.05)
    return None


def main():
    sock, elf, seconds, log = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    top = int(sys.argv[5]) if len(sys.argv) > 5 else 25
    syms = kernel_symbols(elf)
    addrs = [a for a, _ in syms]
    mon = Monitor(sock)
    prog = wait_for_start(log)
    if prog is None:
        print("profile: the guest never said 'init: starting'")
        return 1
    counts = collections.Counter()
    n = 0
    t0 = time.time()
    while time.time() - t0 < seconds:
        try:
            regs = mon.cmd("info registers")
        except (OSError, EOFError):
            break                       # the guest powered off
        m = re.search(r"RIP=([0-9a-f]+)", regs)
        if m is None:
            continue
        rip = int(m.group(1), 16)
        n += 1
        if rip < 0xffff800000000000:
            counts["(user)"] += 1
        else:
            i = bisect.bisect_right(addrs, rip) - 1
            counts[syms[i][1] if i >= 0 else "(unknown)"] += 1
        time.sleep(0.002)
    print(f"profile: {n} samples of {prog} over {time.time() - t0:.1f} s")
    for name, c in counts.most_common(top):
        print(f"{100.0 * c / max(n, 1):7.2f}%  {name}")
    return 0 if n > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
