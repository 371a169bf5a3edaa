#!/bin/sh
# tools/draw/deps-chromium.sh - make sure headless Chromium (Debian's
# package chromium) is installed, for make test's check of the drawings
# (tools/draw/check.py).  As tools/deps.sh: installed with apt-get when we
# are root, otherwise the command to run is printed and we fail.
set -e
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing chromium (for the drawings' test)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq chromium >/dev/null
	echo "deps: installed"
	exit 0
fi
echo "deps: missing package: chromium (make test's drawing check; DRAWTEST=0 skips it)"
echo "deps: run this, then make again:"
echo "    sudo apt-get update && sudo apt-get install -y chromium"
exit 1
