# SPDX-License-Identifier: GPL-2.0
# make bench, inside the guest (busybox sh, root): the runtime figures.
# scripts/bench.sh boots Debian's kernel with this script, the Rust and C
# modules, the user programs and the example's test files in /, and
# BENCH_REPS, BENCH_MS, BENCH_LINES and BENCH_LOOPS in the environment.
# Everything it prints goes to the host in "@@ <section>" blocks.

reps=${BENCH_REPS:-3}
ms=${BENCH_MS:-200}
lines=${BENCH_LINES:-50}
loops=${BENCH_LOOPS:-32}

# Lines the benchmark itself floods the log with, left out of the log kept.
noise='value [0-9]* of bench|a line without arguments'
# kept_log: appends what the kernel logged since the last call, but the
# benchmark's own lines, to /tmp/kernel.log.
kept_log() {
	dmesg -c | grep -vE "$noise" >>/tmp/kernel.log
}

# Every measurement runs on CPU 0 (taskset 1): a task that moves between the
# two emulated CPUs, or runs on either, gives two sets of figures.

# scripts/vm.sh boots with ignore_loglevel, which sends every message to the
# serial console, whatever its level. The printing benchmark is about
# formatting and storing in the printk ring buffer, not about the emulated
# UART, so turn that off and keep everything but emergencies off the console.
echo N >/sys/module/printk/parameters/ignore_loglevel
dmesg -n 1
echo "@@ printk"
echo "ignore_loglevel=$(cat /sys/module/printk/parameters/ignore_loglevel) printk=$(cat /proc/sys/kernel/printk | tr '\t' ' ')"
kept_log

# The C baseline of the chardev example passes the example's own test.
echo "@@ c-chardev-test"
sh /chardev_test_c.sh >/tmp/c_chardev_test.out 2>&1
echo "pass=$(grep -c '^PASS ' /tmp/c_chardev_test.out) fail=$(grep -c '^FAIL ' /tmp/c_chardev_test.out)"
grep -A2 '^FAIL ' /tmp/c_chardev_test.out
grep -qx '@@ tests-complete' /tmp/c_chardev_test.out || echo "the test stopped early"
kept_log

# Throughput: each size and direction, the devices taking turns
# (bench/user/chardev_bench.c): Rust's, C's, and C's reached through the
# layers Rust's is (layered_chardev.c); one line per device and
# round:
# "<lang> <op> <size> <slices> <calls per slice> <bytes per call> <median slice ns>".
echo "@@ throughput"
insmod /rust_chardev.ko || echo "insmod rust_chardev failed"
insmod /c_chardev.ko || echo "insmod c_chardev failed"
insmod /layered_chardev.ko || echo "insmod layered_chardev failed"
round=1
while [ $round -le "$reps" ]; do
	for op in read write; do
		for size in 64 4096 65536; do
			taskset 1 /chardev_bench $op $size "$ms" /dev/rust_chardev /dev/c_chardev \
				/dev/layered_chardev |
				sed -n "s|^/dev/\([a-z]*\)_chardev |\1 $op $size |p"
		done
	done
	round=$((round + 1))
done
rmmod rust_chardev
rmmod c_chardev
rmmod layered_chardev
kept_log

# Printing: each load prints $loops rounds of two batches of $lines lines and
# logs each batch's time; the languages take turns, the order swapped every
# round. One line per batch: "<lang> <round> formatted|plain <lines> <ns>".
echo "@@ printing"
round=1
while [ $round -le "$reps" ]; do
	if [ $((round % 2)) = 1 ]; then order="rust c"; else order="c rust"; fi
	for lang in $order; do
		taskset 1 insmod /${lang}_printbench.ko lines="$lines" loops="$loops" ||
			echo "insmod ${lang}_printbench failed"
		dmesg | sed -n "s/.*${lang}_printbench: result /$lang $round /p"
		rmmod ${lang}_printbench
		kept_log
	done
	round=$((round + 1))
done

echo "@@ kernel-log"
kept_log
cat /tmp/kernel.log
echo "@@ tainted"
cat /proc/sys/kernel/tainted
