#!/bin/sh
# tests/user/mkdata.sh DIR - the data files the user tests read, in DIR.
#
# They ship in the initramfs as /tests/data/ (a folder, so init does not
# try to run them) and the tests find them next to their own binary.
#
#   rows.txt  14000 bytes, 1400 lines "row 00000".."row 01399": 3 pages and
#             a part, so file mappings have a partial last page; byte i
#             is predictable from i (tests/user/filemap.c).  Mode 0644:
#             exec of it is EACCES.
#   not-elf   a text file with execute permission: exec is ENOEXEC
#   bad-elf   an ELF magic on a header of zeros (e_type 0), executable:
#             exec is ENOEXEC
set -e
dir=$1
mkdir -p "$dir"
seq -f 'row %05g' 0 1399 > "$dir/rows.txt"
chmod 0644 "$dir/rows.txt"
printf 'this is not an ELF file\n' > "$dir/not-elf"
chmod 0755 "$dir/not-elf"
{ printf '\177ELF\002\001\001'; head -c 57 /dev/zero; } > "$dir/bad-elf"
chmod 0755 "$dir/bad-elf"
