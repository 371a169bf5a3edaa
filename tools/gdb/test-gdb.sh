#!/bin/bash
# tools/gdb/test-gdb.sh ISO OUTDIR - make test's debugger check.
#
# Called by the Makefile's test target (one extra boot, a few seconds) as
#
#   QEMU="qemu-system-x86_64 FLAGS DISKS" tools/gdb/test-gdb.sh \
#       build/gdbtest.iso build
#
# with an ISO whose command line runs forkdemo from the ext2 disk (vdc,
# mounted on /mnt at boot) as init and leaves QEMU when it exits
# (init=/mnt/usr/local/bin/forkdemo initexit=1).  It starts QEMU halted
# with a gdb stub on a free port, runs tools/gdb/test-gdb.gdb in gdb's
# batch mode (stop in uvm_fault at the child's copy-on-write write, show
# map, amap, anon and page tables, finish the fault, show them again),
# and checks what gdb printed:
#
#   before the fault  the page's entry is needs-copy, its amap shared
#                     (ref 2), the anon's ref 1, no PTE in the child
#   after the fault   the handler returned 0, the entry is no longer
#                     needs-copy, a private amap (ref 1) and anon (ref 1),
#                     the PTE writable (RW), the trace says case 1B
#   the C printers    uvm_map_print and amap_print, called from gdb,
#                     print exactly what uvm map and uvm amap print
#   the program file  uvm map names the text entry's file, /mnt/usr/local/bin/forkdemo
#                     with the inode number debugfs finds in the image;
#                     uvm vnode shows that vnode (VREG, referenced, on
#                     /mnt, ext2) and its object, a vnode-pager
#                     object of the file's size with clean resident
#                     pages; uvm object and uvm_obj_print agree
#   the parent        still needs-copy on the old amap, now ref 1
#   every command     ran: gdb stops a batch script at the first error,
#                     so the last marker ("=== END") must be there
#   forkdemo          ran to its end after being debugged (status 0)
#   its main          uvm break-main stopped in forkdemo's main (pid 1)
#                     with its source line (user programs have -g), and
#                     next went on to a later line
#   NULL              uvm amap/anon/object/vnode 0 say "no amap" ...,
#                     no Python traceback
#
# gdb's output goes to OUTDIR/gdbtest.out, the console to
# OUTDIR/gdbtest.log.  QEMU is always killed on the way out.  Exits 0
# when every check passes.
set -u
iso=$1 outdir=$2
out=$outdir/gdbtest.out con=$outdir/gdbtest.log
# shellcheck source=tools/gdb/stub.sh
. tools/gdb/stub.sh
trap stub_stop EXIT
fail() { echo "make test: gdb check FAILED: $*  (gdb output: $out, console: $con)"; exit 1; }

start=$SECONDS
stub_start "$iso" "$con" || fail "could not start QEMU with a gdb stub"

# UVMKERN_BUILD: uvm.py reads this build's constants and user programs.
UVMKERN_BUILD=$outdir timeout 60 gdb -nx -q -batch -ex "set \$port = $port" \
	-ex "python TEST_CONSOLE = '$con'" -x tools/gdb/test-gdb.gdb \
	"$outdir/kernel.elf" > "$out" 2>&1
# QEMU leaves by itself when forkdemo ends; give it a moment.
for _ in $(seq 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done

# The lines between "=== $1" and the next marker.
section() { awk -v s="=== $1" '$0 == s { on = 1; next } /^=== / { on = 0 } on' "$out"; }

grep -q '^=== END$' "$out" ||
	fail "gdb stopped early (a command failed): $(grep -m1 -iE 'error|exception|^Python' "$out")"
grep -qE 'Python Exception|Error occurred in Python' "$out" &&
	fail "a Python error: $(grep -m1 -E 'Python Exception|Error occurred' "$out")"
page=$(sed -n 's/^page at 0x//p' "$out")
[ -n "$page" ] || fail "no page address"
entry_re="^  0*$page-"

# want TEXT RE MSG: fail with MSG unless a line of TEXT matches RE (an
# extended regex); unwant: fail if one does; want_in: the same as want on
# a file; entry TEXT: TEXT's lines for the page's map entry.
want() { printf '%s\n' "$1" | grep -qE -- "$2" || fail "$3"; }
unwant() { ! printf '%s\n' "$1" | grep -qE -- "$2" || fail "$3"; }
want_in() { grep -qE -- "$2" "$1" || fail "$3"; }
entry() { printf '%s\n' "$1" | grep -E -- "$entry_re"; }

# uvm break-main: stopped in forkdemo's main, in the program's source,
# and "next" went on to a later line of it.
main=$(section MAIN)
want_in "$out" '^uvm break-main: pid 1 \(/mnt/usr/local/bin/forkdemo\) is at main$' \
	"uvm break-main forkdemo did not stop in pid 1's main"
want "$main" '^#0  main \(\) at user/forkdemo\.c:[0-9]+$' \
	"uvm break-main: the frame is not main in user/forkdemo.c (no -g?)"
want "$main" '^[0-9]+[[:space:]]+char \*p = mmap\(' \
	"uvm break-main: main's first source line is not shown"
lines=$(printf '%s\n' "$main" | sed -n 's/^#0  main () at user\/forkdemo\.c:\([0-9]*\)$/\1/p')
first=$(echo "$lines" | head -n 1) second=$(echo "$lines" | sed -n 2p)
if [ -z "$first" ] || [ -z "$second" ] || [ "$second" -le "$first" ]; then
	fail "next in forkdemo's main did not go on to a later line (lines: ${first:-none}, ${second:-none})"
fi
# NULL given to the commands: words, not a Python traceback.
null=$(section NULL)
for w in amap anon object vnode; do
	want "$null" "^no $w \(NULL" "uvm $w 0 does not say \"no $w\""
done

before=$(section BEFORE) after=$(section AFTER) parent=$(section PARENT)
file=$(section FILE)
want_in "$out" "uvm break-fault: pid 2, write fault at va 0x$page" \
	"did not stop at the child's write fault on 0x$page"
want "$before" '^ +[0-9]+ pagedaemon +kernel +sleeping on pgdaemon$' \
	"uvm threads did not show the page daemon asleep"
want "$before" '^        uvm_pdaemon_main\+0x[0-9a-f]+ uvm/uvm_pdaemon.c:[0-9]+$' \
	"uvm threads bt did not show where the page daemon sleeps"
want "$(entry "$before")" 'cow needs-copy' \
	"before the fault: the child's entry for 0x$page is not cow needs-copy"
want "$before" '^amap 0x[0-9a-f]+: ref 2 ' \
	"before the fault: the amap is not shared (ref 2)"
want "$before" '^anon 0x[0-9a-f]+: ref 1 page 0x[1-9a-f]' \
	"before the fault: no anon with ref 1 and a page"
want "$before" "va 0x$page is not mapped" \
	"before the fault: the child already maps 0x$page"
# shellcheck disable=SC2016  # $1 is gdb's first value history entry
want "$before" '^\$1 = vm_map_entry .*needs-copy' \
	"the vm_map_entry pretty-printer did not print the entry"

want "$after" 'Value returned is .* = 0$' \
	"after the fault: uvm_fault did not return 0"
unwant "$(entry "$after")" 'needs-copy' \
	"after the fault: the child's entry is still needs-copy"
want "$(entry "$after")" ' cow ' \
	"after the fault: the child's entry is no longer cow"
want "$after" '^amap 0x[0-9a-f]+: ref 1 ' \
	"after the fault: the child's amap is not its own (ref 1)"
want "$after" '^anon 0x[0-9a-f]+: ref 1 page 0x[1-9a-f]' \
	"after the fault: the child's anon is not ref 1 with a page"
want "$after" '^  PT  \[...\] = [0-9a-f]+  pa 0x[0-9a-f]+ RW U ' \
	"after the fault: the PTE is not present, writable and user"
want "$after" "^ *pmap 0x[0-9a-f]+ va 0x$page: pa 0x[0-9a-f]+ RW " \
	"after the fault: the page's PV list lacks the child's writable mapping"
want "$after" "^fault #[0-9]+ pid 2 va 0x$page write 1B .* ok " \
	"after the fault: the fault trace does not show case 1B"

# The commands and the kernel's printers (called from gdb, writing to the
# console) must agree line for line on the map and the amap.
gmap=$(echo "$after" | grep -E '^(map 0x|  [0-9a-f]{12}-[0-9a-f]{12} )')
cmap=$(tr -d '\r' < "$con" | grep -A"$(($(echo "$gmap" | wc -l) - 1))" '^map 0x')
[ "$gmap" = "$cmap" ] ||
	fail "uvm map and uvm_map_print disagree: $(diff <(echo "$gmap") <(echo "$cmap"))"
gamap=$(echo "$after" | sed -n '/^amap 0x/,/^  ppref:/p')
camap=$(tr -d '\r' < "$con" | sed -n '/^amap 0x/,/^  ppref:/p')
[ "$gamap" = "$camap" ] ||
	fail "uvm amap and amap_print disagree: $(diff <(echo "$gamap") <(echo "$camap"))"

# The program's file: what the image says about /usr/local/bin/forkdemo...
img=$outdir/disk.img
stat=$(debugfs -R 'stat /usr/local/bin/forkdemo' "$img" 2>/dev/null)
ino=$(printf '%s\n' "$stat" | sed -n 's/^Inode: *\([0-9][0-9]*\).*/\1/p')
size=$(printf '%s\n' "$stat" | sed -n 's/.*Size: *\([0-9][0-9]*\).*/\1/p' | head -1)
[ -n "$ino" ] && [ -n "$size" ] || fail "debugfs found no /usr/local/bin/forkdemo in $img"
# ...is what the commands show.
want "$after" "^      -> vnode object 0x[0-9a-f]+, file /mnt/usr/local/bin/forkdemo \(ext2 ino $ino, vnode 0x[0-9a-f]+\)$" \
	"uvm map does not name the text entry's file /mnt/usr/local/bin/forkdemo (ext2 ino $ino)"
want "$file" "^vnode 0x[0-9a-f]+: VREG ino $ino refs [1-9][0-9]* mount /mnt \(ext2\) v_obj 0x[0-9a-f]+$" \
	"uvm vnode: not forkdemo's vnode (VREG, ino $ino, referenced, on /mnt, ext2)"
want "$file" '^  name /mnt/usr/local/bin/forkdemo$' "uvm vnode: the name is not /mnt/usr/local/bin/forkdemo"
want "$file" '^uvm_object 0x[0-9a-f]+ \(vnode\): refs [1-9][0-9]*, [1-9][0-9]* resident pages$' \
	"uvm object: not a referenced vnode-pager object with resident pages"
want "$file" "^  uvn: size $(printf '%#x' "$size"), pending error 0, disk vdc$" \
	"uvm object: the vnode pager's size is not the file's ($size bytes)"
want "$file" '^  off +(0|0x[0-9a-f]+)  page 0x[0-9a-f]+ clean  -> clean$' \
	"uvm object: no clean resident page of the program text"
unwant "$file" '  -> dirty' "uvm object: a page of the program text is dirty"
gobj=$(echo "$file" | grep -E '^(uvm_object 0x|  off )' | sed 's/  -> .*//')
cobj=$(tr -d '\r' < "$con" | awk '/^uvm_object 0x/ { on = 1; print; next } on && /^  off / { print; next } { on = 0 }')
[ "$gobj" = "$cobj" ] ||
	fail "uvm object and uvm_obj_print disagree: $(diff <(echo "$gobj") <(echo "$cobj"))"

want "$(entry "$parent")" 'cow needs-copy' \
	"the parent's entry for 0x$page is not needs-copy any more"
want "$parent" '^amap 0x[0-9a-f]+: ref 1 ' \
	"the parent's amap is not ref 1 after the child left it"
want_in "$out" '^main in section .text of .*forkdemo' \
	"uvm user-symbols did not load forkdemo's symbols"
want_in "$con" 'init: /mnt/usr/local/bin/forkdemo exited with status 0' \
	"forkdemo did not run to its end after the debugging"

echo "make test: gdb check passed: stopped in forkdemo's main with its source and stepped a line, NULL in words; stopped in the child's copy-on-write fault on 0x$page, map/amap/anon/pte before and after agree, forkdemo's ext2 vnode (ino $ino) and its pages shown ($((SECONDS - start)) s)"
