# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of examples/kthread: the thread [rust_kthread] runs, is
# kicked by a timer and counts in /proc/rust_kthread; rmmod stops it
# promptly (also while the file is open, and after it ended on its own).
. /lib.sh

file=/proc/rust_kthread

# field NAME TEXT: the value on the line "NAME <value>" of TEXT.
field() { printf '%s\n' "$2" | sed -n "s/^$1 //p"; }
# threads: how many [rust_kthread] processes ps lists.
threads() { ps | grep -c '\[rust_kthread\]'; }
# now_ms: uptime in milliseconds.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

load rust_kthread
expect_match "init logs the kick interval" '^rust_kthread: thread started, kicked every 50 ms$' "$(kernel_log)"
# The reads are at least 2 s apart, and at most $t2 - $t1 ms (more than 2 s
# on a slow machine: a debug kernel under emulation starts a process slowly).
t1=$(now_ms)
first=$(cat $file)
expect "init waited for the thread: right after insmod its state is running" "running" "$(field state "$first")"
expect "ps lists one [rust_kthread] kernel thread" "1" "$(threads)"
sleep 2
second=$(cat $file)
t2=$(now_ms)
expect "the file has four lines: state, kicks, events, wakeups" "state kicks events wakeups" \
	"$(printf '%s\n' "$second" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
k1=$(field kicks "$first")
k2=$(field kicks "$second")
e2=$(field events "$second")
w1=$(field wakeups "$first")
w2=$(field wakeups "$second")
echo "    read 1: kicks $k1 wakeups $w1; 2 s later: kicks $k2 events $e2 wakeups $w2"
check "the timer keeps kicking: kicks grow ($k1 -> $k2)" [ "$k2" -gt "$k1" ]
check "the thread keeps waking: wakeups grow ($w1 -> $w2)" [ "$w2" -gt "$w1" ]
most=$(((t2 - t1) / 50 + 2))
check "in 2 s (at most $((t2 - t1)) ms) a 50 ms timer kicks 10 to $most times (got $((k2 - k1)))" \
	eval "[ $((k2 - k1)) -ge 10 ] && [ $((k2 - k1)) -le $most ]"
check "wakeups <= events <= kicks" eval "[ $w2 -le $e2 ] && [ $e2 -le $k2 ]"
check "the thread keeps up: kicks - events is at most 3 + kicks/10 (got $((k2 - e2)))" \
	[ $((k2 - e2)) -le $((3 + k2 / 10)) ]
expect "the thread is still running" "running" "$(field state "$second")"

# rmmod while a shell holds the file open: the thread is stopped and logs it.
exec 3<$file
check "rmmod succeeds while /proc/rust_kthread is held open" rmmod rust_kthread
expect "after rmmod ps lists no [rust_kthread]" "0" "$(threads)"
check "/proc/rust_kthread is gone after rmmod" eval "[ ! -e $file ]"
out=$(dd bs=64 count=1 <&3 2>&1 >/dev/null)
expect_match "a read of the fd held open across rmmod fails with EIO" 'Input/output error' "$out"
exec 3<&-
log=$(kernel_log)
expect_match "the thread itself logs that it stops" '^rust_kthread: thread stopping after [0-9]+ wakeups$' "$log"
n=$(printf '%s\n' "$log" | sed -n 's/^rust_kthread: thread stopping after \([0-9]*\) wakeups$/\1/p')
check "it stopped after at least the wakeups seen before ($n >= $w2)" [ "${n:-0}" -ge "$w2" ]
sleep 1
expect "nothing of rust_kthread runs after rmmod: no log line in 1 s" "" "$(kernel_log | grep rust_kthread)"

# kthread_stop() wakes a sleeping thread at once: with a 10 s interval the
# thread sleeps in its wait (5 s timeout), and rmmod still returns quickly.
load rust_kthread interval_ms=10000
sleep 0.5
t0=$(now_ms)
rmmod rust_kthread
t1=$(now_ms)
check "rmmod of a sleeping thread returns in under 1 s (took $((t1 - t0)) ms)" [ $((t1 - t0)) -lt 1000 ]
expect_match "the sleeping thread logs its stop with 0 wakeups" '^rust_kthread: thread stopping after 0 wakeups$' "$(kernel_log)"
expect "no [rust_kthread] is left" "0" "$(threads)"

# A thread that returns before it is stopped: rmmod only collects it.
load rust_kthread max_wakeups=3
sleep 1
out=$(cat $file)
expect "with max_wakeups=3 the thread ends on its own after 3 wakeups" "exited 3" \
	"$(field state "$out") $(field wakeups "$out")"
expect_match "the thread logs its own end" '^rust_kthread: thread stopping after 3 wakeups$' "$(kernel_log)"
expect "the exited thread is gone from ps" "0" "$(threads)"
check "the timer still kicks the exited thread's queue harmlessly ($(field kicks "$out") kicks)" \
	[ "$(field kicks "$out")" -gt 3 ]
unload rust_kthread
expect "rmmod after the thread ended logs nothing more" "" "$(kernel_log | grep rust_kthread)"

# An interval of 0 would spin: init refuses it, and no thread is left behind.
out=$(insmod /rust_kthread.ko interval_ms=0 2>&1)
expect_match "interval_ms=0 fails the load with EINVAL" 'Invalid argument' "$out"
expect_match "init logs why interval_ms=0 was refused" '^rust_kthread: interval_ms=0 is out of range \(1 to 10000\)$' "$(kernel_log)"
check "the failed load leaves no module, thread or file" eval "! loaded rust_kthread && [ $(threads) = 0 ] && [ ! -e $file ]"

load_unload_twice rust_kthread
expect "load_unload_twice: each round's thread logged its stop" "2" \
	"$(kernel_log | grep -c '^rust_kthread: thread stopping after [0-9]* wakeups$')"
finish
