# tools/lines-in-order.sh - sourced by the scripts that type at a shell
# (test-shell-exit.sh, test-busybox.sh, test-busybox-tty.sh).
#
# lines_in_order LOG FLAGS PATTERN... - each PATTERN matches a line of
# LOG after the line the one before it matched, with grep FLAGS (-xF: the
# whole line, as typed; -E: a regular expression).  Prints nothing and
# returns 0 when all do; else prints which one is missing, and after
# which line, and returns 1.
lines_in_order() {
	local log=$1 flags=$2 at=0 n want
	shift 2
	for want in "$@"; do
		n=$(tail -n +$((at + 1)) "$log" | grep -n $flags -m1 -e "$want" | cut -d: -f1)
		if [ -z "$n" ]; then
			echo "no line matching '$want' (after line $at)"
			return 1
		fi
		at=$((at + n))
	done
}
