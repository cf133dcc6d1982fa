# SPDX-License-Identifier: GPL-2.0
# Guest side of `make run`: load the module, show its log, unload it.
module_log() { dmesg -c | awk '/ hello: / { print "  " $0 }'; }
dmesg -c >/dev/null
echo "Linux $(uname -r) is up. Loading the module:"
echo "# insmod hello.ko"
insmod /hello.ko || echo "insmod failed with status $?"
module_log
echo "# cat /sys/module/hello/parameters/count"
cat /sys/module/hello/parameters/count
echo "# rmmod hello"
rmmod hello || echo "rmmod failed with status $?"
module_log
echo "@@ tainted"
cat /proc/sys/kernel/tainted
