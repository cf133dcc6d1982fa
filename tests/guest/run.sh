# SPDX-License-Identifier: GPL-2.0
# Guest side of `make run`: load the module, show its log, unload it.
module_log() { dmesg -c | grep " $MODULE: " | sed 's/^/  /'; }
dmesg -c >/dev/null
echo "Linux $(uname -r) is up. Loading the module:"
echo "# insmod $MODULE.ko"
insmod /$MODULE.ko || echo "insmod failed with status $?"
module_log
echo "# cat /sys/module/$MODULE/parameters/count"
cat /sys/module/$MODULE/parameters/count
echo "# rmmod $MODULE"
rmmod $MODULE || echo "rmmod failed with status $?"
module_log
echo "@@ tainted"
cat /proc/sys/kernel/tainted
