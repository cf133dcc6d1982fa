# SPDX-License-Identifier: GPL-2.0
# Guest side of the hello tests (scripts/test.sh): load, reload, bad input.
# Each "@@ name" starts a section that the host reads and checks.
log() { dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //' | awk 1; }
dmesg -c >/dev/null

echo "@@ insmod"
insmod /hello.ko; echo "status=$?"
echo "@@ load-log"
log
echo "@@ param-count"
cat /sys/module/hello/parameters/count
echo "@@ modules-loaded"
grep -c '^hello ' /proc/modules
echo "@@ rmmod"
rmmod hello; echo "status=$?"
echo "@@ unload-log"
log

echo "@@ reload"
insmod /hello.ko count=1; echo "status=$?"
rmmod hello; echo "status=$?"
echo "@@ reload-log"
log

echo "@@ bad-count"
insmod /hello.ko count=99 2>&1; echo "status=$?"
echo "@@ bad-count-log"
log
echo "@@ modules-after-bad-count"
grep -c '^hello ' /proc/modules

echo "@@ tainted"
cat /proc/sys/kernel/tainted
echo "@@ full-log"
dmesg
