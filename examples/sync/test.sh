# SPDX-License-Identifier: GPL-2.0
# rust_sync in the guest: concurrent writes to /dev/rust_sync lose no update.
. /lib.sh

dev=/dev/rust_sync
# write_status TEXT: writes TEXT with one write(2); prints the error, if any.
write_status() { printf '%s' "$1" | dd of=$dev bs=64 2>&1 | sed -n 's/^dd: error writing.*: //p'; }

load rust_sync
expect "init logs that the device is ready" "rust_sync: /dev/rust_sync is ready" \
	"$(kernel_log | grep rust_sync | grep -v taint)"
expect "a new device reads 0 0 0" "0 0 0" "$(cat $dev)"

echo 5 >$dev
echo 7 >$dev
expect "after writing 5 and 7: total 12, 2 writes, atomic total 12" "12 2 12" "$(cat $dev)"

# 8 processes, 2000 writes each, all at once (the VM has 2 CPUs).
out=$(/sync_hammer 8 2000)
check "8 processes x 2000 writes: every write succeeds" [ $? = 0 ]
expect "no update is lost: total, count and atomic total are exact" \
	"$(echo "$out" | sed -n 's/^expected: //p' | awk '{ print $1 + 12, $2 + 2, $3 + 12 }')" \
	"$(echo "$out" | sed -n 's/^device: *//p')"
expect "which is 16008012 16002 16008012" "16008012 16002 16008012" "$(cat $dev)"

expect "a write that is not a number fails with EINVAL" "Invalid argument" "$(write_status abc)"
expect "an empty write fails with EINVAL" "Invalid argument" "$(write_status ' ')"
expect "a write of more than 32 bytes fails with EINVAL" "Invalid argument" \
	"$(write_status 000000000000000000000000000000001)"
expect "a number of 32 bytes is accepted" "" "$(write_status 00000000000000000000000000000001)"
expect "a total that would overflow fails with EOVERFLOW" "Value too large for defined data type" \
	"$(write_status 18446744073709551615)"
expect "rejected writes change nothing" "16008013 16003 16008013" "$(cat $dev)"

unload rust_sync
load_unload_twice rust_sync
finish
