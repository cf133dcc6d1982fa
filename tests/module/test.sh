# SPDX-License-Identifier: GPL-2.0
# The module's own checks: what src/lib.rs does, checked in the guest. Yours
# replace these when you replace src/lib.rs (docs/own-module.md).
#
# This script runs in the same boot as the generic checks (load, unload,
# reload, a clean kernel log: tests/guest/module.sh), in `make check`,
# `make test` and `make run`. It is written like an example's test.sh: the
# helpers of tests/guest/lib.sh (check, expect, expect_match, load, unload,
# module_log, ...) print one PASS or FAIL line per check, and `finish` ends
# it. $MODULE is the module's name (hello, or what make rename made it);
# test programs built from tests/module/*.c are in /.
. /lib.sh

# hello keeps `count` greetings (default 3) and says goodbye to each.
load "$MODULE"
expect "init logs the greeting lines at KERN_INFO" "\
<6>Hello from Rust! Keeping 3 greetings.
<6>core::fmt works here:  right|left  |0xbeef|-42
<6>a literal percent sign: 100%
<6>greeting #1 of 3 ready
<6>greeting #2 of 3 ready
<6>greeting #3 of 3 ready" "$(module_log "$MODULE")"
expect "the count parameter reads 3 in sysfs" 3 "$(cat /sys/module/"$MODULE"/parameters/count)"
unload "$MODULE"
expect "exit logs the greetings kept since init" "\
<6>Goodbye from Rust! Dropping 3 greetings kept since init:
<6>  greeting #1 of 3
<6>  greeting #2 of 3
<6>  greeting #3 of 3" "$(module_log "$MODULE")"

load "$MODULE" count=1
unload "$MODULE"
expect "a load with count=1 keeps one greeting" "\
<6>Hello from Rust! Keeping 1 greetings.
<6>core::fmt works here:  right|left  |0xbeef|-42
<6>a literal percent sign: 100%
<6>greeting #1 of 1 ready
<6>Goodbye from Rust! Dropping 1 greetings kept since init:
<6>  greeting #1 of 1" "$(module_log "$MODULE")"

# A bad parameter value fails the load, and leaves nothing behind.
out=$(insmod /"$MODULE".ko count=99 2>&1)
status=$?
check "count=99 makes insmod fail" [ "$status" != 0 ]
expect_match "... with EINVAL" "Invalid argument" "$out"
# busybox insmod retries a failed finit_module() with init_module(), so init
# runs, and logs, once per attempt.
expect "... and is reported at KERN_ERR" "<3>count=99 is out of range (0 to 16)" \
	"$(module_log "$MODULE" | sort -u)"
check "a failed load leaves no module behind" eval "! loaded $MODULE"
finish
