# SPDX-License-Identifier: GPL-2.0
# Guest side of the template module's tests (scripts/test.sh): load, reload, bad
# input. $MODULE, the module's name, comes from /guest.env (scripts/vm.sh).
# Each "@@ name" starts a section that the host reads and checks.
log() { dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //' | awk 1; }
dmesg -c >/dev/null

echo "@@ insmod"
insmod /$MODULE.ko; echo "status=$?"
echo "@@ load-log"
log
echo "@@ param-count"
cat /sys/module/$MODULE/parameters/count
echo "@@ modules-loaded"
grep -c "^$MODULE " /proc/modules
echo "@@ rmmod"
rmmod $MODULE; echo "status=$?"
echo "@@ unload-log"
log

echo "@@ reload"
insmod /$MODULE.ko count=1; echo "status=$?"
rmmod $MODULE; echo "status=$?"
echo "@@ reload-log"
log

echo "@@ bad-count"
insmod /$MODULE.ko count=99 2>&1; echo "status=$?"
echo "@@ bad-count-log"
log
echo "@@ modules-after-bad-count"
grep -c "^$MODULE " /proc/modules

echo "@@ tainted"
cat /proc/sys/kernel/tainted
echo "@@ full-log"
dmesg
