# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of examples/sysfs: /sys/kernel/rust_sysfs/ with a
# read-only and two validated read-write attributes.
. /lib.sh

dir=/sys/kernel/rust_sysfs

# write ATTR TEXT: writes TEXT (no newline added) to ATTR; prints the error.
# (echo, not printf: busybox's printf does not report a failed write.)
write() { echo -n "$2" 2>&1 >$dir/$1; }

load rust_sysfs
expect_match "init logs the directory it created" '^rust_sysfs: created /sys/kernel/rust_sysfs$' "$(kernel_log)"
expect "the directory has the three attributes" "name value version" "$(ls $dir | tr '\n' ' ' | sed 's/ $//')"
expect "version is read-only (0444)" "-r--r--r--" "$(ls -l $dir/version | cut -c1-10)"
expect "value is read-write (0644)" "-rw-r--r--" "$(ls -l $dir/value | cut -c1-10)"
expect "name is read-write (0644)" "-rw-r--r--" "$(ls -l $dir/name | cut -c1-10)"

expect "version reads 1.0" "1.0" "$(cat $dir/version)"
expect "value starts at 0" "0" "$(cat $dir/value)"
expect "name starts as rust" "rust" "$(cat $dir/name)"
expect "a read returns one line, with its newline" "2" "$(wc -c <$dir/value)"

# value: an i64, with or without the newline echo adds.
echo 42 >$dir/value
expect "echo 42 > value, then value reads 42" "42" "$(cat $dir/value)"
write value -17
expect "a write without newline works: -17" "-17" "$(cat $dir/value)"
write value 9223372036854775807
expect "value takes i64::MAX" "9223372036854775807" "$(cat $dir/value)"
write value -9223372036854775808
expect "value takes i64::MIN" "-9223372036854775808" "$(cat $dir/value)"
write value +5
expect "value takes a leading +" "5" "$(cat $dir/value)"
write value 7
# (An empty write never reaches store: sysfs returns 0 for it.)
for junk in abc "1x" " 1" "1 " "0x10" "1.5" "9223372036854775808" "-9223372036854775809" "-" "+"; do
	expect "writing '$junk' to value fails with EINVAL" "sh: write error: Invalid argument" "$(write value "$junk")"
done
expect "writing 4 and two newlines to value fails with EINVAL (only one is dropped)" \
	"sh: write error: Invalid argument" "$(write value "4

")"
expect "echo with no text (a lone newline) to value fails with EINVAL" "sh: write error: Invalid argument" \
	"$(echo 2>&1 >$dir/value)"
expect "value is still 7 after the rejected writes" "7" "$(cat $dir/value)"

# name: 1 to 16 bytes of text.
echo hello >$dir/name
expect "echo hello > name, then name reads hello" "hello" "$(cat $dir/name)"
write name "sixteen-bytes-ok"
expect "name takes 16 bytes" "sixteen-bytes-ok" "$(cat $dir/name)"
expect "a 17-byte name fails with EINVAL" "sh: write error: Invalid argument" "$(write name seventeen-bytes-x)"
expect "an empty name fails with EINVAL" "sh: write error: Invalid argument" "$(echo 2>&1 >$dir/name)"
expect "a name of two lines fails with EINVAL" "sh: write error: Invalid argument" "$(write name "a
b")"
expect "name is unchanged after the rejected writes" "sixteen-bytes-ok" "$(cat $dir/name)"
echo "two words" >$dir/name
expect "name may contain spaces" "two words" "$(cat $dir/name)"

# More than a page in one write: store gets the first page, 4096 digits.
out=$(head -c 5000 /dev/zero | tr '\0' 1 | dd of=$dir/value bs=5000 2>&1)
expect_match "a 5000-digit write fails with EINVAL" "error writing '$dir/value': Invalid argument" "$out"
expect "value is still 7 after the oversized write" "7" "$(cat $dir/value)"

# The read-only attribute has no store: sysfs refuses to open it for writing,
# even for root.
expect_match "writing to version fails with EACCES at open" \
	"can't create $dir/version: Permission denied$" "$(echo 2 2>&1 >$dir/version)"
out=$(echo 2 | dd of=$dir/version 2>&1)
expect_match "dd of=version fails with EACCES" "can't open '$dir/version': Permission denied" "$out"
expect "version still reads 1.0" "1.0" "$(cat $dir/version)"

# rmmod while a file is open: the directory goes, later reads fail with ENODEV.
write value 99
exec 3<$dir/value
check "rmmod succeeds while value is open" rmmod rust_sysfs
check "/sys/kernel/rust_sysfs is gone" eval "[ ! -e $dir ]"
out=$(dd bs=64 count=1 <&3 2>&1 >/dev/null)
expect_match "a read of the still-open file after rmmod fails with ENODEV" 'No such device' "$out"
exec 3<&-
expect_match "unload logs the last values" '^rust_sysfs: unloading with value=99 name=two words$' "$(kernel_log)"

# rmmod while readers and writers are busy: removal waits for them.
load rust_sysfs
(while echo 1 >$dir/value && cat $dir/name >/dev/null; do :; done) 2>/dev/null &
(while echo abc >$dir/name && cat $dir/value >/dev/null; do :; done) 2>/dev/null &
sleep 1
check "rmmod succeeds while two loops read and write the files" rmmod rust_sysfs
wait
check "the loops stopped once the directory was gone" eval "[ ! -e $dir ]"
check "rust_sysfs is no longer listed in /proc/modules" eval "! loaded rust_sysfs"

load_unload_twice rust_sysfs
finish
