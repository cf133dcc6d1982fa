# SPDX-License-Identifier: GPL-2.0
# The own checks of tests/own-module/lib.rs, a module that is not hello: in
# make test's renamed copy, this file is tests/module/test.sh.
. /lib.sh

load "$MODULE"
expect "init says the device is ready" "<6>/dev/lastword is ready" "$(module_log "$MODULE")"
printf one >/dev/lastword
printf two >/dev/lastword
expect "a read returns the last word written" two "$(cat /dev/lastword)"
out=$(dd if=/dev/zero of=/dev/lastword bs=65 count=1 2>&1)
expect_match "a write of more than 64 bytes fails with ENOSPC" "No space left on device" "$out"
expect "... and leaves the last word as it was" two "$(cat /dev/lastword)"
unload "$MODULE"
check "/dev/lastword is gone after rmmod" eval "[ ! -e /dev/lastword ]"
finish
