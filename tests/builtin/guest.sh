# SPDX-License-Identifier: GPL-2.0
# Guest side of make test-builtin (scripts/test-builtin.sh): a kernel with the
# template module built in, booted with $MODULE.count=2 on its command line.
# Nothing is loaded: the module's init ran at boot.
. /lib.sh

boot_log=$(dmesg -r | sed 's/\[ *[0-9]*\.[0-9]*\] //' | grep -E "^<[0-7]>$MODULE: " | sed -E "s/^(<[0-7]>)$MODULE: /\1/")
expect "init ran at boot, without insmod, with count=2 from the kernel command line" "\
<6>Hello from Rust! Keeping 2 greetings.
<6>core::fmt works here:  right|left  |0xbeef|-42
<6>a literal percent sign: 100%
<6>greeting #1 of 2 ready
<6>greeting #2 of 2 ready" "$boot_log"
check "it is not a loaded module: /proc/modules does not list it" eval "! grep -q '^$MODULE ' /proc/modules"
expect "its parameter is in /sys/module/$MODULE/parameters, as a module's" 2 "$(cat /sys/module/"$MODULE"/parameters/count)"
check "rmmod cannot remove it (built in)" eval "! rmmod $MODULE 2>/dev/null"
kernel_log >/dev/null
finish
