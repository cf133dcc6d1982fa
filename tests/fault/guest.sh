# SPDX-License-Identifier: GPL-2.0
# Guest side of the allocation-failure tests (scripts/fail-alloc.sh): every
# module here was built with `make FAIL_ALLOC=1`, so its Rust allocator fails
# the N-th allocation when told to (fail_alloc_nth) and reports leaks
# ("allocations leaked after ...") after a failed init and at unload.
#
# For each module: load it with each allocation of its init failing in turn,
# until a load no longer reaches the failure; each must fail with ENOMEM and
# leave nothing behind (or cope, and load). Then the user paths that allocate: the next
# allocation is made to fail and the operation must fail cleanly, and work
# again after.
. /lib.sh

# set_next_to_fail MODULE: the module's next allocation will fail.
set_next_to_fail() {
	echo $(($(cat /sys/module/$1/parameters/alloc_count) + 1)) >/sys/module/$1/parameters/fail_alloc_nth
}

for ko in /*.ko; do
	m=$(basename "$ko" .ko)
	n=1
	while [ $n -le 64 ]; do
		out=$(insmod "$ko" fail_alloc_nth=$n 2>&1)
		if [ $? = 0 ]; then
			count=$(cat /sys/module/$m/parameters/alloc_count)
			check "rmmod $m after a load with fail_alloc_nth=$n" rmmod $m
			# Done once init no longer reaches the failure; a module may
			# also cope with a failed allocation and load anyway (params
			# shows a string it cannot copy as "(ENOMEM)").
			[ "$count" -lt $n ] && break
			echo "PASS $m: init copes with allocation $n failing and loads"
			n=$((n + 1))
			continue
		fi
		expect_match "$m: init with allocation $n failing fails with ENOMEM" 'Cannot allocate memory' "$out"
		check "$m: nothing is left loaded after allocation $n failed" eval "! loaded $m"
		n=$((n + 1))
	done
	check "$m: init makes fewer than 64 allocations" [ $n -le 64 ]
	check "$m: init allocates at least once, so the failure paths above ran" [ $n -gt 1 ]
done

# User paths that allocate.
insmod /rust_sysfs.ko
echo before >/sys/kernel/rust_sysfs/name
set_next_to_fail rust_sysfs
expect_match "sysfs: a store of name that cannot allocate fails with ENOMEM" 'Cannot allocate memory' \
	"$( (echo after >/sys/kernel/rust_sysfs/name) 2>&1)"
expect "sysfs: the name is unchanged after the failed store" before "$(cat /sys/kernel/rust_sysfs/name)"
echo after >/sys/kernel/rust_sysfs/name
expect "sysfs: the next store works" after "$(cat /sys/kernel/rust_sysfs/name)"
rmmod rust_sysfs

insmod /rust_sync.ko
echo 5 >/dev/rust_sync
set_next_to_fail rust_sync
expect_match "sync: a read that cannot allocate its text fails with ENOMEM" 'Cannot allocate memory' \
	"$(cat /dev/rust_sync 2>&1)"
expect "sync: the next read works" "5 1 5" "$(cat /dev/rust_sync)"
rmmod rust_sync

insmod /rust_fifo.ko
set_next_to_fail rust_fifo
expect_match "fifo: an open whose per-open state cannot be allocated fails with ENOMEM" 'Cannot allocate memory' \
	"$( (echo lost >/dev/rust_fifo) 2>&1)"
expect "fifo: the failed open stored nothing and counted no writer" "length 0 writers 0" \
	"$(grep -E '^(writers|length) ' /proc/rust_fifo | tr '\n' ' ' | sed 's/ $//')"
echo kept >/dev/rust_fifo
expect "fifo: the next open works" "kept" "$(cat /dev/rust_fifo)"
rmmod rust_fifo

insmod /rust_params.ko greeting=hi
set_next_to_fail rust_params
expect_match "params: a greeting that cannot be copied shows as (ENOMEM)" 'greeting=\(ENOMEM\)$' \
	"$(cat /proc/rust_params)"
expect_match "params: the next read shows it" 'greeting=hi$' "$(cat /proc/rust_params)"
rmmod rust_params

expect "no module reported leaked allocations" "" "$(dmesg | grep 'allocations leaked')"
finish
