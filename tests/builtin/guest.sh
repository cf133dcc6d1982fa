# SPDX-License-Identifier: GPL-2.0
# Guest side of make test-builtin (scripts/test-builtin.sh): a kernel with the
# template module built in, booted with $MODULE.count=2 on its command line.
# Nothing is loaded: the module's init ran at boot (its lines are in the
# console log, which the host checks: the guest's kernel log starts empty).
. /lib.sh

check "it is not a loaded module: /proc/modules does not list it" eval "! grep -q '^$MODULE ' /proc/modules"
expect "its parameter is in /sys/module/$MODULE/parameters, as a module's" 2 "$(cat /sys/module/"$MODULE"/parameters/count)"
check "rmmod cannot remove it (built in)" eval "! rmmod $MODULE 2>/dev/null"
kernel_log >/dev/null
finish
