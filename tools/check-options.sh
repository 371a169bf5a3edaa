#!/bin/bash
# tools/check-options.sh - every kernel command-line key has a row in the
# README's option table.  The keys are what the sources declare with
# KOPT(id, "key", help) (kern/core/cmdline.h: an undeclared key is warned
# about at boot); a row is a table line of the section "Kernel command
# line" naming `key=` (or `key=1`, `key=0`...).  Run by make test (no
# boot: a second); exits 1 naming the keys without a row.
set -u
cd "$(dirname "$0")/.." || exit 1
keys=$(grep -rhoE 'KOPT\([a-z_0-9]+, *"[a-z_0-9]+"' kern pmap uvm dev tests |
	sed -E 's/.*"([^"]+)"$/\1/' | sort -u)
table=$(sed -n '/^## Kernel command line/,/^## /p' README.md | grep '^| ')
missing=""
for k in $keys; do
	printf '%s\n' "$table" | grep -q "\`$k=" || missing="$missing $k"
done
if [ -n "$missing" ]; then
	echo "make test: FAILED: kernel options without a row in README.md's option table:$missing"
	exit 1
fi
echo "make test: README.md's option table has all $(echo "$keys" | wc -l) kernel options"
