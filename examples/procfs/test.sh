# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of examples/procfs: /proc/rust_procfs, a seq_file table
# larger than a page, read whole and in small pieces, read-only, and removed
# safely while open or being read.
. /lib.sh

file=/proc/rust_procfs
param=/sys/module/rust_procfs/parameters/lines

# expected N: what the file holds with lines=N.
expected() {
	awk -v n="$1" 'BEGIN {
		printf "# %d lines: n and n squared\n", n
		# %.0f, as the squares pass 2^31, beyond what %d handles
		for (i = 1; i <= n; i++) printf "%6d %12.0f\n", i, i * i
	}'
}
md5() { md5sum | cut -d' ' -f1; }

load rust_procfs
expect_match "init logs the file it created" '^rust_procfs: created /proc/rust_procfs \(1000 lines\)$' "$(kernel_log)"
expect "/proc/rust_procfs is a read-only regular file" "-r--r--r--" "$(ls -l $file | cut -c1-10)"

# The default table: 1001 lines, 20030 bytes, about five pages.
expected 1000 >/tmp/want
want_md5=$(md5 </tmp/want)
want_size=$(wc -c </tmp/want)
expect "the expected table is 20030 bytes, about 5 pages" "20030" "$want_size"
expect "cat reads the whole table" "$want_md5" "$(cat $file | md5)"
expect "the table has 1001 lines" "1001" "$(wc -l <$file)"
expect "the first two lines are the header and 1" "# 1000 lines: n and n squared
     1            1" "$(head -n 2 $file)"
expect "the last line is 1000 and its square" "  1000      1000000" "$(tail -n 1 $file)"
for bs in 1 7 4096 65536; do
	expect "dd bs=$bs reads the same $want_size bytes" "$want_md5 $want_size" \
		"$(dd if=$file bs=$bs 2>/dev/null | md5) $(dd if=$file bs=$bs 2>/dev/null | wc -c)"
done
expect "dd bs=7 skip=1000 count=3 reads bytes 7000 to 7020" "$(dd if=/tmp/want bs=7 skip=1000 count=3 2>/dev/null)" \
	"$(dd if=$file bs=7 skip=1000 count=3 2>/dev/null)"

# No write operation: procfs answers write(2) with EIO, even for root.
out=$(echo hello 2>&1 >$file)
expect_match "writing to the file fails with EIO" 'Input/output error' "$out"
out=$(echo hello | dd of=$file conv=notrunc 2>&1)
expect_match "dd of= the file fails with EIO" "error writing '$file': Input/output error" "$out"
expect "the table is unchanged after the writes" "$want_md5" "$(cat $file | md5)"

# show reads the parameter on every read.
echo 3 >$param
expect "after lines=3 the next read shows 3 lines" "# 3 lines: n and n squared
     1            1
     2            4
     3            9" "$(cat $file)"
echo 0 >$param
expect "lines=0 shows only the header" "# 0 lines: n and n squared" "$(cat $file)"
echo 100000 >$param
expect "lines=100000 (2.1 MB) reads in full with bs=4096" "$(expected 100000 | md5)" \
	"$(dd if=$file bs=4096 2>/dev/null | md5)"
echo 100001 >$param
out=$(cat $file 2>&1)
expect_match "an error from show fails the read with its errno (ERANGE)" 'cat: read error: Numerical result out of range' "$out"
echo 1000 >$param

# rmmod while the file is open: proc_remove() releases it, later reads get EIO.
exec 3<$file
expect "a read of the open file gets the first line" "# 1000 lines: n and n squared" "$(head -n 1 <&3)"
check "rmmod succeeds while the file is open" rmmod rust_procfs
check "/proc/rust_procfs is gone" eval "[ ! -e $file ]"
out=$(dd bs=64 count=1 <&3 2>&1 >/dev/null)
expect_match "a read of the still-open file after rmmod fails with EIO" 'Input/output error' "$out"
exec 3<&-
expect_match "unload logs the removal" '^rust_procfs: removing /proc/rust_procfs$' "$(kernel_log)"

# rmmod while readers are inside show: proc_remove() waits for them.
load rust_procfs lines=100000
for reader in 1 2; do
	(while dd if=$file bs=4096 of=/dev/null 2>/dev/null; do :; done) &
done
sleep 1
check "rmmod succeeds while two readers loop over the 2 MB file" rmmod rust_procfs
wait
check "the readers stopped once the file was gone" eval "[ ! -e $file ]"
check "rust_procfs is no longer listed in /proc/modules" eval "! loaded rust_procfs"

load_unload_twice rust_procfs
finish
