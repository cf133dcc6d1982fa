# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts that build, boot and test: fetch a Debian kernel, build
# the module for it, boot it, read what happened, and count checks.

# The kernels' architecture: x86_64, or with ARCH=arm64 (make run ARCH=arm64,
# make test ARCH=arm64) Debian's arm64 kernels, cross-built for on an x86_64
# host (docs/kernels.md). fetch-kernel.sh and vm.sh read ARCH too. Their
# modules are built in build/debian-<series>-arm64, their test programs with
# the cross compiler's gcc, statically, into build/test-programs-arm64.
case ${ARCH:-x86_64} in
x86 | x86_64) arch_suffix= cross= ;;
arm64)
	arch_suffix=-arm64
	cross=aarch64-linux-gnu-
	[[ $(uname -m) != aarch64 ]] || cross=
	;;
*) echo "ARCH=$ARCH: the kernels here are x86_64's and arm64's" >&2; exit 2 ;;
esac

# kernel_dir SERIES: prints the cached Debian kernel's directory (fetching it
# the first time); SERIES-debug is that kernel rebuilt with KASAN, kmemleak and
# lockdep (scripts/build-debug-kernel.sh, make test-debug).
kernel_dir() {
	case $1 in
	*-debug) "$top/scripts/build-debug-kernel.sh" "${1%-debug}" ;;
	*) "$top/scripts/fetch-kernel.sh" "$1" ;;
	esac
}

# template_module: the template module's name (make rename changes it in the Makefile).
template_module() {
	sed -n 's/^MODULE *:= *//p' "$top/Makefile"
}

# tested_examples: the examples that have a guest test script (examples/<name>/test.sh).
tested_examples() {
	local t
	for t in "$top"/examples/*/test.sh; do
		[[ -e $t ]] && basename "$(dirname "$t")"
	done
}

# example_qemu_args NAME: the QEMU arguments examples/NAME/qemu-args gives
# for its boots (an emulated device), or nothing; for arm64 guests,
# examples/NAME/qemu-args-arm64 where there is one.
example_qemu_args() {
	local file=$top/examples/$1/qemu-args
	[[ -z $arch_suffix || ! -f $file$arch_suffix ]] || file=$file$arch_suffix
	[[ ! -f $file ]] || tr '\n' ' ' <"$file"
}

# examples_qemu_args: the QEMU arguments of all the examples that have some
# (examples/<name>/qemu-args, an emulated device each), for the boots that
# load every example: their devices are then there to probe.
examples_qemu_args() {
	cat "$top"/examples/*/qemu-args 2>/dev/null | tr '\n' ' '
}

# example_kernel_modules SERIES NAME: the kernel's own modules that
# examples/NAME/kernel-modules names (one path under kernel/ per line, without
# .ko: drivers/input/evdev), unpacked from the same Debian image by
# fetch-kernel.sh --modules, for the guest to insmod; a debug kernel
# (build-debug-kernel.sh) builds them in, and gives none.
example_kernel_modules() {
	local list=$top/examples/$2/kernel-modules
	[[ -f $list && $1 != *-debug ]] || return 0
	# shellcheck disable=SC2046 # one path per word
	"$top/scripts/fetch-kernel.sh" --modules "$1" $(grep -v '^#' "$list")
}

# build_dir SERIES: where the module for that kernel is built (BUILD_VARIANT
# names another tree, e.g. build/fail-6.1 for FAIL_ALLOC=1 builds).
build_dir() {
	echo "$top/build/${BUILD_VARIANT:-debian}-$1$arch_suffix"
}

# kernel_make DIR MAKE-ARGS...: runs make for the kernel fetched into DIR
# (kernel_dir) with that kernel's own compiler. A series of another Debian
# release (trixie, sid: fetch-kernel.sh writes DIR/userland) is built in a
# userland of that release, with its own gcc and kbuild tools
# (scripts/userland.sh), never with the host's. On the host, Debian 11's 5.10
# was built with gcc-10, which Debian 12 lacks: the host's gcc-12 builds for
# it (the Makefile otherwise stops and says so).
kernel_make() {
	local dir=$1 cc
	shift
	if [[ -f $dir/userland ]]; then
		"$top/scripts/userland.sh" --run "$(cat "$dir/userland")" "$dir/kdir" make "$@"
		return
	fi
	# Debian 11's 5.10 was built with gcc-10, which Debian 12 lacks: use the
	# host's gcc-12 there (the Makefile otherwise stops and says so); for
	# arm64, the cross compilers of the same versions.
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ "]*\).*/\1/p' "$dir/kdir/include/config/auto.conf")
	command -v "$cross$cc" >/dev/null || set -- CC="${cross}gcc-12" "$@"
	make "$@"
}

# build_for SERIES DIR [MAKE-ARGS...]: builds the module (or, with
# EXAMPLE=<name>, that example) against DIR/kdir into $(build_dir SERIES).
# (BUILD is given relative to the top, so make's messages show short paths.)
build_for() {
	local dir
	dir=$(build_dir "$1")
	kernel_make "$2" -C "$top" --no-print-directory KDIR="$2/kdir" BUILD="${dir#"$top"/}" "${@:3}"
}

# build_to_boot SERIES DIR EXAMPLE [MAKE-ARGS...]: builds the template module,
# or EXAMPLE when not empty, with build_for for a boot of its own (make run,
# make debug): sets module to its name and programs to its test programs'
# paths, and adds the example's QEMU arguments to VM_QEMU_ARGS.
build_to_boot() {
	local series=$1 dir=$2 example=$3
	shift 3
	if [[ -n $example ]]; then
		module=rust_$example
		build_for "$series" "$dir" EXAMPLE="$example" "$@" || return
		programs=$(build_test_programs "examples/$example") || return
		# The kernel's own modules it loads (examples/<name>/kernel-modules).
		programs+=" $(example_kernel_modules "$series" "$example")" || return
		# Its QEMU arguments (an emulated device), if it has any.
		export VM_QEMU_ARGS="${VM_QEMU_ARGS:-} $(example_qemu_args "$example")"
	else
		module=$(template_module)
		build_for "$series" "$dir" "$@" || return
		programs=$(build_test_programs "$own_tests") || return
	fi
}

# build_test_programs DIR: compiles the user-space test programs DIR/*.c (an
# example's, or tests/module's; static, so they run in the busybox guest)
# into build/test-programs/<DIR's last part>/ and prints their paths.
build_test_programs() {
	local src out=$top/build/test-programs$arch_suffix/$(basename "$1")
	mkdir -p "$out"
	for src in "$top/$1"/*.c; do
		[[ -e $src ]] || continue
		"${cross}gcc" -static -O2 -Wall -Wextra -Werror -o "$out/$(basename "$src" .c)" "$src" || return 1
		echo "$out/$(basename "$src" .c)"
	done
}

# rust_globals OBJECT: the global symbols OBJECT defines, sorted, on one line.
rust_globals() {
	nm -g --defined-only "$1" | awk '{ print $3 }' | sort | tr '\n' ' '
}

# build_checks PREFIX SERIES KDIR MODULE [MAKE-ARGS...]: builds MODULE with
# build_for (its output kept in build/debian-SERIES/MODULE.build.log) and
# checks that it built, printed no warning, and that its Rust object exports
# nothing but the entry points module.c calls, the parameters and the Rust
# functions the module's own C calls (as <module>_ffi.c lists them: docs/build.md,
# "Your own C"). Returns non-zero when the build failed.
build_checks() {
	local prefix=$1 series=$2 kdir=$3 module=$4 out status build exports
	shift 4
	build=$(build_dir "$series")
	out=$(build_for "$series" "$kdir" "$@" 2>&1)
	status=$?
	mkdir -p "$build"
	echo "$out" >"$build/$module.build.log"
	check "${prefix}make builds $module.ko" \
		eval '[[ $status == 0 ]] || { tail -n 20 <<<"$out" | sed "s/^/        /" >&2; false; }'
	# (kbuild's and gcc's "warning", modpost's "WARNING", objtool's "error")
	check "${prefix}the build prints no warnings" lacks "$out" '[Ww]arning|WARNING|[Ee]rror'
	[[ $status == 0 ]] || return 1
	exports=$(sed -n 's|^/\* Rust exports:\(.*\) \*/$|\1|p' "$build/$module/${module}_ffi.c" 2>/dev/null)
	# shellcheck disable=SC2086 # one name per word
	check "${prefix}the Rust object exports only rust_module_init, rust_module_exit, rust_param_*${exports:+ and$exports}" \
		same "$(printf '%s\n' rust_module_exit rust_module_init $exports | sort | tr '\n' ' ')" \
		"$(rust_globals "$build/$module/${module}_rust.o" | sed -E 's/rust_param_[A-Za-z0-9_]+ //g')"
}

# The module's own checks, beside it: tests/module/test.sh runs in the boot
# that also makes the generic checks (tests/guest/module.sh); every other
# tests/module/*.sh in a boot of its own, in make test; tests/module/*.c are
# test programs, built statically and copied into the guest.
own_tests=tests/module

# own_boot PREFIX SERIES KDIR MODULE [SCRIPT]: boots SERIES with the module
# built by build_checks, its test programs and SCRIPT (a tests/module/*.sh;
# default: the generic checks followed by tests/module/test.sh), and turns
# what happened into checks (boot_checks).
own_boot() {
	local prefix=$1 series=$2 kdir=$3 module=$4 script=${5:-} build programs vmout files
	build=$(build_dir "$series")
	programs=$(build_test_programs "$own_tests") ||
		{ check "${prefix}the test programs $own_tests/*.c build" false; return; }
	if [[ -z $script ]]; then
		check "${prefix}the module's own checks are there: $own_tests/test.sh" [ -f "$top/$own_tests/test.sh" ]
		files=(tests/guest/module.sh)
		[[ ! -f $own_tests/test.sh ]] || files+=("$own_tests/test.sh")
		vmout=$build/vm-$module
	else
		files=("$script")
		vmout=$build/vm-$module-$(basename "$script" .sh)
	fi
	# shellcheck disable=SC2086 # one program path per word
	VM_GUEST_ENV="MODULE=$module" "$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" "${files[@]}" \
		tests/guest/lib.sh "$build/$module.ko" $programs
	boot_checks "$prefix" "$vmout" "" "$module"
}

# example_tests SERIES NAME: builds examples/NAME, boots the kernel with it and
# runs examples/NAME/test.sh in the guest; each PASS/FAIL line the guest
# prints is one check here.
example_tests() {
	local series=$1 name=$2 module=rust_$2
	local kdir build vmout programs modules
	kdir=$(kernel_dir "$series") || { check "$series: fetch the Debian kernel and headers" false; return; }
	modules=$(example_kernel_modules "$series" "$name") ||
		{ check "$series: $name: fetch the kernel's modules it needs (examples/$name/kernel-modules)" false; return; }
	build=$(build_dir "$series")

	build_checks "$series: $name: " "$series" "$kdir" "$module" EXAMPLE="$name" || return
	programs=$(build_test_programs "examples/$name")
	check "$series: $name: the user-space test programs build" [ "$?" = 0 ]

	vmout=$build/vm-$name
	# examples/NAME/qemu-args: QEMU arguments for its boot (an emulated
	# device); examples/NAME/test-nodevice.sh runs in a second boot without.
	# shellcheck disable=SC2086 # one program path per word
	VM_QEMU_ARGS="${VM_QEMU_ARGS:-} $(example_qemu_args "$name")" "$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" \
		"examples/$name/test.sh" tests/guest/lib.sh "$build/$module.ko" $programs $modules
	boot_checks "$series: $name: " "$vmout" "" "$module"
	if [[ -f examples/$name/test-nodevice.sh ]]; then
		# shellcheck disable=SC2086 # one program path per word
		"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout-nodevice" "examples/$name/test-nodevice.sh" \
			tests/guest/lib.sh "$build/$module.ko" $programs $modules
		boot_checks "$series: $name, no device: " "$vmout-nodevice" "" "$module"
	fi
}

# own_scripts: the module's guest scripts that get a boot of their own.
own_scripts() {
	local script
	for script in "$top/$own_tests"/*.sh; do
		[[ -e $script && $(basename "$script") != test.sh ]] && echo "$own_tests/$(basename "$script")"
	done
}

# section NAME LOG: the lines the guest printed between "@@ NAME" and the next "@@".
section() {
	awk -v want="@@ $1" '/^@@ / { on = ($0 == want); next } on' "$2"
}

# Kernel messages that mean something went wrong in the kernel (the debug
# kernel's checkers report through them too: "BUG: KASAN: ...", lockdep's
# "WARNING: possible circular locking ...", "BUG: sleeping function called
# from invalid context", debugobjects' "ODEBUG: ...").
bad_kernel_messages='Oops|BUG:|kernel BUG|WARNING:|Call Trace|general protection|Kernel panic|UBSAN|KASAN|possible circular locking|INFO: task .* blocked|ODEBUG'

# kmemleak_checks PREFIX LOG: on a kernel with kmemleak, one check that the
# scan after the guest script found no leak (scripts/vm.sh writes the
# "@@ kmemleak" section); other kernels have no such section, and no check.
kmemleak_checks() {
	grep -qx "@@ kmemleak" "$2" || return 0
	local leaks
	leaks=$(section kmemleak "$2")
	check "${1}kmemleak finds no leak after the modules are unloaded" \
		eval '[[ -z $leaks ]] || { head -n 40 <<<"$leaks" | sed "s/^/        /" >&2; false; }'
}

# taint_ok VALUE: true when /proc/sys/kernel/tainted shows nothing beyond
# O (out-of-tree module, 4096) and E (unsigned module, 8192).
taint_ok() {
	[[ $1 =~ ^[0-9]+$ ]] && ((($1 & ~(4096 | 8192)) == 0))
}

# --- Checks: one PASS or FAIL line each, counted for the summary -------------------

passed=0
failed=0

# check NAME COMMAND...: runs COMMAND and records the check as passed or failed.
check() {
	local name=$1
	shift
	if "$@"; then
		printf '  PASS  %s\n' "$name"
		passed=$((passed + 1))
	else
		printf '  FAIL  %s\n' "$name"
		failed=$((failed + 1))
	fi
}

# same EXPECTED ACTUAL: the two texts are equal; shows a diff when not.
same() {
	[[ $1 == "$2" ]] && return 0
	diff <(echo "$1") <(echo "$2") | sed 's/^/        /' >&2
	return 1
}

# has TEXT REGEX: TEXT has a line matching the extended REGEX.
has() {
	grep -qE -- "$2" <<<"$1" && return 0
	echo "        no line matches: $2" >&2
	return 1
}

# lacks TEXT REGEX: no line of TEXT matches REGEX; shows the lines that do.
lacks() {
	local found
	found=$(grep -E -- "$2" <<<"$1") || return 0
	sed 's/^/        /' <<<"$found" >&2
	return 1
}

# guest_checks PREFIX LOG: one check per "PASS ..." or "FAIL ..." line that a
# guest script (using tests/guest/lib.sh) printed before its first "@@"
# section, then one that it ran to its end ("@@ tests-complete").
guest_checks() {
	local prefix=$1 log=$2 line reported=0
	while IFS= read -r line; do
		case $line in
		"PASS "*) check "$prefix${line#PASS }" true; reported=$((reported + 1)) ;;
		"FAIL "*) check "$prefix${line#FAIL }" false; reported=$((reported + 1)) ;;
		"    "*) echo "    $line" ;;
		esac
	done < <(awk '/^@@ / { exit } { print }' "$log")
	check "${prefix}the guest script ran to its end ($reported checks)" \
		eval '((reported > 0)) && grep -qx "@@ tests-complete" "$log"'
}

# boot_checks PREFIX VMOUT [CONSOLE] [MODULE]: after a boot of a guest script
# that uses tests/guest/lib.sh: its checks, the taint, a kernel log
# (VMOUT/console.log, or the file CONSOLE) with nothing bad in it, (on a kernel
# with kmemleak) no leak, and that MODULE was not left loaded. A script that
# oopses on purpose (expect_oops) checks the oops and taint itself.
boot_checks() {
	local log=$2/guest.log problems tainted
	guest_checks "$1" "$log"
	if grep -qx "@@ oops-expected" "$log"; then
		echo "        (this script oopses on purpose: its own checks cover the oops and the taint)"
		return
	fi
	if [[ -n ${4:-} ]]; then
		check "${1}no $4 is left loaded" lacks "$(section modules "$log")" "^$4 "
	fi
	tainted=$(section tainted "$log")
	check "${1}taint is only out-of-tree and unsigned (got '$tainted')" taint_ok "$tainted"
	problems=$(grep -E "$bad_kernel_messages" "${3:-$2/console.log}")
	check "${1}the kernel log has no oops, BUG, WARNING, KASAN or lockdep report" \
		eval '[[ -z $problems ]] || { head -n 40 <<<"$problems" | sed "s/^/        /" >&2; false; }'
	kmemleak_checks "$1" "$log"
}

# Boots that died before their guest script started, and were booted again
# (scripts/vm.sh appends one line each): reported apart from the checks.
# A script that a test run calls and that sources this file too (scripts/debug.sh,
# from debugger_tests) adds to the run's list rather than starting it afresh.
if [[ ${VM_RETRIES:-} != "$top/build/vm-retries.log" ]]; then
	export VM_RETRIES=$top/build/vm-retries.log
	mkdir -p "$top/build"
	: >"$VM_RETRIES"
fi

# checks_summary: the last line, "N passed, M failed"; fails if any check failed.
checks_summary() {
	if [[ -s $VM_RETRIES ]]; then
		echo "$(wc -l <"$VM_RETRIES") boot(s) died before the guest script started and were retried:"
		sed 's/^/  /' "$VM_RETRIES"
	fi
	echo "$passed passed, $failed failed"
	((failed == 0))
}
