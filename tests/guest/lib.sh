# SPDX-License-Identifier: GPL-2.0
# Check helpers for the guest-side example tests (examples/<name>/test.sh).
#
# scripts/test.sh copies this file to the guest's /lib.sh, the example's
# module to /<module>.ko and its test programs to /, then runs the example's
# test.sh, which starts with ". /lib.sh". Every check prints one line,
# "PASS <what>" or "FAIL <what>", that the host counts; a failure also prints
# what was expected and what came out. The script ends with `finish`, so the
# host can tell a script that ran to its end from one that stopped early.

# check WHAT COMMAND...: passes when COMMAND succeeds.
check() {
	_what=$1
	shift
	if "$@"; then
		echo "PASS $_what"
	else
		echo "FAIL $_what"
	fi
}

# expect WHAT EXPECTED ACTUAL: passes when the two texts are equal.
expect() {
	if [ "$2" = "$3" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		echo "    expected: $(printf '%s' "$2" | head -c 400 | tr '\n' '|')"
		echo "    actual:   $(printf '%s' "$3" | head -c 400 | tr '\n' '|')"
	fi
}

# expect_match WHAT PATTERN ACTUAL: passes when a line of ACTUAL matches the
# extended regular expression PATTERN.
expect_match() {
	if printf '%s\n' "$3" | grep -qE -- "$2"; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		echo "    no line matches: $2"
		echo "    actual: $(printf '%s' "$3" | head -c 400 | tr '\n' '|')"
	fi
}

# kernel_log: the kernel messages since the last call, without timestamps.
kernel_log() {
	dmesg -c | sed 's/^\[ *[0-9]*\.[0-9]*\] //'
}

# module_log MODULE: MODULE's kernel messages since the last call, each as
# "<level>text" (e.g. "<6>Hello", KERN_INFO), without the "MODULE: " prefix
# and without the kernel's notices that loading it tainted the kernel.
module_log() {
	dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //' | grep -E "^<[0-7]>$1: " |
		grep -vE 'taints kernel|module verification failed' | sed -E "s/^(<[0-7]>)$1: /\1/"
}

# expect_oops: this script makes the kernel oops on purpose (a panic test),
# so the host must not count the oops and the taint (D) it leaves against the
# boot; the script checks them itself.
expect_oops() {
	_oops_expected=1
}

# loaded MODULE: is MODULE in /proc/modules?
loaded() {
	grep -q "^$1 " /proc/modules
}

# load MODULE [PARAM=VALUE...]: insmod /MODULE.ko, as a check.
load() {
	_module=$1
	shift
	check "insmod $_module${*:+ $*}" insmod "/$_module.ko" "$@"
}

# unload MODULE: rmmod MODULE, as a check, and that it is gone.
unload() {
	check "rmmod $1" rmmod "$1"
	check "$1 is no longer listed in /proc/modules" eval "! loaded $1"
}

# load_unload_twice MODULE: two more rounds of insmod and rmmod.
load_unload_twice() {
	for _round in 1 2; do
		check "round $_round: insmod $1" insmod "/$1.ko"
		check "round $_round: rmmod $1" rmmod "$1"
	done
	check "$1 is not loaded after two rounds" eval "! loaded $1"
}

# finish: marks the end of the test script for the host.
finish() {
	echo "@@ tests-complete"
	[ -z "${_oops_expected:-}" ] || echo "@@ oops-expected"
	echo "@@ tainted"
	cat /proc/sys/kernel/tainted
	echo "@@ modules"
	cat /proc/modules
}

dmesg -c >/dev/null
