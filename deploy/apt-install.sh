#!/usr/bin/env bash
# Installs Debian packages for `make run` / `make test`, waiting (up to ten
# minutes) while another install - apt, dpkg, unattended-upgrades - holds
# apt's locks instead of failing. Not root: prints the command to run instead.
#
#   deploy/apt-install.sh PACKAGE...
#
# apt-get's -o DPkg::Lock::Timeout makes `apt-get install` wait for the dpkg
# lock, but `apt-get update` ignores it for the package lists' lock (apt 2.6,
# Debian 12), so update is retried here while that lock is taken.
set -euo pipefail

if (($# == 0)); then
	echo "usage: $0 PACKAGE..." >&2
	exit 2
fi
if ((EUID != 0)); then
	echo "Missing Debian packages: run 'sudo apt-get install -y $*', then try again." >&2
	exit 1
fi

wait_seconds=600
export DEBIAN_FRONTEND=noninteractive

# apt_get runs apt-get, trying again while another process holds one of its locks.
apt_get() {
	local err deadline=$((SECONDS + wait_seconds)) said='' rc=0
	err=$(mktemp)
	until apt-get -o DPkg::Lock::Timeout="$wait_seconds" "$@" 2>"$err"; do
		if ! grep -q 'Could not get lock' "$err" || ((SECONDS >= deadline)); then
			rc=1
			break
		fi
		[[ -n $said ]] || echo "apt is busy with another install; waiting for it to finish..." >&2
		said=1
		sleep 3
	done
	cat "$err" >&2 # the error, or warnings
	rm -f "$err"
	return "$rc"
}

echo "Installing $* with apt-get" >&2
apt_get update -qq
apt_get install -y -qq "$@"
