#!/usr/bin/env python3
"""tools/lab/lab.py - cut, grade and verify the labs (docs/labs.md).

    lab.py list                          the labs of tools/lab/labs.ini
    lab.py skeleton NAME DIR             write a student tree for lab NAME
    lab.py grade NAME --build BUILD      run its tests, print the points
    lab.py verify [--lab NAME] --build BUILD
                                         each lab's skeleton must fail its
                                         tests (and say so), and pass them
                                         with the solution applied back

The Makefile calls it: make lab, make grade, make labtest.  A lab is a
section of tools/lab/labs.ini; its solution sits in the source between
markers, each line a C comment:

    /* LAB cow1b BEGIN
     * STUB (void)anon;
     * STUB return lab_unimplemented("cow1b", __func__);
     */
    ...the reference solution...
    /* LAB cow1b END */

The skeleton replaces everything from BEGIN to END by

    /* LAB cow1b: your code here (LAB.md) */
    (void)anon;
    return lab_unimplemented("cow1b", __func__);

keeping the BEGIN line's indentation (a STUB line's own tabs follow it).
The markers of other labs stay as they are, solutions included.

Python 3, the standard library only.
"""
import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABS_INI = os.path.join('tools', 'lab', 'labs.ini')
HANDOUTS = os.path.join('docs', 'labs.md')

BEGIN_RE = re.compile(r'^(\s*)/\* LAB (\S+) BEGIN\s*$')
STUB_RE = re.compile(r'^\s*\* STUB ?(.*)$')
CLOSE_RE = re.compile(r'^\s*\*/\s*$')
END_RE = re.compile(r'^\s*/\* LAB (\S+) END \*/\s*$')
TAP_RE = re.compile(r'^(not )?ok \d+ - (\S+)(?: # (.*))?$')

# The two boots a lab's tests may need (labs.ini's boot =): make labboot's
# memory and command line.
BOOTS = {
    'main': {'LABMEM': '512M', 'LABCMDLINE': 'swap=none'},
    'swap': {'LABMEM': '64M', 'LABCMDLINE': ''},
}


class LabError(Exception):
    pass


# ----------------------------------------------------------------------
# The lab definitions

def load_labs(root):
    """labs.ini as {name: {title, files, boot, handout, tests: [(test, points)]}}."""
    cp = configparser.ConfigParser(interpolation=None)
    with open(os.path.join(root, LABS_INI)) as f:
        cp.read_file(f)
    labs = {}
    for name in cp.sections():
        sec = cp[name]
        tests = []
        for line in sec['tests'].strip().splitlines():
            test, points = line.split()
            tests.append((test, int(points)))
        boot = sec.get('boot', 'main')
        if boot not in BOOTS:
            raise LabError('%s: lab %s: boot = %s: not one of %s'
                           % (LABS_INI, name, boot, ', '.join(BOOTS)))
        labs[name] = {
            'title': sec['title'],
            'files': sec['files'].split(),
            'boot': boot,
            'handout': sec['handout'],
            'tests': tests,
        }
    return labs


def get_lab(root, name):
    labs = load_labs(root)
    if name not in labs:
        raise LabError('no lab named %r (labs: %s)' % (name, ', '.join(labs)))
    return labs[name]


def handout_text(root, heading):
    """The section '## <heading>...' of docs/labs.md, up to the next '## '."""
    out, inside = [], False
    with open(os.path.join(root, HANDOUTS)) as f:
        for line in f:
            if line.startswith('## '):
                if inside:
                    break
                inside = line[3:].startswith(heading)
            if inside:
                out.append(line)
    if not out:
        raise LabError('%s has no section "## %s"' % (HANDOUTS, heading))
    return ''.join(out)


# ----------------------------------------------------------------------
# Cutting the solution out

def cut(text, lab, path):
    """text with lab's regions replaced by their stubs; (text, regions)."""
    lines = text.split('\n')
    out, regions, i = [], 0, 0
    while i < len(lines):
        m = BEGIN_RE.match(lines[i])
        if not m or m.group(2) != lab:
            if END_RE.match(lines[i]) and END_RE.match(lines[i]).group(1) == lab:
                raise LabError('%s:%d: LAB %s END without BEGIN' % (path, i + 1, lab))
            out.append(lines[i])
            i += 1
            continue
        indent, start = m.group(1), i
        stub = []
        i += 1
        while i < len(lines) and not CLOSE_RE.match(lines[i]):
            s = STUB_RE.match(lines[i])
            if not s:
                raise LabError('%s:%d: a line in LAB %s BEGIN that is not "* STUB ..."'
                               % (path, i + 1, lab))
            stub.append(s.group(1))
            i += 1
        while i < len(lines):
            e = END_RE.match(lines[i])
            if e and e.group(1) == lab:
                break
            if BEGIN_RE.match(lines[i]):
                raise LabError('%s:%d: LAB markers nested in LAB %s (line %d)'
                               % (path, i + 1, lab, start + 1))
            i += 1
        if i == len(lines):
            raise LabError('%s:%d: LAB %s BEGIN without END' % (path, start + 1, lab))
        out.append('%s/* LAB %s: your code here (LAB.md) */' % (indent, lab))
        out.extend(indent + s if s else '' for s in stub)
        regions += 1
        i += 1
    return '\n'.join(out), regions


def tree_files(root):
    """The files of the tree: git's tracked and untracked-not-ignored ones."""
    res = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others',
                          '--exclude-standard'], cwd=root, check=True,
                         stdout=subprocess.PIPE)
    return sorted(set(p for p in res.stdout.decode().split('\0') if p))


def copy_tree(root, dest):
    """Copy the tree's files, keeping their times (so a build directory
    copied along stays up to date for every file the cut leaves alone)."""
    for rel in tree_files(root):
        src = os.path.join(root, rel)
        if not os.path.lexists(src):
            continue        # deleted in the work tree, not yet in git
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)


def skeleton(root, name, dest, quiet=False):
    lab = get_lab(root, name)
    if os.path.exists(dest) and os.listdir(dest):
        raise LabError('%s exists and is not empty' % dest)
    copy_tree(root, dest)
    total = 0
    for rel in lab['files']:
        path = os.path.join(dest, rel)
        with open(path) as f:
            text, n = cut(f.read(), name, rel)
        if n == 0:
            raise LabError('%s: no LAB %s markers (labs.ini names it)' % (rel, name))
        with open(path, 'w') as f:
            f.write(text)
        total += n
    left = marker_files(dest, name)
    if left:
        raise LabError('LAB %s markers in files labs.ini does not name: %s'
                       % (name, ', '.join(left)))
    with open(os.path.join(dest, 'LAB.md'), 'w') as f:
        f.write(handout_text(root, lab['handout']))
    if not quiet:
        print('make lab: %s: %d solution region(s) in %s replaced by stubs; '
              'the handout is %s' % (name, total, ', '.join(lab['files']),
                                     os.path.join(dest, 'LAB.md')))
        print('make lab: build and grade there with: make grade LAB=%s' % name)


def marker_files(dest, name):
    """Files under dest still holding a LAB name BEGIN marker."""
    found = []
    for dirpath, _, files in os.walk(dest):
        for fn in files:
            if not fn.endswith(('.c', '.h', '.asm')):
                continue
            path = os.path.join(dirpath, fn)
            with open(path, errors='replace') as f:
                if any(BEGIN_RE.match(l) and BEGIN_RE.match(l).group(2) == name
                       for l in f):
                    found.append(os.path.relpath(path, dest))
    return found


# ----------------------------------------------------------------------
# Booting the tests

def run_boot(root, build, lab, extra=(), verbose=False):
    """Boot the lab's tests (make labboot); {test: (passed, message)} and
    the console log."""
    tests = [t for t, _ in lab['tests']]
    boot = BOOTS[lab['boot']]
    cmd = ['make', '--no-print-directory', '-C', root, 'labboot', 'BUILD=' + build,
           'LABKTEST=' + ','.join(tests), 'LABMEM=' + boot['LABMEM'],
           'LABCMDLINE=' + boot['LABCMDLINE']] + list(extra)
    logpath = os.path.join(build, 'lab.log')
    if os.path.exists(logpath):
        os.remove(logpath)      # never grade the last run's console
    res = subprocess.run(cmd, stdout=None if verbose else subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    if not os.path.exists(logpath):
        out = res.stdout.decode(errors='replace') if res.stdout else ''
        raise LabError('make labboot wrote no %s:\n%s' % (logpath, out[-3000:]))
    with open(logpath, errors='replace') as f:
        log = f.read()
    results = {}
    for line in log.splitlines():
        m = TAP_RE.match(line.strip())
        if m and m.group(2) in tests:
            results[m.group(2)] = (m.group(1) is None, m.group(3) or '')
    return results, log


def why_stopped(log):
    for line in log.splitlines():
        if line.startswith('panic:'):
            return line
    return None


def grade(root, name, build, verbose=False):
    lab = get_lab(root, name)
    results, log = run_boot(root, build, lab, verbose=verbose)
    got = full = 0
    print('make grade: lab %s - %s' % (name, lab['title']))
    for test, points in lab['tests']:
        passed, msg = results.get(test, (False, 'did not run (see below)'))
        got += points if passed else 0
        full += points
        print('  %3d/%-3d %s %s%s' % (points if passed else 0, points,
                                      'PASS' if passed else 'FAIL', test,
                                      '' if passed else '  # ' + msg))
    stop = why_stopped(log)
    if stop:
        print('  the kernel stopped: %s' % stop)
    for line in sorted(set(l for l in log.splitlines() if l.startswith('LAB '))):
        print('  the console said: %s' % line)
    print('make grade: %s: %d/%d points (console: %s)'
          % (name, got, full, os.path.join(build, 'lab.log')))
    return got == full


# ----------------------------------------------------------------------
# Verification (make labtest, part of make test)

def prepare_build(refbuild, skelbuild):
    """A build directory for a skeleton: the reference's objects (their
    times kept, so only the cut files compile again), its disks."""
    os.makedirs(skelbuild)
    shutil.copytree(os.path.join(refbuild, 'obj'), os.path.join(skelbuild, 'obj'),
                    symlinks=True)
    for img in ('swap.img', 'scratch.img'):
        os.symlink(os.path.join(refbuild, img), os.path.join(skelbuild, img))
    subprocess.run(['cp', '--sparse=always', os.path.join(refbuild, 'disk.img'),
                    os.path.join(skelbuild, 'disk.img')], check=True)


def build_kernel(src, build, what):
    res = subprocess.run(['make', '--no-print-directory', '-C', src, '-j2',
                          'BUILD=' + build, os.path.join(build, 'kernel.elf')],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise LabError('%s does not build (%s):\n%s'
                       % (what, src, res.stdout.decode(errors='replace')[-3000:]))


def verify_one(root, name, refbuild, keep=False):
    lab = get_lab(root, name)
    t0 = time.time()
    refbuild = os.path.abspath(refbuild)
    tmp = tempfile.mkdtemp(prefix='labtest-%s-' % name, dir=refbuild)
    src, sb = os.path.join(tmp, 'src'), os.path.join(tmp, 'build')
    skeleton(root, name, src, quiet=True)
    prepare_build(refbuild, sb)
    initrd = ['LABINITRD=' + os.path.join(refbuild, 'initrd.cpio')]
    build_kernel(src, sb, 'lab %s: the skeleton' % name)
    skel, log = run_boot(src, sb, lab, initrd)
    passed = [t for t, _ in lab['tests'] if skel.get(t, (False,))[0]]
    if passed:
        raise LabError('lab %s: the skeleton PASSES %s: that test does not check '
                       'the lab (%s/lab.log)' % (name, ', '.join(passed), sb))
    stop = why_stopped(log)
    if stop:
        raise LabError('lab %s: the skeleton panicked instead of failing its tests '
                       'cleanly: %s (%s/lab.log)' % (name, stop, sb))
    if not re.search(r'^LAB %s: \S+\(\) is not written yet' % re.escape(name), log, re.M):
        raise LabError('lab %s: the skeleton failed without saying "LAB %s: ..." '
                       '(%s/lab.log)' % (name, name, sb))
    # The solution applied back: the skeleton with this tree's files.
    for rel in lab['files']:
        shutil.copyfile(os.path.join(root, rel), os.path.join(src, rel))
    build_kernel(src, sb, 'lab %s: the skeleton with the solution' % name)
    ref, _ = run_boot(src, sb, lab, initrd)
    failed = [t for t, _ in lab['tests'] if not ref.get(t, (False,))[0]]
    if failed:
        raise LabError('lab %s: with the solution applied back, the tree FAILS %s '
                       '(%s/lab.log)' % (name, ', '.join(failed), sb))
    if not keep:
        shutil.rmtree(tmp)
    n = len(lab['tests'])
    print('make labtest: lab %s: the skeleton builds, fails %d/%d tests and says so; '
          'with the solution applied back it passes %d/%d (%.0f s)'
          % (name, n, n, n, n, time.time() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('list')
    p = sub.add_parser('skeleton')
    p.add_argument('name')
    p.add_argument('dest')
    p = sub.add_parser('grade')
    p.add_argument('name')
    p.add_argument('--build', default='build')
    p.add_argument('-v', '--verbose', action='store_true')
    p = sub.add_parser('verify')
    p.add_argument('--lab', action='append')
    p.add_argument('--build', default='build')
    p.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    try:
        if a.cmd == 'list':
            for name, lab in load_labs(ROOT).items():
                print('%-10s %s (%d tests, %d points)' % (
                    name, lab['title'], len(lab['tests']), sum(p for _, p in lab['tests'])))
        elif a.cmd == 'skeleton':
            skeleton(ROOT, a.name, a.dest)
        elif a.cmd == 'grade':
            return 0 if grade(ROOT, a.name, a.build, a.verbose) else 1
        elif a.cmd == 'verify':
            for name in a.lab or list(load_labs(ROOT)):
                verify_one(ROOT, name, a.build, a.keep)
    except LabError as e:
        print('lab: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
