# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of examples/timer: a periodic timer that queues work,
# counted in /proc/rust_timer; stopped and flushed at unload, even while the
# file is open; a bad period fails the load.
. /lib.sh

file=/proc/rust_timer

# field NAME TEXT: the number on the line "NAME <number>" of TEXT.
field() { printf '%s\n' "$2" | sed -n "s/^$1 //p"; }

# now_ms: uptime in milliseconds.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# ordered TEXT: ran <= queued <= fired in one read of the file.
ordered() {
	[ "$(field ran "$1")" -le "$(field queued "$1")" ] && [ "$(field queued "$1")" -le "$(field fired "$1")" ]
}

load rust_timer
expect_match "init logs the period" '^rust_timer: timer armed, firing every 50 ms$' "$(kernel_log)"
expect "/proc/rust_timer is a read-only regular file" "-r--r--r--" "$(ls -l $file | cut -c1-10)"

# The reads are at least 2 s apart, and at most $t2 - $t1 ms (more than 2 s
# on a slow machine: a debug kernel under emulation starts a process slowly).
t1=$(now_ms)
first=$(cat $file)
sleep 2
second=$(cat $file)
t2=$(now_ms)
expect "the file has four lines: period_ms, fired, queued, ran" "period_ms fired queued ran" \
	"$(printf '%s\n' "$second" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect "the file shows period_ms 50" "period_ms 50" "$(printf '%s\n' "$second" | head -n 1)"
f1=$(field fired "$first")
f2=$(field fired "$second")
r1=$(field ran "$first")
r2=$(field ran "$second")
echo "    read 1: fired $f1 ran $r1; read 2 s later: fired $f2 ran $r2"
check "the timer keeps firing: fired grows ($f1 -> $f2)" [ "$f2" -gt "$f1" ]
check "the work keeps running: ran grows ($r1 -> $r2)" [ "$r2" -gt "$r1" ]
most=$(((t2 - t1) / 50 + 2))
check "in 2 s (at most $((t2 - t1)) ms) a 50 ms timer fires 10 to $most times (got $((f2 - f1)))" \
	eval "[ $((f2 - f1)) -ge 10 ] && [ $((f2 - f1)) -le $most ]"
check "each read shows ran <= queued <= fired" eval 'ordered "$first" && ordered "$second"'
check "the work keeps up with the timer: fired - ran is at most 3 + fired/10 (got $((f2 - r2)))" \
	[ $((f2 - r2)) -le $((3 + f2 / 10)) ]
expect_match "the work item logs from process context every 20 runs" '^rust_timer: work has run 20 times$' "$(kernel_log)"

# rmmod while a shell holds the file open: proc_remove() releases it.
exec 3<$file
check "rmmod succeeds while /proc/rust_timer is held open" rmmod rust_timer
check "/proc/rust_timer is gone after rmmod" eval "[ ! -e $file ]"
out=$(dd bs=64 count=1 <&3 2>&1 >/dev/null)
expect_match "a read of the fd held open across rmmod fails with EIO" 'Input/output error' "$out"
exec 3<&-
log=$(kernel_log)
expect_match "unload logs the final counts" \
	'^rust_timer: stopped: timer fired [0-9]+ times, work queued [0-9]+ times and ran [0-9]+ times$' "$log"
final=$(printf '%s\n' "$log" | sed -n 's/^rust_timer: stopped: timer fired \([0-9]*\) times, work queued \([0-9]*\) times and ran \([0-9]*\) times$/\1 \2 \3/p')
set -- $final
echo "    at unload: fired $1 queued $2 ran $3"
check "the final fired count is at least the last one read ($1 >= $f2)" [ "${1:-0}" -ge "$f2" ]
expect "after stop and flush every queued run has happened: ran = queued" "${2:-none}" "${3:-}"
sleep 1.5
expect "nothing of rust_timer runs after rmmod: no log line in 1.5 s" "" "$(kernel_log | grep rust_timer)"

# The period is a parameter: 200 ms fires about 5 times a second.
load rust_timer period_ms=200
t1=$(now_ms)
first=$(cat $file)
sleep 2
second=$(cat $file)
t2=$(now_ms)
f1=$(field fired "$first")
f2=$(field fired "$second")
expect "with period_ms=200 the file shows it" "period_ms 200" "$(printf '%s\n' "$second" | head -n 1)"
most=$(((t2 - t1) / 200 + 2))
check "in 2 s (at most $((t2 - t1)) ms) a 200 ms timer fires 5 to $most times (got $((f2 - f1)))" \
	eval "[ $((f2 - f1)) -ge 5 ] && [ $((f2 - f1)) -le $most ]"
unload rust_timer
kernel_log >/dev/null

# Unload races a timer that re-arms itself every millisecond (one jiffy):
# after stop no re-arm gets through, and the flush leaves nothing queued.
for round in 1 2 3 4 5; do
	insmod /rust_timer.ko period_ms=1 && sleep 0.3 && rmmod rust_timer
	final=$(kernel_log | sed -n 's/^rust_timer: stopped: timer fired \([0-9]*\) times, work queued \([0-9]*\) times and ran \([0-9]*\) times$/\1 \2 \3/p')
	set -- $final
	check "period_ms=1, round $round: load, run 0.3 s, unload; ran = queued at unload ($*)" \
		eval "[ -n '$*' ] && [ '${2:-x}' = '${3:-y}' ] && [ '${1:-0}' -gt 0 ]"
done
check "after the fast-timer rounds nothing is loaded" eval "! loaded rust_timer"

# A period of 0 would spin: init refuses it, and nothing is left behind.
out=$(insmod /rust_timer.ko period_ms=0 2>&1)
expect_match "period_ms=0 fails the load with EINVAL" 'Invalid argument' "$out"
expect_match "init logs why period_ms=0 was refused" '^rust_timer: period_ms=0 is out of range \(1 to 10000\)$' "$(kernel_log)"
check "the failed load leaves no module and no /proc/rust_timer" eval "! loaded rust_timer && [ ! -e $file ]"

load_unload_twice rust_timer
finish
