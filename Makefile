# Makefile - build, boot, test and debug the kernel.
#
#   make            build build/kernel.elf (debug symbols, frame pointers)
#   make iso        a GRUB rescue image, build/kernel.iso
#   make run        boot that image in QEMU, console on this terminal, with
#                   the ext2 disk build/disk.img as / (Debian's busybox:
#                   init, then an ash login shell; leave QEMU with `exit`
#                   or `poweroff` - status 0 - or Ctrl-A X);
#                   PROG=binary ARGS="..." runs your own static program
#                   from the initrd instead and exits with its status
#   make test       boot with the self-tests, exit non-zero on any failure;
#                   make test KTEST=glob runs only those kernel tests (one
#                   boot; the other parts only when named: GDBTEST=1 ...)
#   make check      the quick loop: make test's first boot alone (KTEST,
#                   default all) on the disks as they are; status 0 only
#                   when every selected test passed
#   make test-failalloc  only make test's allocation-failure boot
#   make test-smp   only make test's boot with two CPUs (the smp suite)
#   make qemu-gdb   start QEMU halted, waiting for gdb on a free port,
#                   written to build/gdb-port while it runs; its status
#                   is make run's (0 after a power-off)
#   make gdb        attach gdb to that port (starting QEMU itself, on a
#                   free port, if none is waiting); in gdb, help uvm
#   make bench      the VM microbenchmark (tests/bench/vmbench.c) on this
#                   kernel (also with faultahead=0, the fault handler's
#                   speed-ups off) and on Debian's Linux, side by side: a table,
#                   build/bench/results.txt and build/bench/ratios.png
#                   (SMP=2, SMP=4: both kernels get -smp N, and the
#                   scaling table build/bench/scaling.txt says how zero
#                   fill and mmap+munmap scale with 1, 2, 4 workers)
#   make stress     tests/user/vmstress.c as init: THREADS threads racing
#                   on one address space for SECONDS seconds from SEED, in
#                   STRESSMEM (64M) with swap and PRESSURE MiB of paging
#                   load; prints ops/s (docs/performance.md, "make stress")
#   make user       the user programs (static musl): build/user/init and
#                   build/user/tests/* with their data files
#   make test-linux boot Debian's Linux (docs/design.md) with the user tests in
#                   an initramfs, exit non-zero on any failure
#   make test-trinity  only make test's trinity boot
#   make fuzz       a fuzzing campaign: SEED=N (default random) CALLS=N
#                   (default 1000000) random system calls in batches,
#                   then the leak check; docs/hardening.md
#   make draw PROG=forkdemo  boot that program (user/NAME.c) as init with
#                   uvmsnap=1; each uvmsnap() call it makes is a step of
#                   build/draw/NAME/index.html (SVG figures of its map,
#                   amaps, anons, pages, objects; docs/drawings.md)
#   make figures    docs/figures/*.svg from make draw of the demos
#   make test-draw  only make test's check of the drawings in Chromium
#   make test-gdb   only make test's debugger check (gdb in a copy-on-write fault)
#   make rootfs-pin rootfs/packages takes the versions the last build
#                   fetched (when Debian's archive moved on)
#   make lab LAB=name  a student tree for that lab (docs/labs.md);
#                   make grade LAB=name grades it, make labtest checks
#                   every lab's skeleton and solution (LABTEST=0: make
#                   test skips that)
#   make clean      remove build/ (test-linux's kernel cache stays)
#
# Variables you can set on the command line:
#   KTEST=glob      which kernel tests make test and make check run
#                   (default all); given on make test's command line, only
#                   they run: each knob below that adds a part of make test
#                   (HARNESSTEST, EXT2BOOTTEST, SWAPKTEST, SMPKTEST,
#                   FAILTEST, STRESSNGTEST, FUZZTEST, TRINITYTEST,
#                   SHELLTEST, BUSYBOXTEST, GDBTEST) is then off unless
#                   named too
#   HARNESSTEST=0   skip make test's harness self-checks: boots that must
#                   fail, panic, triple-fault, hang or stop early, the
#                   exit status of make check, make run CMDLINE='ktest=...'
#                   and make qemu-gdb (tools/test-fastpath.sh), the
#                   README's option table (tools/check-options.sh)
#   GDBPORT=N       the port of make qemu-gdb's gdb stub (default: a free
#                   one) and the one make gdb attaches to (default: the
#                   one in build/gdb-port)
#   SEED=N          seed for randomized tests (default: random, printed)
#   MEM=512M        guest memory
#   SMP=1           CPUs QEMU gives the guest (-smp N; above 1 with
#                   multi-threaded TCG, -accel tcg,thread=multi): the
#                   kernel starts them all and parks the others
#                   (kern/core/smp.c); make run SMP=4 lists them at boot
#   SMPKTEST='smp/*,...'           what make test's extra boot with two CPUs runs
#                                  (default: the suites written for several CPUs
#                                  and the thread programs; '*' runs them all)
#                   (none skips that boot)
#   SWAP=256M       size of the swap disk build/swap.img (vda; the kernel
#                   swaps on it unless CMDLINE has swap=none, as make
#                   test's first boot does: its suites make swap areas
#                   of their own)
#   SWAPMEM=64M     guest memory of make test's second boot, which runs
#                   the swap suites (SWAPKTEST, default 'swap/*,pdaemon/*';
#                   none skips that boot)
#   FAILTEST=0      skip make test's allocation-failure boot: the user
#                   test programs with page, pool and kmem allocations
#                   failing at random (tests/uvm/failalloc_test.c);
#                   FAILALLOC=RATE:SEED (default 10:1, per mille),
#                   FAILPROG=globs (which programs, default all)
#   STRESSNGTEST=0  skip make test's stress-ng boot: Debian's stress-ng
#                   from the ext2 disk, one stressor at a time with
#                   --verify, then the leak check (tests/kern/sys/
#                   stressng_test.c, docs/debian.md); its --vm with more
#                   bytes than RAM runs in the swap boot (stressngswap/*)
#   FUZZTEST=0      skip make test's fuzz boot: the system-call fuzzer
#                   (tools/fuzz/fuzz.c) with a fixed seed, then the
#                   leak check (tests/kern/sys/fuzz_test.c)
#   FUZZSKIPKNOWN=0 what the fuzz boot and make fuzz leave out, by name:
#                   wired (mlock, MAP_LOCKED), share (minherit share),
#                   dontneed (MADV_DONTNEED); 0, the default, leaves
#                   nothing out (the panics they found are fixed)
#   TRINITYTEST=0   skip make test's trinity boot: Debian's system-call
#                   fuzzer, unmodified, from the ext2 disk, for
#                   TRINITYCALLS calls (default 10000) from seed
#                   TRINITYSEED (default 42), then the leak check
#                   (tests/kern/sys/trinity_test.c, docs/debian.md); and
#                   test-linux's run of the same trinity command on Linux
#   SHELLTEST=0     skip make test's boot that types hello, a session
#                   with files (echo >, cat, ls, mkdir, mv, rm) and exit
#                   at make run's shell (tools/test-shell-exit.sh)
#   BUSYBOXTEST=0   skip make test's boots of make run's image (the ext2
#                   root from Debian packages) that type at busybox's
#                   shell: the README's first minutes (ls /bin, cat
#                   /proc/self/maps, ps, free, a demo, a job, exit;
#                   tools/test-busybox.sh), then its terminal (line
#                   editing, Ctrl-C, job control, vi, exit;
#                   tools/test-busybox-tty.sh)
#   DRAWTEST=0      skip make test's drawings check: make draw of forkdemo
#                   and mmapdemo, each step opened in headless Chromium
#                   (installed with apt-get if missing), its boxes
#                   counted against the snapshots, a screenshot taken
#                   (tools/draw/check.py, docs/drawings.md)
#   GDBTEST=0       skip make test's last boot, which checks the gdb
#                   commands against a copy-on-write fault (needs gdb)
#   EXT2BOOTTEST=0  skip make test's two boots that write a file to the
#                   ext2 disk (vdc) and read it back after a reboot
#   CMDLINE="..."   extra kernel command line for run and test
#   ROOT=initrd     make run with the initrd as / (the project's /bin/init
#                   and shell, the test programs in /tests; the disk on
#                   /mnt) instead of the ext2 disk (ROOT=vdc, the default)
#   KDEBUG=0        turn off the expensive KDASSERT checks
#   LOCKORDER=0     compile out the lock-order checker (default: as KDEBUG;
#                   the boot option lockorder=0 turns it off at run time)
#   UTEST=glob      which user test programs test-linux runs: 1 (all, the
#                   default), or globs like 'mmap*,cow/three*'
#   DISK_IMG=file   the ext2 image (default build/disk.img, made from
#                   disk/ by mke2fs); test-linux mounts a copy on /mnt,
#                   grown to LINUX_DISK_SIZE (default 1G)
#   LINUX_CACHE=dir where test-linux and bench keep the Linux kernel they
#                   fetch (default ~/.cache/uvmkern/linux)
#   BENCH_TIMEOUT=s how long one bench boot may take (default 300)
#   BENCH_ROUNDS=5  VM boots of each kernel in make bench, alternating;
#                   each figure is the median of the rounds
#   BENCH_SWAPMEM=96M guest memory of make bench's swap and file boots,
#                   whose program writes three times that to swap (the
#                   file boots: a file of twice that); BENCH_SWAP=512M the
#                   swap disk they use; BENCH_SWAP_EQFREE=31M the mem=
#                   of the third swap boot (uvmkern with Linux's free
#                   memory)
#   BENCH_ONLY="vm swap file thp"  which kinds of make bench boot to run
#                   (BENCH_ONLY=file: only the two file boots; thp: the
#                   four boots with 2 MiB pages on and off)
#   BENCH_THP_ROUNDS=1  thp boots of each kernel in each mode
#   BENCH_FILE_STRICT=1  1 (the default): a uvmkern file boot that fails
#                   fails make bench; 0: its rows say "not available" and
#                   the status is the other boots'
#   BENCH_FILE_ROUNDS=1  file boots of each kernel, alternating; each
#                   figure is the median of the rounds
#
# The first `make` on a fresh Debian machine installs what is missing
# (tools/deps.sh).

BUILD   := build
CC      := gcc
NASM    := nasm
LD      := ld
QEMU    := qemu-system-x86_64

KDEBUG  ?= 1
LOCKORDER ?= $(KDEBUG)
KTEST   ?= all
# make test KTEST=... (KTEST given on the command line): only the selected
# kernel tests, in one boot.  Every other part of make test is then off
# unless named on the command line too (make test KTEST='vm/*' GDBTEST=1).
ifeq ($(origin KTEST),command line)
KTEST_ONLY := 1
endif
# $(call unless_ktest,DEFAULT): DEFAULT for a full make test, off (0) for
# make test KTEST=...
unless_ktest = $(if $(KTEST_ONLY),0,$(1))
SWAP    ?= 256M
SWAPMEM ?= 64M
SWAPKTEST ?= $(if $(KTEST_ONLY),none,swap/*$(comma)pdaemon/*)
HARNESSTEST ?= $(call unless_ktest,1)
GDBTEST ?= $(call unless_ktest,1)
DRAWTEST ?= $(call unless_ktest,1)
DOCCHECK ?= $(call unless_ktest,1)
SHELLTEST ?= $(call unless_ktest,1)
BUSYBOXTEST ?= $(call unless_ktest,1)
EXT2BOOTTEST ?= $(call unless_ktest,1)
FAILTEST ?= $(call unless_ktest,1)
FAILALLOC ?= 10:1
FAILPROG ?=
FAIL_TIMEOUT ?= 300
FUZZTEST ?= $(call unless_ktest,1)
STRESSNGTEST ?= $(call unless_ktest,1)
FUZZSKIPKNOWN ?= 0
TRINITYTEST ?= $(call unless_ktest,1)
TRINITYSEED ?= 42
TRINITYCALLS ?= 10000
TRINITY_TIMEOUT ?= 300
SEED    ?=
MEM     ?= 512M
SMP     ?= 1
SMPKTEST ?= $(if $(KTEST_ONLY),none,smp/*$(comma)shootdown/*$(comma)pmaplock/*$(comma)smpsched/*$(comma)sched/*$(comma)mutex/*$(comma)rwlock/*$(comma)faultlock/*$(comma)futex/*$(comma)uvm_race/*$(comma)pgcache/*$(comma)pgcache_speed/*$(comma)sched_speed/*$(comma)user/threads$(comma)user/threads_files$(comma)user/futex$(comma)user/vmstress$(comma)user/sigwait$(comma)user/fork$(comma)user/cow$(comma)user/prctl$(comma)user/thp$(comma)execglibc/glibc_pthreads*)
CMDLINE ?=
ROOT    ?= vdc
GDBPORT ?=
TEST_TIMEOUT ?= 600

# The standard QEMU flags (docs/design.md, "QEMU and the machines"),
# shared by run and test.  $(call qemu_cpus,N): N CPUs, one host thread
# each when N > 1 (multi-threaded TCG), so they really run at once.
comma := ,
qemu_cpus = $(if $(filter 1,$(1)),-accel tcg,-accel tcg$(comma)thread=multi) -smp $(1)
qemu_base = $(call qemu_cpus,$(1)) -cpu qemu64 -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_BASE := $(call qemu_base,$(SMP))
# make test's SMP boot: two CPUs whatever SMP says.
QEMU_SMP2 := $(call qemu_base,2) -m $(MEM)
QEMU_FLAGS := $(QEMU_BASE) -m $(MEM)
# tools/qemu-test.sh asks a hung boot of this build's kernel for its threads.
export HANGDUMP_BUILD = $(BUILD)

# Three virtio-blk disks at fixed PCI slots, so their names never change:
# vda (slot 4) is swap, vdb (slot 5) a scratch disk the virtio/ tests
# write patterns to.  Both are plain files, created (or resized) by the
# disks target; their contents never matter.
# The third disk, vdc (slot 6): an ext2 file system made by Debian's
# mke2fs from the folder disk/ (plus a sparse file, a symlink, a
# 20000-line docs/numbers.txt and the
# programs of /bin, made here), mounted on /mnt at boot (as / with
# root=vdc).  make run keeps
# it between boots (data written in one boot is there in the next);
# make test makes it afresh, and checks it with e2fsck -fn at the end.
EXT2_IMG    := $(BUILD)/disk.img
EXT2_SIZE   ?= 256M
EXT2_ROOT   := $(BUILD)/disk-root

SWAP_IMG    := $(BUILD)/swap.img
SCRATCH_IMG := $(BUILD)/scratch.img
QEMU_DISKS  := \
	-drive file=$(SWAP_IMG),if=none,id=swapdisk,format=raw \
	-device virtio-blk-pci,drive=swapdisk,addr=0x4 \
	-drive file=$(SCRATCH_IMG),if=none,id=scratch,format=raw \
	-device virtio-blk-pci,drive=scratch,addr=0x5 \
	-drive file=$(EXT2_IMG),if=none,id=ext2disk,format=raw \
	-device virtio-blk-pci,drive=ext2disk,addr=0x6


CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fno-strict-aliasing -fno-tree-loop-distribute-patterns \
	-DKDEBUG=$(KDEBUG) -DLOCKORDER=$(LOCKORDER) -I. -MMD -MP
NASMFLAGS := -f elf64 -I./
LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld
LIBGCC  := $(shell $(CC) -print-libgcc-file-name)

# Every source below these folders is part of the kernel, bottom layer
# first (docs/design.md draws the layers): the library, the machine-
# dependent entry and the core (threads, locks, interrupts, clock,
# console), then pmap, uvm and the drivers, then processes, files and the
# system calls, and kmain.c, which starts them all.  The test suites follow
# in the same order: tests/harness (shared helpers and the consistency
# checkers), then tests/<layer>, mirroring the sources.  Link order is
# folder order, then name, and the tests run in link order.
KERN_DIRS := kern/lib kern/arch kern/core pmap uvm dev kern/proc kern/fs kern/vfs kern/sys kern
TEST_DIRS := tests/harness tests/kern/lib tests/kern/arch tests/kern/core tests/pmap \
	tests/uvm tests/dev tests/kern/proc tests/kern/fs tests/kern/vfs tests/kern/sys
SRCDIRS := boot $(KERN_DIRS) $(TEST_DIRS)
C_SRCS  := $(foreach d,$(SRCDIRS),$(sort $(wildcard $(d)/*.c)))
ASM_SRCS := $(foreach d,$(SRCDIRS),$(sort $(wildcard $(d)/*.asm)))
OBJS    := $(patsubst %.asm,$(BUILD)/obj/%.o,$(ASM_SRCS)) \
	   $(patsubst %.c,$(BUILD)/obj/%.o,$(C_SRCS))

KERNEL  := $(BUILD)/kernel.elf
# The constants the gdb commands (tools/gdb/uvm.py) decode flags with,
# generated from the headers so they cannot drift (tools/gdb/genconst.sh).
GDBCONST := $(BUILD)/gdb/uvm_const.py
ISO     := $(BUILD)/kernel.iso

.PHONY: stress all iso run test check test-failalloc test-smp selfcheck-iso qemu-gdb gdb bench bench-release \
	clean deps help user test-linux disks fuzz ext2-fresh ext2-fsck rootfs-pin \
	test-trinity draw figures test-draw test-gdb
all: deps $(KERNEL) $(GDBCONST)

help:
	@sed -n '2,/^$$/p' Makefile | sed '$$d' | sed 's/^# \{0,1\}//'

deps:
	@tools/deps.sh

# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @echo
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.asm
	@mkdir -p $(dir $@)
	$(say) "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the first one's function symbols become the table that the
# second includes (tools/gensyms.sh).  The table sits after .text, so no
# function moves; the cmp proves it.
$(BUILD)/ksyms0.c:
	@mkdir -p $(BUILD)
	$(Q)tools/gensyms.sh /dev/null > $@

$(BUILD)/kernel.pass1.elf: $(OBJS) $(BUILD)/obj/ksyms0.o linker.ld
	$(say) "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/obj/ksyms0.o $(LIBGCC)

$(BUILD)/ksyms.c: $(BUILD)/kernel.pass1.elf tools/gensyms.sh
	$(Q)tools/gensyms.sh $< > $@

$(BUILD)/obj/ksyms0.o: $(BUILD)/ksyms0.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/ksyms.o: $(BUILD)/ksyms.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(KERNEL): $(BUILD)/kernel.pass1.elf $(BUILD)/obj/ksyms.o
	$(say) "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/obj/ksyms.o $(LIBGCC)
	@nm -n $(BUILD)/kernel.pass1.elf | grep -i ' t ' > $(BUILD)/text1.syms
	@nm -n $@ | grep -i ' t ' > $(BUILD)/text2.syms
	@cmp -s $(BUILD)/text1.syms $(BUILD)/text2.syms || \
		{ echo "error: the symbol table moved functions"; rm -f $@; exit 1; }

$(GDBCONST): tools/gdb/genconst.sh $(wildcard uvm/*.h pmap/*.h) kern/vfs/vfs.h
	@mkdir -p $(dir $@)
	$(say) "  GENCONST $@"
	$(Q)tools/gdb/genconst.sh '$(CC)' '$(filter-out -MMD -MP,$(CFLAGS))' > $@.tmp && mv $@.tmp $@

# User programs: static musl binaries that run unchanged on Linux and on
# this kernel.  Each tests/user/*.c but utest.c is one test program,
# linked with utest.c; user/include holds the project's own system calls.
MUSLCC  := musl-gcc
UCFLAGS := -std=gnu11 -static -O2 -g -Wall -Wextra -Werror -Iuser/include -Itests/user
UBUILD  := $(BUILD)/user
UTEST_SRCS := $(filter-out tests/user/utest.c,$(sort $(wildcard tests/user/*.c)))
UTESTS  := $(patsubst tests/user/%.c,$(UBUILD)/tests/%,$(UTEST_SRCS))
# The project's own system calls, as programs include them.
UVMKERN_H := user/include/uvmkern.h user/include/uvmkern_vmquery.h user/include/uvmkern_errno.h
UTEST_LIB := tests/user/utest.c tests/user/utest.h tests/user/uthread.h $(UVMKERN_H)
UDATA   := $(UBUILD)/tests/data/rows.txt
MKINITRD := $(BUILD)/tools/mkinitrd

# user/NAME.c becomes /bin/NAME in the initrd (init among them), and so
# does the system-call fuzzer, tools/fuzz/fuzz.c (docs/hardening.md).
UPROGS  := $(patsubst user/%.c,$(UBUILD)/%,$(wildcard user/*.c)) $(UBUILD)/fuzz

user: deps $(UPROGS) $(UTESTS) $(UDATA)

$(UBUILD)/%: user/%.c $(UVMKERN_H) user/vmshow.h Makefile
	@mkdir -p $(dir $@)
	$(say) "  MUSLCC  $<"
	$(Q)$(MUSLCC) $(UCFLAGS) $< -o $@

$(UBUILD)/fuzz: tools/fuzz/fuzz.c $(UVMKERN_H) Makefile
	@mkdir -p $(dir $@)
	$(say) "  MUSLCC  $<"
	$(Q)$(MUSLCC) $(UCFLAGS) $< -o $@

$(UBUILD)/tests/%: tests/user/%.c $(UTEST_LIB) Makefile
	@mkdir -p $(dir $@)
	$(say) "  MUSLCC  $<"
	$(Q)$(MUSLCC) $(UCFLAGS) $< tests/user/utest.c -o $@

# bigfile writes and reads back a file larger than RAM (on Linux's 512
# MiB boot, ~30 s under TCG): more than a test's usual minute.
$(UBUILD)/tests/bigfile: UCFLAGS += -DUT_TIMEOUT_S=170

$(UDATA): tests/user/mkdata.sh
	$(say) "  DATA    $(dir $@)"
	$(Q)tests/user/mkdata.sh $(dir $@)

# The root file system: Debian packages (rootfs/packages, fetched with
# apt-get download, nothing else), unpacked with /usr merged and a link
# per busybox applet (tools/rootfs/); the Makefile adds disk/ and the
# project's programs (/usr/local/bin) and packs it as $(EXT2_IMG).
ROOTFS_LIST  := rootfs/packages
DEBS         := $(BUILD)/debs
ROOTFS_STAGE := $(BUILD)/rootfs
ROOTFS_LIBS  := $(ROOTFS_STAGE)/usr/lib/x86_64-linux-gnu

$(DEBS)/versions: $(ROOTFS_LIST) tools/rootfs/fetch-debs.sh
	$(Q)tools/rootfs/fetch-debs.sh $(ROOTFS_LIST) $(DEBS)

$(ROOTFS_STAGE)/.stamp: $(DEBS)/versions tools/rootfs/mkrootfs.sh
	$(say) "  ROOTFS  $(ROOTFS_STAGE)"
	$(Q)tools/rootfs/mkrootfs.sh $(ROOTFS_LIST) $(DEBS) $(ROOTFS_STAGE)
	@touch $@

# make rootfs-pin: rootfs/packages takes the versions the last fetch got.
rootfs-pin: $(DEBS)/versions
	@{ sed -n '/^[^#]/q;p' $(ROOTFS_LIST); cat $(DEBS)/versions; } > $(ROOTFS_LIST).new
	@mv $(ROOTFS_LIST).new $(ROOTFS_LIST)
	@echo "rootfs/packages: the versions in $(DEBS)/versions (comments after the header dropped: check git diff)"

# glibc programs: a hello built with Debian's gcc, static and dynamic;
# the dynamic one runs through ld.so and libc.so.6 from the libc6 package
# above, which the initrd carries too, where Debian puts them.
GPROGS  := $(UBUILD)/glibc/ghello-static $(UBUILD)/glibc/ghello-dyn \
	   $(UBUILD)/glibc/gthreads-dyn
GHELLO_DEPS := tests/user/glibc/ghello.c $(UVMKERN_H) Makefile

$(UBUILD)/glibc/ghello-static: $(GHELLO_DEPS)
	@mkdir -p $(dir $@)
	$(say) "  GCC     $@"
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -Iuser/include -DGHELLO_STATIC -static $< -o $@

$(UBUILD)/glibc/ghello-dyn: $(GHELLO_DEPS)
	@mkdir -p $(dir $@)
	$(say) "  GCC     $@"
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -Iuser/include $< -o $@

# glibc's pthreads (clone3, futexes, robust lists), through ld.so.
$(UBUILD)/glibc/gthreads-dyn: tests/user/glibc/gthreads.c Makefile
	@mkdir -p $(dir $@)
	$(say) "  GCC     $@"
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -pthread $< -o $@

# The initrd packer runs on the build machine.
$(MKINITRD): tools/mkinitrd.c
	@mkdir -p $(dir $@)
	$(say) "  HOSTCC  $<"
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $< -o $@

# The initrd: a cpio "newc" archive which the kernel mounts read-only as
# its root: /bin (user/), /tests (tests/user/ and their data), /etc, and
# the mount points /dev, /proc, /tmp, /mnt (empty directories).
INITRD := $(BUILD)/initrd.cpio
INITRD_ROOT := $(BUILD)/initrd

$(INITRD): user $(GPROGS) $(ROOTFS_STAGE)/.stamp $(MKINITRD) tools/motd FORCE
	@rm -rf $(INITRD_ROOT) && mkdir -p $(INITRD_ROOT)/etc $(INITRD_ROOT)/bin
	@mkdir -p $(INITRD_ROOT)/dev $(INITRD_ROOT)/proc $(INITRD_ROOT)/tmp $(INITRD_ROOT)/mnt
	@cp tools/motd $(INITRD_ROOT)/etc/motd
	@cp $(UPROGS) $(INITRD_ROOT)/bin/
	@$(if $(PROG),cp $(PROG) $(INITRD_ROOT)/bin/)
	@cp -r $(UBUILD)/tests $(INITRD_ROOT)/tests
	@# The programs are built with -g (for gdb, which reads $(UBUILD));
	@# the initrd, which sits in RAM, gets them without it (3 MiB less).
	@for f in $(notdir $(UPROGS)); do objcopy --strip-debug $(INITRD_ROOT)/bin/$$f; done
	@for f in $(notdir $(UTESTS)); do objcopy --strip-debug $(INITRD_ROOT)/tests/$$f; done
	@cp $(GPROGS) $(INITRD_ROOT)/bin/
	@mkdir -p $(INITRD_ROOT)/lib64 $(INITRD_ROOT)/lib/x86_64-linux-gnu
	@cp -L $(ROOTFS_LIBS)/ld-linux-x86-64.so.2 $(INITRD_ROOT)/lib64/
	@cp -L $(ROOTFS_LIBS)/libc.so.6 $(INITRD_ROOT)/lib/x86_64-linux-gnu/
	$(say) "  INITRD  $@"
	$(Q)$(MKINITRD) $(INITRD_ROOT) > $@

.PHONY: FORCE
FORCE:

# A GRUB image.  $(1) = folder, $(2) = kernel command line, $(3) = the
# initrd if not $(INITRD).
define make_iso
	@rm -rf $(1) && mkdir -p $(1)/boot/grub
	@cp $(KERNEL) $(1)/boot/kernel.elf
	@cp $(or $(3),$(INITRD)) $(1)/boot/initrd.cpio
	@tools/grubcfg.sh '$(2)' > $(1)/boot/grub/grub.cfg
	$(say) "  GRUB    $(1).iso"
	$(Q)grub-mkrescue -o $(1).iso $(1) 2> $(1).log || { cat $(1).log; exit 1; }
endef

iso: $(ISO)
$(ISO): deps $(KERNEL) $(INITRD) tools/grubcfg.sh
	$(call make_iso,$(BUILD)/kernel,$(CMDLINE))

disks: $(EXT2_IMG)
	@mkdir -p $(BUILD)
	@truncate -s $(SWAP) $(SWAP_IMG)
	@truncate -s 8M $(SCRATCH_IMG)

$(EXT2_IMG): $(ROOTFS_STAGE)/.stamp $(shell find disk -print 2>/dev/null) $(UPROGS) $(GPROGS)
	@mkdir -p $(BUILD)
	@rm -rf $(EXT2_ROOT) && cp -a $(ROOTFS_STAGE) $(EXT2_ROOT) && rm $(EXT2_ROOT)/.stamp
	@cp -a disk/. $(EXT2_ROOT)/
	@mkdir -p $(EXT2_ROOT)/dev $(EXT2_ROOT)/proc $(EXT2_ROOT)/tmp $(EXT2_ROOT)/mnt \
		$(EXT2_ROOT)/root $(EXT2_ROOT)/usr/local/bin
	@cp $(UPROGS) $(GPROGS) $(EXT2_ROOT)/usr/local/bin/
	@truncate -s 5M $(EXT2_ROOT)/sparse && printf 'end' >> $(EXT2_ROOT)/sparse
	@seq -f '%06g' 0 19999 > $(EXT2_ROOT)/docs/numbers.txt  # 140000 bytes: past the direct blocks
	@ln -sfn docs/readme.txt $(EXT2_ROOT)/readme-link
	$(say) "  MKE2FS  $@"
	$(Q)rm -f $@ && truncate -s $(EXT2_SIZE) $@ && \
		mke2fs -q -F -t ext2 -b 4096 -L uvmkern -d $(EXT2_ROOT) $@ || { rm -f $@; exit 1; }

# make test writes to the image: a fresh one for every run.
ext2-fresh:
	@rm -f $(EXT2_IMG)
	$(Q)$(MAKE) --no-print-directory $(EXT2_IMG)

# e2fsck -fn on the image after a test boot: any problem fails the run.
ext2-fsck:
	@e2fsck -fn $(EXT2_IMG) > $(BUILD)/e2fsck.log 2>&1 || \
		{ cat $(BUILD)/e2fsck.log; echo "make test: e2fsck found errors on $(EXT2_IMG)"; exit 1; }
	@echo "make test: e2fsck -fn $(EXT2_IMG): clean"

# make run CMDLINE='ktest=... qemuexit=1' boots as make test's first boot
# does (the scratch disk vdb, no swap: the suites make swap areas of their
# own), so a test passes or fails in both alike; CMDLINE may still say
# swap=vda (the last word wins).
RUN_KTEST := $(if $(findstring ktest=,$(CMDLINE)),scratch=vdb swap=none)
# make run PROG=path/to/static-binary ARGS="a b": that program, added to
# the initrd as /bin/NAME, is the only job; QEMU exits with its status.
ifneq ($(PROG),)
RUN_CMDLINE := init=/bin/$(notdir $(PROG)) initexit=1 $(CMDLINE) -- $(ARGS)
else
RUN_CMDLINE := $(if $(filter vdc,$(ROOT)),root=vdc) initexit=1 $(RUN_KTEST) $(CMDLINE)
endif

run: all $(INITRD) disks
	$(call make_iso,$(BUILD)/kernel,$(RUN_CMDLINE))
ifneq ($(PROG),)
	@$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS) -display none -serial mon:stdio \
		-cdrom $(ISO) -boot d; st=$$?; exit $$(( st & 1 ? st >> 1 : 1 ))
else
	@$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS) -display none -serial mon:stdio \
		-cdrom $(ISO) -boot d; st=$$?; exit $$(( st & 1 ? st >> 1 : st ))
endif

# make test: first the harness self-checks - a failing test, a panic, a
# triple fault, a hang and a missing closing line must each fail the run,
# and tools/qemu-test.sh must name which; a thread0 stack overflow must
# panic, and the log must name the guard page; two locks taken in both
# orders must panic the lock-order checker (when compiled in); a test failing with memory
# held is one failure (its suite's leak check passes); a selection naming
# no test fails - then the selected tests.
# An entry is name:VERDICT or name:VERDICT:regex-the-log-must-match.
SELFCHECKS := must_fail:FAILED must_panic:PANIC must_triple_fault:RESET \
	must_hang:TIMEOUT must_stop_early:NO-CLOSING-LINE \
	must_overflow_stack:PANIC:'^panic:.*guard page' \
	$(if $(filter 1,$(LOCKORDER)),must_panic_on_lock_order:PANIC:'^panic: lockorder: lock order reversal') \
	must_panic_on_spin_recursion:PANIC:'^panic: spin_lock: selftest_recursive already held by this CPU' \
	must_fail_once_leaving_memory:FAILED:'^ok [0-9]* - selftest/@consistency' \
	no_such_test:FAILED:'no test matches .selftest/no_such_test'

test: all $(INITRD) disks
	$(Q)[ "$(DOCCHECK)" = 0 ] || python3 tools/doccheck.py
ifneq ($(HARNESSTEST),0)
	$(Q)for sc in $(SELFCHECKS); do \
		name=$${sc%%:*}; rest=$${sc#*:}; verdict=$${rest%%:*}; \
		pat=$${rest#$$verdict}; pat=$${pat#:}; \
		$(MAKE) --no-print-directory selfcheck-iso NAME=$$name || exit 1; \
		QEMU="$(QEMU) $(QEMU_FLAGS)" tools/qemu-test.sh --expect $$verdict \
			$(BUILD)/selfcheck-$$name.iso $(BUILD)/selfcheck-$$name.log \
			$$([ $$name = must_hang ] && echo 5 || echo $(TEST_TIMEOUT)) || exit 1; \
		if [ -n "$$pat" ] && ! grep -q "$$pat" $(BUILD)/selfcheck-$$name.log; then \
			echo "make test: harness self-check BROKEN: $$name: no line matching '$$pat' in $(BUILD)/selfcheck-$$name.log"; \
			exit 1; \
		fi; \
	done
	$(Q)tools/test-fastpath.sh '$(MAKE)' $(BUILD)
	$(Q)tools/check-options.sh
endif
ifneq ($(KTEST_ONLY),)
	@echo "make test: only KTEST=$(KTEST), in one boot (a plain make test runs every part; make check KTEST=... runs this boot without the fresh disk)"
endif
	$(Q)$(MAKE) --no-print-directory ext2-fresh
	$(call make_iso,$(BUILD)/test,ktest=$(KTEST) scratch=vdb swap=none $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test.iso $(BUILD)/test.log $(TEST_TIMEOUT)
	$(Q)$(MAKE) --no-print-directory ext2-fsck
ifneq ($(EXT2BOOTTEST),0)
	@echo "make test: ext2 data survives a reboot: one boot writes, the next reads (same disk.img)"
	$(call make_iso,$(BUILD)/test-ext2w,ktest=ext2boot/first_boot_writes swap=none qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-ext2w.iso $(BUILD)/test-ext2w.log $(TEST_TIMEOUT)
	$(call make_iso,$(BUILD)/test-ext2r,ktest=ext2boot/second_boot_reads swap=none qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-ext2r.iso $(BUILD)/test-ext2r.log $(TEST_TIMEOUT)
	$(Q)$(MAKE) --no-print-directory ext2-fsck
	@echo "make test: a program run as init (make run PROG=) leaves files on /mnt, one never synced; the next boot finds them (the kernel syncs when init exits)"
	$(Q)for step in write check; do \
		timeout $(TEST_TIMEOUT) $(MAKE) --no-print-directory run \
			PROG=$(UBUILD)/tests/persist ARGS=$$step < /dev/null \
			> $(BUILD)/test-persist-$$step.log 2>&1 || { \
			tail -20 $(BUILD)/test-persist-$$step.log; \
			echo "make test: FAILED: persist $$step as init ($(BUILD)/test-persist-$$step.log)"; exit 1; }; \
	done
	$(Q)$(MAKE) --no-print-directory ext2-fsck
endif
ifneq ($(SWAPKTEST),none)
	@echo "make test: the swap suites, in a second boot with $(SWAPMEM) of RAM and $(SWAP) of swap"
	$(call make_iso,$(BUILD)/test-swap,ktest=$(SWAPKTEST) scratch=vdb $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_BASE) -m $(SWAPMEM) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-swap.iso $(BUILD)/test-swap.log $(TEST_TIMEOUT)
endif
ifneq ($(SMPKTEST),none)
	$(Q)$(MAKE) --no-print-directory test-smp
endif
ifneq ($(FAILTEST),0)
	$(Q)$(MAKE) --no-print-directory test-failalloc
endif
ifneq ($(STRESSNGTEST),0)
	@echo "make test: Debian's stress-ng, each stressor with --verify, then the leak check (STRESSNGTEST=0 skips it)"
	$(call make_iso,$(BUILD)/test-stressng,ktest=stressng/* swap=none $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-stressng.iso $(BUILD)/test-stressng.log $(TEST_TIMEOUT)
	$(Q)$(MAKE) --no-print-directory ext2-fsck
	@echo "make test: stress-ng --vm with more bytes than RAM, in $(SWAPMEM) with $(SWAP) of swap"
	$(call make_iso,$(BUILD)/test-stressngswap,ktest=stressngswap/* $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_BASE) -m $(SWAPMEM) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-stressngswap.iso $(BUILD)/test-stressngswap.log $(TEST_TIMEOUT)
	$(Q)$(MAKE) --no-print-directory ext2-fsck
endif
ifneq ($(FUZZTEST),0)
	@echo "make test: the system-call fuzzer, a fixed seed, then the leak check (FUZZTEST=0 skips it)"
	$(call make_iso,$(BUILD)/test-fuzz,ktest=fuzz/fixed_seed_batches_leak_nothing swap=none fuzzskipknown=$(FUZZSKIPKNOWN) $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-fuzz.iso $(BUILD)/test-fuzz.log $(TEST_TIMEOUT)
endif
ifneq ($(TRINITYTEST),0)
	$(Q)$(MAKE) --no-print-directory test-trinity
endif
ifneq ($(SHELLTEST),0)
	$(call make_iso,$(BUILD)/shelltest,swap=none)
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/test-shell-exit.sh \
		$(BUILD)/shelltest.iso $(BUILD)/shelltest.log
endif
ifneq ($(BUSYBOXTEST),0)
	$(call make_iso,$(BUILD)/bbtest,root=vdc initexit=1 swap=none)
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/test-busybox.sh \
		$(BUILD)/bbtest.iso $(BUILD)/bbtest.log
	$(call make_iso,$(BUILD)/bbtty,root=vdc swap=none)
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/test-busybox-tty.sh \
		$(BUILD)/bbtty.iso $(BUILD)/bbtty.log
endif
ifneq ($(DRAWTEST),0)
	$(Q)$(MAKE) --no-print-directory test-draw
endif
ifneq ($(GDBTEST),0)
	$(Q)$(MAKE) --no-print-directory test-gdb
endif
	$(Q)$(if $(filter 0,$(LABTEST)),true,$(MAKE) --no-print-directory labtest)

# make draw PROG=forkdemo: boot the initrd with that program (user/NAME.c,
# /bin/NAME) as init and uvmsnap=1, so each of its uvmsnap() calls
# (user/snapshot.h) prints /proc/PID/uvm to the serial line; then
# tools/draw/draw.py turns the log into $(BUILD)/draw/PROG/index.html and
# step-NN.svg.  make figures regenerates docs/figures/ from such runs
# (docs/drawings.md).  test-draw: make test's check of both in Chromium.
DRAW_OUT = $(BUILD)/draw/$(PROG)
draw:
	@[ -n "$(PROG)" ] || { echo "make draw: name the program: make draw PROG=forkdemo"; exit 1; }
	@[ -f user/$(PROG).c ] || { echo "make draw: no user/$(PROG).c"; exit 1; }
	$(Q)$(MAKE) --no-print-directory all $(INITRD) disks PROG=
	$(call make_iso,$(BUILD)/draw-$(PROG),init=/bin/$(PROG) initexit=1 uvmsnap=1 swap=none $(CMDLINE))
	@rm -rf $(DRAW_OUT) && mkdir -p $(DRAW_OUT)
	@timeout 120 $(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS) -display none -monitor none \
		-serial file:$(DRAW_OUT)/serial.log -cdrom $(BUILD)/draw-$(PROG).iso -boot d \
		< /dev/null; st=$$?; [ $$st -eq 1 ] || { tail -20 $(DRAW_OUT)/serial.log; \
		echo "make draw: $(PROG) did not exit 0 (QEMU status $$st; $(DRAW_OUT)/serial.log)"; exit 1; }
	@python3 tools/draw/draw.py $(DRAW_OUT)/serial.log $(DRAW_OUT) --title $(PROG)

# The figures the docs use, each a step of a real run (the step numbers
# are the order of the program's uvmsnap() calls).
FIGURES := forkdemo:1:forkdemo-before-fork forkdemo:2:forkdemo-after-fork \
	forkdemo:3:forkdemo-child-write-1B forkdemo:5:forkdemo-parent-write \
	mmapdemo:2:mmapdemo-shared-page
figures:
	$(Q)for prog in $$(for f in $(FIGURES); do echo $${f%%:*}; done | sort -u); do \
		$(MAKE) --no-print-directory draw PROG=$$prog || exit 1; done
	@mkdir -p docs/figures
	$(Q)for f in $(FIGURES); do prog=$${f%%:*}; rest=$${f#*:}; n=$${rest%%:*}; name=$${rest#*:}; \
		cp $(BUILD)/draw/$$prog/step-0$$n.svg docs/figures/$$name.svg || exit 1; \
		echo "  FIGURE  docs/figures/$$name.svg"; done

# make test's drawings check (DRAWTEST=0 skips it): forkdemo's steps must
# show one amap with reference count 2 under both entries after fork and
# case 1B with two anons after the child's write; mmapdemo's the aobj.
# Then gdb's "uvm snapshot" around the same fault, drawn and checked alike.
DRAW_EXPECT_forkdemo := 2:amap.ref=2=1 2:anon=1 3:case=1B=1 3:anon=2
DRAW_EXPECT_mmapdemo := 2:object=1
test-draw:
	@tools/draw/deps-chromium.sh
	@echo "make test: the drawings: make draw of forkdemo and mmapdemo, opened in headless Chromium (DRAWTEST=0 skips it)"
	$(Q)for prog in forkdemo mmapdemo; do \
		$(MAKE) --no-print-directory draw PROG=$$prog || exit 1; \
		python3 tools/draw/check.py $(BUILD)/draw/$$prog/serial.log $(BUILD)/draw/$$prog \
			$$(case $$prog in forkdemo) for e in $(DRAW_EXPECT_forkdemo); do echo --expect $$e; done;; \
			mmapdemo) for e in $(DRAW_EXPECT_mmapdemo); do echo --expect $$e; done;; esac) || exit 1; \
	done
	@QEMU="$(QEMU) $(QEMU_FLAGS)" tools/draw/test-gdb-snapshot.sh $(BUILD)/draw-forkdemo.iso $(BUILD)

# make test-gdb: only make test's debugger check (GDBTEST=0 skips it in
# make test): gdb stops in forkdemo's copy-on-write fault and must print
# what tools/gdb/test-gdb.sh expects.
test-gdb: all $(INITRD) disks
	@echo "make test: the debugger, gdb stopping in forkdemo's copy-on-write fault (tools/gdb/test-gdb.sh)"
	$(call make_iso,$(BUILD)/gdbtest,init=/mnt/usr/local/bin/forkdemo initexit=1 swap=none)
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/gdb/test-gdb.sh \
		$(BUILD)/gdbtest.iso $(BUILD)

# make test-smp: only make test's boot with two CPUs (SMPKTEST, the smp
# suite: cross-calls, GS per CPU, an AP spinning on a lock), then a check
# that the two CPUs' console lines came out whole, then two boots that
# must panic with the second CPU busy with interrupts off (a plain panic;
# a spin lock it holds for ever, which the debug tier must report): each
# report must say it stopped that CPU.
SMP_CONSOLE_LINE := ^smp console: cpu[01] line [0-9]+ x{40}$$
# name:regex: each must panic with two CPUs, its log match regex, and the
# panic report say it stopped the other CPU.
SMP_SELFCHECKS := must_panic_stopping_other_cpus:'^panic: selftest: panic with cpu1 spinning' \
	must_panic_on_spin_held_too_long:'^panic: spin_lock: selftest_held_too_long held too long by cpu 1'
# The SMP boot runs with 2 MiB pages on (thp=1: with MEM=512M they are off
# by default, as on Linux below 512 MiB of RAM), so the threads, forks and
# vmstress there race on large mappings too.
test-smp: all $(INITRD) disks
	@echo "make test: with two CPUs, each running threads ($(SMPKTEST)), then a panic that must stop the other CPU (SMPKTEST=none skips them)"
	$(call make_iso,$(BUILD)/test-smp,ktest=$(SMPKTEST) scratch=vdb swap=none thp=1 $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_SMP2) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-smp.iso $(BUILD)/test-smp.log $(TEST_TIMEOUT)
	$(Q)if grep -q 'smp/two_cpus_printing_keep_their_lines_whole' $(BUILD)/test-smp.log; then \
		n=$$(tr -d '\r' < $(BUILD)/test-smp.log | grep -cE '$(SMP_CONSOLE_LINE)'); \
		[ "$$n" -eq 40 ] || { echo "make test: FAILED: $$n of 40 whole console lines from two CPUs in $(BUILD)/test-smp.log"; exit 1; }; \
		echo "make test: 40 console lines printed by two CPUs at once, all whole"; \
	fi
	$(Q)for sc in $(SMP_SELFCHECKS); do \
		name=$${sc%%:*}; pat=$${sc#*:}; log=$(BUILD)/selfcheck-$$name.log; \
		$(MAKE) --no-print-directory selfcheck-iso NAME=$$name || exit 1; \
		QEMU="$(QEMU) $(QEMU_SMP2)" tools/qemu-test.sh --expect PANIC \
			$(BUILD)/selfcheck-$$name.iso $$log $(TEST_TIMEOUT) || exit 1; \
		for p in "$$pat" '^  stopped 1 of the 1 other CPUs'; do \
			grep -q "$$p" $$log || { echo "make test: harness self-check BROKEN: $$name: no line matching '$$p' in $$log"; exit 1; }; \
		done; \
	done

# make test-failalloc: only make test's allocation-failure boot.
test-failalloc: all $(INITRD) disks
	@echo "make test: the user programs under allocation-failure injection (failalloc=$(FAILALLOC)), in a boot of their own"
	$(call make_iso,$(BUILD)/test-failalloc,ktest=failalloc/user_programs_survive_allocation_failures failalloc=$(FAILALLOC) $(if $(FAILPROG),failprog=$(FAILPROG)) swap=none $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-failalloc.iso $(BUILD)/test-failalloc.log $(FAIL_TIMEOUT)

# make test-trinity: Debian's trinity (rootfs/packages) run unmodified
# from the ext2 disk by the kernel test trinity/* in a boot of its own:
# TRINITYCALLS calls from TRINITYSEED, it must exit 0 having made them
# all, then the leak check and e2fsck of the disk it fuzzed
# (disk/var/trinity are its victim files; docs/debian.md).  The boot
# swaps on vda: with swap=none trinity's children could use up the 512
# MiB, and the kernel kills the process that then faults (it was once
# trinity's main process; Linux's OOM killer picks by size and
# oom_score_adj, and trinity makes its children the likely ones).  The
# disk is made afresh first: a run leaves its victims changed (modes,
# symlink loops), and trinity, given no victim it can open, loops for
# ever looking for one.
test-trinity: all $(INITRD) disks
	@echo "make test: Debian's trinity, seed $(TRINITYSEED), $(TRINITYCALLS) calls, then the leak check (TRINITYTEST=0 skips it)"
	$(Q)$(MAKE) --no-print-directory ext2-fresh
	$(call make_iso,$(BUILD)/test-trinity,ktest=trinity/* trinityseed=$(TRINITYSEED) trinitycalls=$(TRINITYCALLS) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh \
		$(BUILD)/test-trinity.iso $(BUILD)/test-trinity.log $(TRINITY_TIMEOUT)
	$(Q)$(MAKE) --no-print-directory ext2-fsck

# make fuzz: one boot that runs the fuzzer for CALLS calls from SEED
# (ktest fuzz/campaign), swapping on vda, then checks for leaks.  The
# fuzzer's summary (calls, batches, children killed by each signal,
# hangs) and the leak check's verdict close the output; a batch that
# panicked the kernel is the last "fuzz: batch" line before the panic,
# and tools/fuzz/reduce.py cuts it down (docs/hardening.md).
CALLS   ?= 1000000
FUZZSEED := $(or $(SEED),$(shell od -An -N3 -tu4 /dev/urandom | tr -d ' '))
FUZZ_TIMEOUT ?= $(shell echo $$(( 120 + $(CALLS) / 200 )))

fuzz: all $(INITRD) disks
	$(call make_iso,$(BUILD)/fuzz,ktest=fuzz/campaign fuzzseed=$(FUZZSEED) fuzzcalls=$(CALLS) fuzzskipknown=$(FUZZSKIPKNOWN) qemuexit=1 $(CMDLINE))
	@echo "make fuzz: seed $(FUZZSEED), $(CALLS) calls (rerun: make fuzz SEED=$(FUZZSEED) CALLS=$(CALLS))"
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh --label "make fuzz" \
		$(BUILD)/fuzz.iso $(BUILD)/fuzz.log $(FUZZ_TIMEOUT); st=$$?; \
	echo "make fuzz: seed $(FUZZSEED): $$(grep -E '^fuzz: [0-9]+ calls' $(BUILD)/fuzz.log | tail -n 1 | sed 's/^fuzz: //')"; \
	echo "make fuzz: leak check: $$(grep -E '^(not )?ok [0-9]+ - fuzz/campaign' $(BUILD)/fuzz.log || echo 'not reached')"; \
	exit $$st

# make check: the fast loop - build, then make test's first boot alone
# (ktest=$(KTEST), default all), on the disks as they are (no fresh
# ext2 image, no e2fsck, no other boot): tools/qemu-test.sh's verdict,
# and the status 0 only when every selected test passed.
#   make check KTEST='amap/*'          a suite in a few seconds
check: all $(INITRD) disks
	$(call make_iso,$(BUILD)/check,ktest=$(KTEST) scratch=vdb swap=none $(if $(SEED),seed=$(SEED)) qemuexit=1 $(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" tools/qemu-test.sh --label "make check" \
		$(BUILD)/check.iso $(BUILD)/check.log $(TEST_TIMEOUT)

selfcheck-iso: $(INITRD)
	$(call make_iso,$(BUILD)/selfcheck-$(NAME),ktest=selftest/$(NAME) seed=1 qemuexit=1)

# make qemu-gdb: QEMU halted, its gdb stub on a free port of 127.0.0.1
# (GDBPORT=N to choose), written to $(BUILD)/gdb-port while it runs;
# make gdb (tools/gdb.sh) attaches to that port.  The status is make
# run's: 0 when the guest powered off (or init exited 0 with initexit=1).
qemu-gdb: all $(INITRD) disks
	$(call make_iso,$(BUILD)/kernel,$(CMDLINE))
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" GDBPORT=$(GDBPORT) \
		tools/qemu-gdb.sh $(ISO) $(BUILD)

gdb: all disks
	@QEMU="$(QEMU) $(QEMU_FLAGS) $(QEMU_DISKS)" ISO=$(ISO) GDBPORT=$(GDBPORT) \
		CMDLINE='$(CMDLINE)' UVMKERN_BUILD=$(BUILD) tools/gdb.sh

# make test-linux: the user tests on Debian's Linux kernel, fetched once
# into LINUX_CACHE (outside build/, so make clean keeps it).
UTEST   ?= 1
LINUX_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/uvmkern/linux
LINUX_TIMEOUT ?= 240

# Linux mounts the same ext2 image as uvmkern (a copy of it, grown to
# LINUX_DISK_SIZE so bigfile's file larger than Linux's RAM fits).
LINUX_DISK_SIZE ?= 1G

# The ext2 disk image: vdc's, $(EXT2_IMG) (see QEMU_DISKS above).
DISK_IMG  ?= $(EXT2_IMG)

test-linux: user $(MKINITRD) $(DISK_IMG)
	@mkdir -p $(BUILD)/linux
	@QEMU="$(QEMU) $(QEMU_FLAGS)" MKINITRD=$(MKINITRD) DISK_IMG=$(DISK_IMG) \
		LINUX_DISK_SIZE=$(LINUX_DISK_SIZE) tools/linux/test-linux.sh \
		$(UBUILD) $(BUILD)/linux $(LINUX_CACHE) '$(UTEST)' $(LINUX_TIMEOUT)
ifneq ($(TRINITYTEST),0)
	@# trinity's victims (disk/var/trinity) afresh, as for make test-trinity:
	@# the trinity boot of make test leaves them changed, and given a symlink
	@# loop there Linux's trinity finds no file and gives up.
	$(Q)[ "$(DISK_IMG)" != "$(EXT2_IMG)" ] || $(MAKE) --no-print-directory ext2-fresh
	@QEMU="$(QEMU) $(QEMU_FLAGS)" MKINITRD=$(MKINITRD) DISK_IMG=$(DISK_IMG) \
		tools/linux/trinity-linux.sh $(UBUILD) $(ROOTFS_LIBS) $(BUILD)/linux \
		$(LINUX_CACHE) $(TRINITYSEED) $(TRINITYCALLS) $(TRINITY_TIMEOUT)
endif

# make bench: one static program, tests/bench/vmbench.c, times page
# faults, fork, mmap and mprotect, and swap in TSC cycles.  It runs on
# this kernel (an image whose initrd holds just /bin/vmbench, started as
# init) and on Debian's Linux, with the same QEMU flags and disks:
# $(BENCH_ROUNDS) boots of each, alternating, with $(MEM) for everything
# but swap, then one of each with $(BENCH_SWAPMEM) that writes and
# verifies three times that much memory through swap on vda.
# Each round also boots this kernel with faultahead=0 (the fault
# handler's speed-ups off, uvm/uvm_fault_ahead.c): the table's no-ahead
# column, and what the speed-ups gain.
# tools/bench/run.sh boots them and writes the table, results.txt and
# ratios.png to build/bench; docs/performance.md explains the numbers.
# SMP=N gives both kernels the same -smp N (QEMU_BASE); the VM run ends
# with the several-CPU metrics (zero fill and mmap+munmap from 1, 2 and 4
# threads or processes), which run.sh also prints as build/bench/scaling.txt.
#
# Why 96M and not make test's 64M: Debian's kernel cannot boot in 64 MiB
# (its bzImage asks for 64 MiB of room above the 16 MiB it loads at), so
# both kernels get the smallest round size Linux boots in.  Three times
# 96 MiB needs a bigger swap disk than make run's: bench resizes vda.
# In 96 MiB Linux starts the program with about 23 MiB free, uvmkern with
# about 83, so a third swap boot runs uvmkern with mem=$(BENCH_SWAP_EQFREE)
# (only the RAM below that address used): about Linux's free memory, a little
# less.  Debian's kernel with mem=64M boots with 12 MiB and dies of OOM.
#
# The file boots (issue 18), $(BENCH_FILE_ROUNDS) of each kernel after the
# swap boots, with $(BENCH_SWAPMEM) too: vmbench writes and reads back a
# file of twice that ($(BENCH_FILE_MIB) MiB) on an ext2 file system on
# vdc, then reads 4 KiB at random from it and from a small cached file
# and faults on a mapping of the small one.  vdc is $(BENCH_FS_IMG), a
# fresh empty ext2 of three times the file that run.sh makes with mke2fs
# before each file boot (uvmkern mounts vdc on /mnt at boot - the initrd
# has an empty /mnt for it - and vmbench mounts it on Linux), and checks
# with e2fsck -fn after it (vmbench unmounts at the end).  A uvmkern
# file boot that fails fails make bench; BENCH_FILE_STRICT=0 only says
# "not available" in its rows instead (for bisecting an old kernel).
#
# The VM boots also time process start-up (fork, exec, exit, wait) of
# a static and a dynamic glibc hello ($(GPROGS)) and of busybox sh, so
# their initrd, $(BENCH)/initrd-vm, adds those programs, busybox from
# busybox-static and ld.so and libc.so.6 from libc6 ($(ROOTFS_STAGE)),
# where Debian puts them (/bin, /lib64, /lib/x86_64-linux-gnu); run.sh
# copies that tree into Linux's VM initramfs, so both kernels exec the
# same files at the same paths.  The swap and file boots keep the
# initrd with vmbench alone: their free memory stays as it was.
#
# The kernel measured is the release build: KDEBUG=0, in build/release
# (its own objects, programs and disks), since the debug build's
# expensive checks (KDASSERT: among them a whole-map check every few map
# changes, 32 entries' worth a change) are not what a user runs.  The
# results still land in build/bench.
BENCH   := $(or $(BENCH_OUT),$(BUILD)/bench)
VMBENCH := $(UBUILD)/bench/vmbench
BENCH_TIMEOUT ?= 300
BENCH_ROUNDS ?= 5
BENCH_SWAPMEM ?= 96M
BENCH_SWAP_EQFREE ?= 31M
BENCH_SWAP ?= 512M
BENCH_SWAP_MIB := $(shell echo $$(( 3 * $(patsubst %M,%,$(BENCH_SWAPMEM)) )))
BENCH_FILE_MIB := $(shell echo $$(( 2 * $(patsubst %M,%,$(BENCH_SWAPMEM)) )))
BENCH_FS_MIB := $(shell echo $$(( 3 * $(BENCH_FILE_MIB) )))
BENCH_FS_IMG := $(BENCH)/fs.img
BENCH_ONLY ?= vm swap file thp
BENCH_THP_ROUNDS ?= 1
BENCH_FILE_STRICT ?= 1
BENCH_FILE_ROUNDS ?= 1
MKE2FS := $(or $(shell PATH="$$PATH:/sbin:/usr/sbin" command -v mke2fs),mke2fs)
E2FSCK := $(or $(shell PATH="$$PATH:/sbin:/usr/sbin" command -v e2fsck),e2fsck)

$(VMBENCH): tests/bench/vmbench.c $(UVMKERN_H) Makefile
	@mkdir -p $(dir $@)
	$(say) "  MUSLCC  $<"
	$(Q)$(MUSLCC) $(UCFLAGS) $< -o $@

# make test does not run the benchmark, but builds it: a change that
# breaks vmbench shows in CI, not at the next make bench.
test: $(VMBENCH)

bench:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/release KDEBUG=0 \
		BENCH_OUT=$(BUILD)/bench bench-release

bench-release: all $(VMBENCH) $(UBUILD)/init $(MKINITRD) disks $(GPROGS) $(ROOTFS_STAGE)/.stamp
	@truncate -s $(BENCH_SWAP) $(SWAP_IMG)
	@rm -rf $(BENCH)/initrd && mkdir -p $(BENCH)/initrd/bin $(BENCH)/initrd/mnt $(BENCH)/initrd/dev $(BENCH)/initrd/proc $(BENCH)/initrd/tmp
	@cp $(VMBENCH) $(BENCH)/initrd/bin/
	$(Q)$(MKINITRD) $(BENCH)/initrd > $(BENCH)/initrd.cpio
	@rm -rf $(BENCH)/initrd-vm && cp -a $(BENCH)/initrd $(BENCH)/initrd-vm
	@mkdir -p $(BENCH)/initrd-vm/lib64 $(BENCH)/initrd-vm/lib/x86_64-linux-gnu
	@cp $(GPROGS) $(BENCH)/initrd-vm/bin/
	@cp -L $(ROOTFS_STAGE)/usr/bin/busybox $(BENCH)/initrd-vm/bin/
	@cp -L $(ROOTFS_LIBS)/ld-linux-x86-64.so.2 $(BENCH)/initrd-vm/lib64/
	@cp -L $(ROOTFS_LIBS)/libc.so.6 $(BENCH)/initrd-vm/lib/x86_64-linux-gnu/
	$(Q)$(MKINITRD) $(BENCH)/initrd-vm > $(BENCH)/initrd-vm.cpio
	$(call make_iso,$(BENCH)/uvmkern-vm,init=/bin/vmbench initexit=1 -- vm,$(BENCH)/initrd-vm.cpio)
	$(call make_iso,$(BENCH)/uvmkern-vm-noahead,faultahead=0 init=/bin/vmbench initexit=1 -- vm,$(BENCH)/initrd-vm.cpio)
	$(call make_iso,$(BENCH)/uvmkern-swap,init=/bin/vmbench initexit=1 -- swap $(BENCH_SWAP_MIB),$(BENCH)/initrd.cpio)
	$(call make_iso,$(BENCH)/uvmkern-swap-eqfree,mem=$(BENCH_SWAP_EQFREE) init=/bin/vmbench initexit=1 -- swap $(BENCH_SWAP_MIB),$(BENCH)/initrd.cpio)
	$(call make_iso,$(BENCH)/uvmkern-file,swap=none init=/bin/vmbench initexit=1 -- file $(BENCH_FILE_MIB) /mnt,$(BENCH)/initrd.cpio)
	$(call make_iso,$(BENCH)/uvmkern-thp-on,thp=1 init=/bin/vmbench initexit=1 -- thp always,$(BENCH)/initrd.cpio)
	$(call make_iso,$(BENCH)/uvmkern-thp-off,thp=0 init=/bin/vmbench initexit=1 -- thp never,$(BENCH)/initrd.cpio)
	@QEMU="$(QEMU) $(QEMU_BASE)" QEMU_DISKS="$(QEMU_DISKS)" MEM=$(MEM) SWAPMEM=$(BENCH_SWAPMEM) SMP=$(SMP) \
		ROUNDS=$(BENCH_ROUNDS) ISO_NOAHEAD=$(BENCH)/uvmkern-vm-noahead.iso \
		ISO_FILE=$(BENCH)/uvmkern-file.iso FILE_MIB=$(BENCH_FILE_MIB) \
		FS_IMG=$(BENCH_FS_IMG) FS_MIB=$(BENCH_FS_MIB) MKE2FS=$(MKE2FS) E2FSCK=$(E2FSCK) \
		BENCH_ONLY="$(BENCH_ONLY)" BENCH_FILE_STRICT=$(BENCH_FILE_STRICT) \
		FILE_ROUNDS=$(BENCH_FILE_ROUNDS) \
		ISO_THP_ON=$(BENCH)/uvmkern-thp-on.iso ISO_THP_OFF=$(BENCH)/uvmkern-thp-off.iso \
		THP_ROUNDS=$(BENCH_THP_ROUNDS) \
		START_TREE=$(BENCH)/initrd-vm \
		MKINITRD=$(MKINITRD) INIT=$(UBUILD)/init tools/bench/run.sh $(BENCH) $(VMBENCH) \
		$(BENCH)/uvmkern-vm.iso $(BENCH)/uvmkern-swap.iso $(BENCH)/uvmkern-swap-eqfree.iso \
		$(BENCH_SWAP_MIB) \
		$(LINUX_CACHE) $(BENCH_TIMEOUT)

# make stress: the VM stress program, tests/user/vmstress.c, booted as
# init (the test initrd, swap on vda) in $(STRESSMEM) of memory: THREADS
# threads of one process map, unmap, protect, remap, advise, lock,
# fork and touch, checking every word they own, while the page daemon
# pages PRESSURE MiB out and in under them; then exit_group rounds with
# the threads mid-operation.  Benchmark style: the summary line (ops,
# ops/s, faults caught, forks, seconds) and the exit status of the run;
# no time limit but STRESS_TIMEOUT (seconds + 300).  SMP=N boots N CPUs,
# and the threads run on all of them.  SEED defaults to the time.
SECONDS ?= 60
THREADS ?= 8
STRESSMEM ?= 64M
PRESSURE ?= 96
STRESS_SEED = $(or $(SEED),$(shell date +%s))
STRESS_TIMEOUT ?= $(shell echo $$(( $(SECONDS) + 300 )))

stress: all $(INITRD) disks
	$(eval STRESS_SEED_V := $(STRESS_SEED))
	$(call make_iso,$(BUILD)/stress,init=/tests/vmstress initexit=1 $(CMDLINE) -- --seed $(STRESS_SEED_V) --threads $(THREADS) --seconds $(SECONDS) --pressure $(PRESSURE))
	@echo "make stress: seed $(STRESS_SEED_V), $(THREADS) threads, $(SECONDS) s, $(STRESSMEM) with $(SWAP) of swap, $(PRESSURE) MiB of paging load, SMP=$(SMP)"
	@timeout --kill-after=5 $(STRESS_TIMEOUT) $(QEMU) $(QEMU_BASE) -m $(STRESSMEM) \
		$(QEMU_DISKS) -display none -serial stdio -cdrom $(BUILD)/stress.iso \
		-boot d > $(BUILD)/stress.log 2>&1; st=$$?; \
		grep -E '^vmstress:|^panic|^lockorder' $(BUILD)/stress.log; \
		st=$$(( st & 1 ? st >> 1 : (st == 124 ? 124 : 1) )); \
		echo "make stress: exit status $$st (log: $(BUILD)/stress.log)"; exit $$st

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)

# A change of flags in this file rebuilds everything.
$(OBJS): Makefile

# ---------------------------------------------------------------------
# Labs (docs/labs.md; tools/lab/lab.py, the labs in tools/lab/labs.ini).
#   make lab LAB=name [LABDIR=dir]  a student tree: this tree's files with
#                   the lab's solution replaced by stubs, LAB.md its handout
#   make grade LAB=name  the lab's tests, the points of each and the
#                   total; exits non-zero unless full marks
#   make labtest    every lab (or LAB=name): its skeleton must build, fail
#                   its tests and say so, and pass them with the solution
#                   applied back (make test runs it; LABTEST=0 skips)
#   make labboot    the one boot they use: kernel tests LABKTEST, with
#                   LABCMDLINE, in LABMEM of RAM (the initrd LABINITRD);
#                   the console in $(BUILD)/lab.log
LAB        ?=
LABDIR     ?= $(BUILD)/lab-$(LAB)
LABTEST    ?= $(call unless_ktest,1)
LABKTEST   ?= none
LABMEM     ?= $(MEM)
LABCMDLINE ?= swap=none
LABINITRD  ?=
LAB_TIMEOUT ?= 120

.PHONY: lab grade labtest labboot
lab:
	$(Q)python3 tools/lab/lab.py skeleton '$(LAB)' '$(LABDIR)'

grade: all $(INITRD) disks
	$(Q)python3 tools/lab/lab.py grade '$(LAB)' --build '$(BUILD)'

labtest: all $(INITRD) disks
	@echo "make test: each lab's skeleton fails its tests, and passes them with the solution applied back (LABTEST=0 skips)"
	$(Q)python3 tools/lab/lab.py verify --build '$(BUILD)' $(if $(LAB),--lab '$(LAB)')

labboot: $(KERNEL)
	$(call make_iso,$(BUILD)/lab,ktest=$(LABKTEST) scratch=vdb qemuexit=1 $(LABCMDLINE),$(LABINITRD))
	@QEMU="$(QEMU) $(QEMU_BASE) -m $(LABMEM) $(QEMU_DISKS)" tools/qemu-test.sh \
		--label "make labboot" $(BUILD)/lab.iso $(BUILD)/lab.log $(LAB_TIMEOUT)
