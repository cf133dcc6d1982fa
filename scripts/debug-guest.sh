# SPDX-License-Identifier: GPL-2.0
# The guest side of make debug (scripts/debug.sh): load the module, print
# where the kernel put its sections, then run /trigger.sh (the TRIGGER
# command) every $TRIGGER_PERIOD seconds until the host stops the VM.
#
# The host waits for the "@@ sections" line, whose words are NAME=ADDRESS,
# one per file in /sys/module/$MODULE/sections/, and hands them to gdb's
# add-symbol-file. Each round of the trigger ends with a line
# "@@ trigger N tainted=T", so the host can tell that the guest ran on after
# gdb let it go, and with what taint. $MODULE, $TRIGGER_PERIOD and $KALLSYMS
# come from /guest.env.
echo "Linux $(uname -r) is up."
if ! out=$(insmod "/$MODULE.ko" 2>&1); then
	echo "@@ insmod-failed $out"
	dmesg | tail -n 20
	exit
fi
dmesg | grep "$MODULE" | grep -v taint
# The kernel's own functions, when the host asks (once per kernel: with
# nokaslr they stay where they are), for gdb to name the kernel's frames.
if [ -n "${KALLSYMS:-}" ]; then
	echo "@@ kallsyms"
	grep ' [Tt] ' /proc/kallsyms | grep -v '\['
	echo "@@ kallsyms-end"
fi
sections=
for file in /sys/module/"$MODULE"/sections/.* /sys/module/"$MODULE"/sections/*; do
	[ -f "$file" ] && sections="$sections $(basename "$file")=$(cat "$file")"
done
echo "@@ sections$sections"
round=0
while :; do
	round=$((round + 1))
	out=$(sh /trigger.sh 2>&1)
	[ -z "$out" ] || echo "$out"
	echo "@@ trigger $round tainted=$(cat /proc/sys/kernel/tainted)"
	sleep "$TRIGGER_PERIOD"
done
