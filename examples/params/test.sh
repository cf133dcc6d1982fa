# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of examples/params: parameters of each type at load, in
# sysfs (read-only, writable, hidden), as the module sees them, and bad values.
. /lib.sh

dir=/sys/module/rust_params/parameters

# values: every parameter file, as "name=value" in one line.
values() {
	for p in enabled delta limit offset id greeting; do
		printf '%s=%s ' $p "$(cat $dir/$p)"
	done
}

# The defaults.
load rust_params
expect "init logs the default values" \
	"rust_params: loaded with enabled=true delta=-5 limit=100 offset=-10000000000 id=4000000000 secret=7 greeting=hello" \
	"$(kernel_log | grep '^rust_params: loaded')"
expect "sysfs has a file per parameter, except the one with permissions 0" \
	"delta enabled greeting id limit offset" "$(ls $dir | tr '\n' ' ' | sed 's/ $//')"
expect "the writable parameters are 0644, the read-only ones 0444" \
	"delta:-rw-r--r-- enabled:-rw-r--r-- greeting:-rw-r--r-- id:-r--r--r-- limit:-r--r--r-- offset:-rw-r--r--" \
	"$(for p in delta enabled greeting id limit offset; do printf '%s:%s ' $p "$(ls -l $dir/$p | cut -c1-10)"; done | sed 's/ $//')"
expect "sysfs shows the defaults" "enabled=Y delta=-5 limit=100 offset=-10000000000 id=4000000000 greeting=hello " "$(values)"
unload rust_params

# Values given to insmod, beyond 32 bits for the 64-bit ones.
load rust_params enabled=0 delta=12 limit=7 offset=9000000000 id=18446744073709551615 secret=9 greeting=bonjour
expect "init logs the values given to insmod" \
	"rust_params: loaded with enabled=false delta=12 limit=7 offset=9000000000 id=18446744073709551615 secret=9 greeting=bonjour" \
	"$(kernel_log | grep '^rust_params: loaded')"
expect "sysfs shows the values given to insmod" \
	"enabled=N delta=12 limit=7 offset=9000000000 id=18446744073709551615 greeting=bonjour " "$(values)"
expect "/proc/rust_params shows them as the module reads them" \
	"enabled=false delta=12 limit=7 offset=9000000000 id=18446744073709551615 secret=9 greeting=bonjour" \
	"$(cat /proc/rust_params)"

# Writable parameters change at run time, and the module sees the change.
echo Y >$dir/enabled
echo -2147483648 >$dir/delta
echo -9223372036854775808 >$dir/offset
echo "hi there" >$dir/greeting
expect "sysfs shows the values written" \
	"enabled=Y delta=-2147483648 limit=7 offset=-9223372036854775808 id=18446744073709551615 greeting=hi there " "$(values)"
expect "/proc/rust_params shows the values written" \
	"enabled=true delta=-2147483648 limit=7 offset=-9223372036854775808 id=18446744073709551615 secret=9 greeting=hi there" \
	"$(cat /proc/rust_params)"

# Junk written to a writable parameter fails, and the value stays.
expect "writing abc to the i32 fails with EINVAL" "sh: write error: Invalid argument" "$(echo abc 2>&1 >$dir/delta)"
expect "writing 1x to the i32 fails with EINVAL" "sh: write error: Invalid argument" "$(echo 1x 2>&1 >$dir/delta)"
expect "writing 2147483648 to the i32 fails with ERANGE" "sh: write error: Numerical result out of range" \
	"$(echo 2147483648 2>&1 >$dir/delta)"
expect "writing maybe to the bool fails with EINVAL" "sh: write error: Invalid argument" "$(echo maybe 2>&1 >$dir/enabled)"
expect "writing 1.5 to the i64 fails with EINVAL" "sh: write error: Invalid argument" "$(echo 1.5 2>&1 >$dir/offset)"
expect "the values are unchanged after the rejected writes" \
	"enabled=true delta=-2147483648 limit=7 offset=-9223372036854775808 id=18446744073709551615 secret=9 greeting=hi there" \
	"$(cat /proc/rust_params)"

# Read-only parameters: sysfs refuses to open them for writing, even for root.
expect_match "writing to the read-only u32 fails with EACCES" \
	"can't create $dir/limit: Permission denied$" "$(echo 1 2>&1 >$dir/limit)"
expect_match "writing to the read-only u64 fails with EACCES" \
	"can't create $dir/id: Permission denied$" "$(echo 1 2>&1 >$dir/id)"
expect "the read-only values are unchanged" "7 18446744073709551615" "$(cat $dir/limit) $(cat $dir/id)"

unload rust_params
expect "exit logs the values at unload" \
	"rust_params: unloading with enabled=true delta=-2147483648 limit=7 offset=-9223372036854775808 id=18446744073709551615 secret=9 greeting=hi there" \
	"$(kernel_log | grep '^rust_params: unloading')"

# Bad values at insmod: the kernel refuses them before init runs, with the
# error of the parameter's parser (kstrto*: EINVAL, or ERANGE on overflow).
long=$(head -c 1025 /dev/zero | tr '\0' x)
for case in "delta=abc EINVAL Invalid argument" "limit=-1 EINVAL Invalid argument" \
	"enabled=maybe EINVAL Invalid argument" "secret=x EINVAL Invalid argument" \
	"delta=2147483648 ERANGE Numerical result out of range" \
	"id=18446744073709551616 ERANGE Numerical result out of range" \
	"greeting=$long ENOSPC No space left on device"; do
	set -- $case
	arg=$1 errno=$2
	shift 2
	name=${arg%%=*} value=${arg#*=}
	label=$arg
	[ ${#arg} -gt 40 ] && label="$name=<${#value} bytes>"
	expect "insmod $label fails with $errno" "insmod: can't insert '/rust_params.ko': $*" \
		"$(insmod /rust_params.ko "$arg" 2>&1)"
	check "insmod $label leaves no module behind" eval "! loaded rust_params"
	# busybox insmod tries twice (finit_module, then init_module).
	if [ $errno = ENOSPC ]; then
		expect "the kernel logs that $label is too long" "$name: string parameter too long" \
			"$(kernel_log | grep 'too long' | sort -u)"
	else
		expect "the kernel logs that $label is invalid" \
			"rust_params: \`$value' invalid for parameter \`$name'" "$(kernel_log | grep 'parameter' | sort -u)"
	fi
done

# An unknown parameter is not an error: the kernel ignores it with a notice.
load rust_params nosuch=1
expect "an unknown parameter is ignored with a notice" "rust_params: unknown parameter 'nosuch' ignored" \
	"$(kernel_log | grep 'unknown parameter')"
unload rust_params

load_unload_twice rust_params
finish
