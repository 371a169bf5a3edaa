#!/bin/bash
# tools/gdb/free-port.sh - print a TCP port of 127.0.0.1 that nobody
# listens on now, for a QEMU gdb stub (make qemu-gdb, make gdb, make
# test's gdb check).  The kernel picks it (bind to port 0), so two people
# on one machine get different ports; QEMU binds it a moment later, and
# the callers check that it did.
exec python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
