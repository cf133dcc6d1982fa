# SPDX-License-Identifier: GPL-2.0
# Bad input from user space, in the guest: every row of the table in
# docs/reliability.md is one check here. Null, unmapped, kernel and
# half-mapped user pointers; negative, huge and overflowing lengths and
# offsets; unknown ioctl numbers and ones with the right number but the
# wrong size or direction; malformed attribute and parameter values; writes
# to read-only files. Each must fail with the errno the table gives (the
# kernel's, measured on Debian 5.10, 6.1 and 6.12), change nothing, and
# leave the kernel unharmed (the host checks its log and taint).
#
# Needs /lib.sh, /stress_badio, /ioctl_client (examples/ioctl) and the
# modules rust_chardev, rust_ioctl, rust_sync, rust_procfs, rust_sysfs,
# rust_params and rust_fifo in /.
. /lib.sh

# bad WHAT EXPECTED FILE MODE OP...: runs the OPs of stress_badio on FILE
# opened with MODE; EXPECTED is what they print, one result per OP.
bad() {
	_what=$1
	_want=$2
	shift 2
	expect "$_what: $_want" "$_want" "$(/stress_badio "$@" | tr '\n' ' ' | sed 's/ $//')"
}

# insmod_result MODULE ARG: insmod's error, or "loaded" (then unloaded again).
insmod_result() {
	if out=$(insmod /$1.ko "$2" 2>&1); then
		echo loaded
		rmmod $1
	else
		echo "$out" | sed "s|^insmod: can't insert '/$1.ko': ||"
	fi
}

# --- /dev/rust_chardev ---------------------------------------------------------------

c=/dev/rust_chardev
load rust_chardev
printf 'hello world' >$c
bad "chardev: read(2) into NULL" EFAULT $c rw read:null:10
bad "chardev: read(2) into an unmapped page" EFAULT $c rw read:unmapped:10
bad "chardev: read(2) into a kernel address" EFAULT $c rw read:kernel:10
bad "chardev: read(2) into a read-only page" EFAULT $c rw read:rdonly:10
bad "chardev: read(2) of 10 bytes where only 5 are mapped, then the position" "EFAULT 0" $c rw read:edge5:10 seek:cur:0
bad "chardev: read(2) of 0 bytes into NULL" 0 $c rw read:null:0
bad "chardev: read(2) of SIZE_MAX bytes" EFAULT $c rw read:buf:max
bad "chardev: read(2) of 2^63 bytes (negative as ssize_t)" EFAULT $c rw read:buf:neg
bad "chardev: read(2) of 1 TiB into a 4 MiB buffer: the 11 bytes held" 11 $c rw read:buf:tib
# A write that fails must leave the data as it was (NUL bytes show as @).
data() { tr '\0' @ <$c; }
for case in "NULL:null" "an unmapped page:unmapped" "a kernel address:kernel"; do
	bad "chardev: write(2) from ${case%:*}" EFAULT $c rw write:${case#*:}:10
	expect "chardev: ... and the data is unchanged by the write from ${case%:*}" "hello world" "$(data)"
	printf 'hello world' >$c # again, for the next check, should it have changed
done
# A buffer that turns bad partway: a short write of what came before (as a
# regular file does), and the rest of the data as it was.
bad "chardev: write(2) of 10 bytes where only 5 are mapped, then the position" "5 5" $c rw write:edge5:10 seek:cur:0
expect "chardev: ... which writes those 5 bytes and leaves the rest as it was" "11111 world" "$(data)"
printf 'hello world' >$c
bad "chardev: write(2) of SIZE_MAX bytes" EFAULT $c rw write:buf:max
bad "chardev: write(2) of 2^63 bytes" EFAULT $c rw write:buf:neg
expect "chardev: ... and the data is unchanged by the overlong writes" "hello world" "$(data)"
bad "chardev: lseek(2) SEEK_SET to -1" EINVAL $c rw seek:set:-1
bad "chardev: lseek(2) SEEK_CUR to before the start" EINVAL $c rw seek:cur:-1
bad "chardev: lseek(2) SEEK_END to before the start (-12 with 11 bytes)" EINVAL $c rw seek:end:-12
bad "chardev: lseek(2) SEEK_END + INT64_MAX (overflows)" EINVAL $c rw seek:end:max
bad "chardev: lseek(2) SEEK_DATA, SEEK_HOLE, whence 99" "EINVAL EINVAL EINVAL" $c rw seek:data:0 seek:hole:0 seek:99:0
bad "chardev: lseek(2) SEEK_SET to INT64_MAX is allowed; a read(2) there" "9223372036854775807 EINVAL" \
	$c rw seek:set:max read:buf:10
bad "chardev: pread(2) at offset -1" EINVAL $c rw pread:buf:10:-1
bad "chardev: pread(2) of 1 byte at INT64_MAX (the end overflows)" EINVAL $c rw pread:buf:1:max
bad "chardev: pread(2) at 1 TiB: end of file" 0 $c rw pread:buf:10:tib
bad "chardev: pwrite(2) at offset -1" EINVAL $c rw pwrite:buf:10:-1
bad "chardev: pwrite(2) at 1 TiB" ENOSPC $c rw pwrite:buf:10:tib
bad "chardev: ioctl(2) (TCGETS, FIONREAD, 0): no ioctl operation" "ENOTTY ENOTTY ENOTTY" \
	$c rw ioctl:0x5401:null ioctl:0x541b:buf ioctl:0:num:0
expect "chardev: the data is unchanged by the calls above" "hello world" "$(data)"
bad "chardev: write(2) of 1 TiB from a 4 MiB buffer: what fits" 4096 $c rw write:buf:tib
unload rust_chardev

# --- /dev/rust_ioctl -------------------------------------------------------------------

# The commands: RESET _IO('r', 0), GET _IOR('r', 1, u64) 0x80087201,
# SET _IOW('r', 2, u64) 0x40087202, ADD _IOWR('r', 3, 16 bytes) 0xc0107203.
i=/dev/rust_ioctl
load rust_ioctl
/ioctl_client reset:1000 >/dev/null
bad "ioctl: GET to NULL" EFAULT $i rw ioctl:0x80087201:null
bad "ioctl: SET from NULL" EFAULT $i rw ioctl:0x40087202:null
bad "ioctl: ADD with NULL" EFAULT $i rw ioctl:0xc0107203:null
bad "ioctl: GET to a kernel address" EFAULT $i rw ioctl:0x80087201:kernel
bad "ioctl: SET from a kernel address" EFAULT $i rw ioctl:0x40087202:kernel
bad "ioctl: GET to an unmapped page" EFAULT $i rw ioctl:0x80087201:unmapped
bad "ioctl: GET to a read-only page" EFAULT $i rw ioctl:0x80087201:rdonly
bad "ioctl: GET with only 7 of its 8 bytes mapped" EFAULT $i rw ioctl:0x80087201:edge7
bad "ioctl: SET with only 7 of its 8 bytes mapped" EFAULT $i rw ioctl:0x40087202:edge7
bad "ioctl: ADD with only 15 of its 16 bytes mapped" EFAULT $i rw ioctl:0xc0107203:edge15
bad "ioctl: an unknown number, _IO('r', 99)" ENOTTY $i rw ioctl:0x7263:num:0
bad "ioctl: another driver's type, _IO('s', 99)" ENOTTY $i rw ioctl:0x7363:num:0
bad "ioctl: GET's number with size 7 and 9" "ENOTTY ENOTTY" $i rw ioctl:0x80077201:buf ioctl:0x80097201:buf
bad "ioctl: SET's number with size 7 and 9" "ENOTTY ENOTTY" $i rw ioctl:0x40077202:buf ioctl:0x40097202:buf
bad "ioctl: ADD's number with size 15 and 17" "ENOTTY ENOTTY" $i rw ioctl:0xc00f7203:buf ioctl:0xc0117203:buf
bad "ioctl: GET's number with the write, no, and both directions" "ENOTTY ENOTTY ENOTTY" \
	$i rw ioctl:0x40087201:buf ioctl:0x00087201:buf ioctl:0xc0087201:buf
bad "ioctl: command 0, and FIONREAD" "ENOTTY ENOTTY" $i rw ioctl:0:num:0 ioctl:0x541b:buf
bad "ioctl: read(2), write(2) and lseek(2), which it leaves out" "EINVAL EINVAL ESPIPE" \
	$i rw read:buf:1 write:buf:1 seek:set:0
expect "ioctl: the value is still 1000 after the rejected commands" "get=1000 " "$(/ioctl_client get | tr '\n' ' ')"
unload rust_ioctl

# --- /dev/rust_sync --------------------------------------------------------------------

s=/dev/rust_sync
load rust_sync
bad "sync: write(2) of 4 bytes from NULL" EFAULT $s rw write:null:4
bad "sync: write(2) of 4 bytes from an unmapped page" EFAULT $s rw write:unmapped:4
bad "sync: write(2) of 33 bytes (the longest is 32), even from NULL" "EINVAL EINVAL" $s rw write:buf:33 write:null:33
bad "sync: write(2) of SIZE_MAX bytes" EFAULT $s rw write:buf:max
bad "sync: write(2) of 0 bytes (no number)" EINVAL $s rw write:buf:0
bad "sync: write(2) of 1x, 0x10, -1 and a NUL byte" "EINVAL EINVAL EINVAL EINVAL" \
	$s rw text:1x text:0x10 text:-1 'text:\0'
bad "sync: read(2) into NULL" EFAULT $s rw read:null:10
expect "sync: the totals are unchanged" "0 0 0" "$(cat $s)"
unload rust_sync

# --- /proc/rust_procfs -----------------------------------------------------------------

p=/proc/rust_procfs
load rust_procfs
bad "procfs: write(2), as root, to the 0444 file (no write operation)" "EIO EIO" $p w write:buf:1 text:1
bad "procfs: read(2) into NULL" EFAULT $p r read:null:10
bad "procfs: read(2) into an unmapped page" EFAULT $p r read:unmapped:10
bad "procfs: read(2) of 100 bytes where only 5 are mapped: seq_file copies those" 5 $p r read:edge5:100
bad "procfs: lseek(2) SEEK_SET to -1" EINVAL $p r seek:set:-1
bad "procfs: lseek(2) SEEK_END and SEEK_DATA (seq_file has neither)" "EINVAL EINVAL" $p r seek:end:0 seek:data:0
bad "procfs: pread(2) at offset -1" EINVAL $p r pread:buf:10:-1
bad "procfs: pread(2) at 1 TiB: end of file" 0 $p r pread:buf:10:tib
bad "procfs: ioctl(2) (TCGETS, 0)" "ENOTTY ENOTTY" $p r ioctl:0x5401:null ioctl:0:num:0
echo 100001 >/sys/module/rust_procfs/parameters/lines
bad "procfs: read(2) with lines=100001 (over the module's limit): the error show returns" ERANGE $p r read:buf:10
echo 1000 >/sys/module/rust_procfs/parameters/lines
expect "procfs: the file reads as before" "# 1000 lines: n and n squared" "$(head -n 1 $p)"
unload rust_procfs

# --- /sys/kernel/rust_sysfs ------------------------------------------------------------

d=/sys/kernel/rust_sysfs
load rust_sysfs
echo 7 >$d/value
bad "sysfs: opening the 0444 version for writing, as root" "open=EACCES" $d/version w write:buf:1
bad "sysfs: value: abc, 1x, a lone newline" "EINVAL EINVAL EINVAL" $d/value w text:abc text:1x 'text:\n'
bad "sysfs: value: i64::MAX + 1 and i64::MIN - 1" "EINVAL EINVAL" \
	$d/value w text:9223372036854775808 text:-9223372036854775809
bad "sysfs: value: 5000 digits (sysfs passes the first 4096)" EINVAL $d/value w fill:5000:1
bad "sysfs: value: write(2) from NULL, from an unmapped page, 4 bytes with 2 mapped" "EFAULT EFAULT EFAULT" \
	$d/value w write:null:4 write:unmapped:4 write:edge2:4
bad "sysfs: value: write(2) of SIZE_MAX bytes" EFAULT $d/value w write:buf:max
bad "sysfs: value: write(2) of 1 TiB from a 4 MiB buffer (the first page is not a number)" EINVAL \
	$d/value w write:buf:tib
bad "sysfs: value: write(2) of 0 bytes (store is not called)" 0 $d/value w write:null:0
bad "sysfs: value: read(2) into NULL, lseek(2) to -1, ioctl(2)" "EFAULT EINVAL ENOTTY" \
	$d/value r read:null:10 seek:set:-1 ioctl:0x5401:null
expect "sysfs: value is still 7 after the rejected writes" "7" "$(cat $d/value)"
bad "sysfs: value: 4097 zeroes: the first 4096 are stored (as 0)" 4096 $d/value w fill:4097:0
expect "sysfs: ... and value reads 0" "0" "$(cat $d/value)"
echo seven >$d/name
bad "sysfs: name: 17 bytes (the longest is 16)" EINVAL $d/name w fill:17:a
bad "sysfs: name: a lone newline, two lines" "EINVAL EINVAL" $d/name w 'text:\n' 'text:a\nb'
bad "sysfs: name: a NUL byte, invalid UTF-8" "EINVAL EINVAL" $d/name w 'text:a\0b' 'text:a\xffb'
expect "sysfs: name is unchanged after the rejected writes" "seven" "$(cat $d/name)"
unload rust_sysfs

# --- /sys/module/rust_params/parameters -------------------------------------------------

q=/sys/module/rust_params/parameters
load rust_params
bad "params: i32 delta: abc, 1x, a lone newline" "EINVAL EINVAL EINVAL" $q/delta w text:abc text:1x 'text:\n'
bad "params: i32 delta: 2147483648, -2147483649, 5000 digits" "ERANGE ERANGE ERANGE" \
	$q/delta w text:2147483648 text:-2147483649 fill:5000:1
bad "params: i32 delta: write(2) from NULL" EFAULT $q/delta w write:null:4
expect "params: delta is unchanged (-5)" "-5" "$(cat $q/delta)"
bad "params: i32 delta: 0x10 is taken as hexadecimal" 4 $q/delta w text:0x10
expect "params: ... delta reads 16" "16" "$(cat $q/delta)"
bad "params: i32 delta: 010 is taken as octal" 3 $q/delta w text:010
expect "params: ... delta reads 8" "8" "$(cat $q/delta)"
bad "params: bool enabled: maybe, 2, a lone newline" "EINVAL EINVAL EINVAL" $q/enabled w text:maybe text:2 'text:\n'
bad "params: i64 offset: 9223372036854775808, 1.5" "ERANGE EINVAL" $q/offset w text:9223372036854775808 text:1.5
bad "params: str greeting: 1025 bytes (the kernel's limit is 1024)" ENOSPC $q/greeting w fill:1025:g
bad "params: str greeting: 1024 bytes are taken" 1024 $q/greeting w fill:1024:g
bad "params: opening the 0444 u32 limit for writing, as root" "open=EACCES" $q/limit w text:1
bad "params: opening the 0444 u64 id for reading and writing, as root" "open=EACCES" $q/id rw text:1
bad "params: secret, with permissions 0, has no file" "open=ENOENT" $q/secret r show
unload rust_params

# --- /dev/rust_fifo ------------------------------------------------------------------

# Opened O_RDWR | O_NONBLOCK (rwn): the file is a writer, so an empty pipe
# gives EAGAIN rather than end of file, and nothing waits. A call that fails
# must neither take bytes out nor put any in: /proc/rust_fifo's length.
f=/dev/rust_fifo
load rust_fifo
stored() { sed -n 's/^length //p' /proc/rust_fifo; }
printf 'hello world' >$f
bad "fifo: read(2) into NULL, an unmapped page, a kernel address, a read-only page" \
	"EFAULT EFAULT EFAULT EFAULT" $f rwn read:null:10 read:unmapped:10 read:kernel:10 read:rdonly:10
bad "fifo: read(2) of 10 bytes where only 5 are mapped" EFAULT $f rwn read:edge5:10
expect "fifo: ... and the 11 bytes are all still in the pipe" 11 "$(stored)"
bad "fifo: read(2) of 0 bytes into NULL" 0 $f rwn read:null:0
bad "fifo: read(2) of SIZE_MAX and of 2^63 bytes" "EFAULT EFAULT" $f rwn read:buf:max read:buf:neg
bad "fifo: lseek(2), an unknown ioctl, FIFO_SET_READ_TIMEOUT from NULL" "ESPIPE ENOTTY EFAULT" \
	$f rwn seek:set:0 ioctl:0x1234:num:0 ioctl:0x40046601:null
bad "fifo: read(2) of 1 TiB into a 4 MiB buffer: the 11 bytes held, then EAGAIN (empty)" "11 EAGAIN" \
	$f rwn read:buf:tib read:buf:10
bad "fifo: write(2) from NULL, an unmapped page, a kernel address, 10 bytes where 5 are mapped" \
	"EFAULT EFAULT EFAULT EFAULT" $f rwn write:null:10 write:unmapped:10 write:kernel:10 write:edge5:10
expect "fifo: ... and nothing was stored" 0 "$(stored)"
bad "fifo: write(2) of SIZE_MAX and of 2^63 bytes" "EFAULT EFAULT" $f rwn write:buf:max write:buf:neg
bad "fifo: write(2) of 1 TiB from a 4 MiB buffer stores the capacity, 4096, then EAGAIN (full)" "4096 EAGAIN" \
	$f rwn write:buf:tib write:buf:1
bad "fifo: the 4096 bytes read back, then EAGAIN" "4096 EAGAIN" $f rwn read:buf:4096 read:buf:1
unload rust_fifo

# Parameters at insmod: the same parsers; the load fails and nothing stays.
expect "insmod rust_params delta= (empty): Invalid argument" "Invalid argument" "$(insmod_result rust_params delta=)"
expect "insmod rust_params delta (no value): Invalid argument" "Invalid argument" "$(insmod_result rust_params delta)"
expect "insmod rust_params enabled= (empty): Invalid argument" "Invalid argument" "$(insmod_result rust_params enabled=)"
expect "insmod rust_params limit=4294967296: Numerical result out of range" "Numerical result out of range" \
	"$(insmod_result rust_params limit=4294967296)"
expect "insmod rust_params offset=abc: Invalid argument" "Invalid argument" "$(insmod_result rust_params offset=abc)"
expect "insmod rust_procfs lines=-1 (a u32): Invalid argument" "Invalid argument" "$(insmod_result rust_procfs lines=-1)"
expect "insmod rust_params enabled (a bool with no value means true): loads" "loaded" \
	"$(insmod_result rust_params enabled)"
expect "insmod rust_params greeting= (an empty string): loads" "loaded" "$(insmod_result rust_params greeting=)"
check "no module is left loaded by the failed loads" eval "! grep -q '^rust_' /proc/modules"
kernel_log >/dev/null

finish
