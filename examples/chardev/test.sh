# SPDX-License-Identifier: GPL-2.0
# rust_chardev in the guest: /dev/rust_chardev behaves like a 4096-byte file.
. /lib.sh

dev=/dev/rust_chardev
io() { /chardev_io "$dev" "$@" | tr '\n' ' '; }

load rust_chardev
expect "init logs that the device is ready" \
	"rust_chardev: /dev/rust_chardev is ready (4096 bytes)" "$(kernel_log | grep rust_chardev | grep -v taint)"
expect "$dev is a character device that anyone may read and write" \
	"crw-rw-rw-" "$(ls -l $dev | cut -c1-10)"
expect "a new device reads as empty" "0" "$(cat $dev | wc -c)"

# Shell tools: each open starts at position 0.
printf 'hello world' >$dev
expect "what printf wrote, cat reads back" "hello world" "$(cat $dev)"
printf WORLD | dd of=$dev bs=1 seek=6 conv=notrunc 2>/dev/null
expect "dd seek=6 overwrites from offset 6" "hello WORLD" "$(cat $dev)"
expect "dd skip=6 count=3 reads 3 bytes from offset 6" "WOR" \
	"$(dd if=$dev bs=1 skip=6 count=3 2>/dev/null)"

# lseek: SEEK_END counts from the end of the data (11 bytes).
expect "SEEK_END 0 is the size, SEEK_SET and SEEK_CUR move from the start and the position" \
	"seek=11 seek=3 seek=5 " "$(io seek:end:0 seek:set:3 seek:cur:2)"
expect "a read from the middle returns the rest of the data, then 0 at the end" \
	"seek=6 read=5 WORLD read=0 " "$(io seek:set:6 read:100 read:100)"
expect "a seek to a negative position fails with EINVAL and leaves the position alone" \
	"seek=100 seek=EINVAL seek=EINVAL seek=EINVAL seek=100 " \
	"$(io seek:set:100 seek:set:-1 seek:cur:-101 seek:end:-12 seek:cur:0)"
expect "a seek past the end of the data works; reading there returns 0" \
	"seek=5000 read=0 " "$(io seek:set:5000 read:10)"

# The end of the buffer: 4096 bytes.
expect "a write that does not fit writes what fits (6 of 10 at 4090)" \
	"seek=4090 write=6 seek=4096 " "$(io seek:set:4090 write:10:a seek:cur:0)"
expect "a write at the end of the buffer fails with ENOSPC" \
	"seek=4096 write=ENOSPC " "$(io seek:end:0 write:1)"
expect "a write past the end of the buffer fails with ENOSPC" \
	"seek=5000 write=ENOSPC " "$(io seek:set:5000 write:1)"
expect "the data now ends at 4096 bytes" "4096" "$(cat $dev | wc -c)"
expect "a partial read at the end returns the last bytes" \
	"seek=4090 read=6 aaaaaa " "$(io seek:set:4090 read:100)"
expect "the gap between the old end and a write past it reads as zeroes" \
	"0000000000" "$(dd if=$dev bs=1 skip=11 count=5 2>/dev/null | od -An -tx1 | tr -d ' \n')"
expect "the data before the gap is intact" "hello WORLD" "$(head -c 11 $dev)"

# Bad user pointers.
expect "a write from a bad user pointer fails with EFAULT" \
	"write=EFAULT seek=0 " "$(io write-bad:10 seek:cur:0)"
# How many of the 5 good bytes get copied is the architecture's: x86's
# copy_from_user() copies up to the fault, byte-exact; arm64's copies in
# 8-byte loads and, when the first one faults, tries one byte
# (raw_copy_from_user()'s contract, include/linux/uaccess.h, allows fewer
# than possible, never none when one could be copied).
if [ "$(uname -m)" = aarch64 ]; then
	expect "a write whose buffer turns bad after 5 bytes writes the first of them, as arm64's copy_from_user() copies (a short write)" \
		"seek=0 write=1 seek=1 " "$(io seek:set:0 write-edge:10:5 seek:cur:0)"
	expect "... and leaves the bytes after it as they were" "eello WORLD" "$(head -c 11 $dev)"
else
	expect "a write whose buffer turns bad after 5 bytes writes those 5 (a short write)" \
		"seek=0 write=5 seek=5 " "$(io seek:set:0 write-edge:10:5 seek:cur:0)"
	expect "... and leaves the bytes after them as they were" "eeeee WORLD" "$(head -c 11 $dev)"
fi
expect "a read into unmapped memory fails with EFAULT and does not move the position" \
	"read=EFAULT seek=0 " "$(io read-bad:10 seek:cur:0)"
check "the module is still loaded and working after EFAULT" eval '[ "$(head -c 1 $dev | wc -c)" = 1 ]'

# No poll method: the kernel's defaults for a device without one.
expect "a device without poll: poll(2) says readable and writable at once, epoll refuses it with EPERM" \
	"poll=1 revents=0x145 epoll_ctl=EPERM " "$(io poll:0 epoll:0)"

# An open file keeps the module in.
exec 3<$dev
out=$(rmmod rust_chardev 2>&1)
status=$?
# delete_module() refuses a module in use with EWOULDBLOCK (= EAGAIN).
check "rmmod while the device is open fails" [ "$status" != 0 ]
expect "... with EAGAIN, as the open file holds a reference on the module" \
	"rmmod: can't unload module 'rust_chardev': Resource temporarily unavailable" "$out"
check "... and leaves the module loaded" loaded rust_chardev
exec 3<&-

unload rust_chardev
check "$dev is gone after rmmod" eval "[ ! -e $dev ]"
expect "exit logs that the device is removed, and how much data it held" \
	"rust_chardev: removing /dev/rust_chardev, which holds 4096 bytes" "$(kernel_log | grep rust_chardev)"
load_unload_twice rust_chardev
finish
