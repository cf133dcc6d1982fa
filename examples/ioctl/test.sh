# SPDX-License-Identifier: GPL-2.0
# rust_ioctl in the guest: ioctl commands on /dev/rust_ioctl, sent by
# /ioctl_client, which numbers them with C's <linux/ioctl.h> macros.
. /lib.sh

client() { /ioctl_client "$@" | tr '\n' ' '; }

load rust_ioctl
check "/dev/rust_ioctl is a character device" [ -c /dev/rust_ioctl ]
expect "Rust's io/ior/iow/iowr give the numbers C's _IO/_IOR/_IOW/_IOWR give" \
	"rust_ioctl: /dev/rust_ioctl is ready: $(/ioctl_client numbers)" \
	"$(kernel_log | grep rust_ioctl | grep -v taint)"
expect "C's numbers are the ones computed by hand from the _IOC layout" \
	"reset 0x7200, get 0x80087201, set 0x40087202, add 0xc0107203" "$(/ioctl_client numbers)"

expect "the value starts at 0 (_IOR copies it out)" "get=0 " "$(client get)"
expect "_IOW copies a u64 in: set 42, then get 42" "set=0 get=42 " "$(client set:42 get)"
expect "_IOWR copies a struct in and out: add 5 to 42 gives 47" "add=47 get=47 " "$(client add:5 get)"
expect "_IO takes a plain number: reset to 7" "reset=0 get=7 " "$(client reset:7 get)"
expect "the value is kept across opens" "get=7 " "$(client get)"
expect "an addition that would overflow fails with EOVERFLOW and changes nothing" \
	"set=0 add=EOVERFLOW get=18446744073709551615 " "$(client set:18446744073709551615 add:1 get)"

client reset:100 >/dev/null
expect "get to a bad pointer fails with EFAULT" "get=EFAULT " "$(client get-bad)"
expect "set from a bad pointer fails with EFAULT and changes nothing" "set=EFAULT get=100 " "$(client set-bad get)"
expect "add with a bad pointer fails with EFAULT and changes nothing" "add=EFAULT get=100 " "$(client add-bad get)"

expect "an unknown command fails with ENOTTY" "unknown=ENOTTY " "$(client unknown)"
expect "get's number with a 4-byte size is another command: ENOTTY" "get-u32=ENOTTY " "$(client get-u32)"
expect "read, write and lseek are not implemented: EINVAL, EINVAL, ESPIPE" \
	"read=EINVAL write=EINVAL seek=ESPIPE " "$(client read write seek)"

unload rust_ioctl
check "/dev/rust_ioctl is gone after rmmod" [ ! -e /dev/rust_ioctl ]
load_unload_twice rust_ioctl
finish
