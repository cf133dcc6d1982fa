# SPDX-License-Identifier: GPL-2.0
# Guest side of the panic test (scripts/test.sh): a Rust panic during init must
# oops through BUG() and leave the kernel running.
dmesg -c >/dev/null
echo "@@ insmod-panic"
insmod /$MODULE.ko panic_on_init=1; echo "status=$?"
echo "@@ panic-log"
dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //' | awk 1
echo "@@ alive"
echo "still running, uptime $(cut -d' ' -f1 /proc/uptime)"
echo "@@ tainted"
cat /proc/sys/kernel/tainted
