# SPDX-License-Identifier: GPL-2.0
# The FFI tests (issue 17): a module's own C beside its Rust, and the
# declarations Rust shares with C checked by the build (docs/build.md, "Your
# own C"), on one Debian kernel. Sourced by scripts/test.sh after
# scripts/lib.sh (it uses $top, kernel_dir, build_for, check...):
#
#   ffi_tests SERIES
#
# builds tests/ffi/ffi (rust_ffi.ko: c/ffi_c.c linked in, calls both ways,
# kernel functions declared in Rust) with no warning; checks that a change to
# its C or its header rebuilds it and that nothing else does; builds
# tests/ffi/ffi_mismatch, whose kernel functions are declared as Debian 5.10
# has them: it must build there and fail on the kernels where they changed,
# naming each declaration; then boots SERIES with tests/ffi/guest.sh.
# (tests/ffi/ffi_wrong, wrong on every kernel, is in scripts/test.sh's
# build_error_tests.) kbuild names objects by their full path before 6.13,
# relative to the module's directory from then on: hence the optional
# directories in the patterns below.

# ffi_line FILE PATTERN: FILE:LINE of the first line of FILE matching PATTERN.
ffi_line() {
	echo "$1:$(grep -nE -- "$2" "$top/$1" | head -n 1 | cut -d: -f1)"
}

# ffi_at_least VERSION MIN: is the kernel version VERSION (6.1) MIN or later?
ffi_at_least() {
	[[ $(printf '%s\n' "$2" "$1" | sort -V | head -n 1) == "$2" ]]
}

ffi_tests() {
	local series=$1 kdir build out status module=rust_ffi vmout
	echo "Debian $series: FFI"
	kdir=$(kernel_dir "$series") || { check "$series: ffi: fetch the Debian kernel" false; return; }
	build=$(build_dir "$series")

	# Made anew, so that every compiler message is in the output.
	rm -rf "$build/$module" "$build/$module.ko"
	out=$(build_for "$series" "$kdir" EXAMPLE=ffi 2>&1)
	status=$?
	echo "$out" >"$build/$module.build.log"
	check "$series: ffi: make EXAMPLE=ffi builds $module.ko, with c/ffi_c.c and the declarations' check" \
		eval '[[ $status == 0 ]] && has "$out" "CC \[M\] +(.*/$module/)?c/ffi_c\.o" && has "$out" "CC \[M\] +(.*/)?${module}_ffi\.o"'
	check "$series: ffi: ... and prints no warning" lacks "$out" '[Ww]arning|WARNING|[Ee]rror'
	[[ $status == 0 ]] || return
	check "$series: ffi: the Rust object exports the entry points and the function C calls, nothing else" \
		same "ffi_rust_step rust_module_exit rust_module_init " "$(rust_globals "$build/$module/${module}_rust.o")"

	# make's dependency tracking: nothing changed, no kbuild; a changed C
	# file or header of the module's own, its objects are made again.
	out=$(build_for "$series" "$kdir" EXAMPLE=ffi 2>&1)
	check "$series: ffi: make again with nothing changed runs no compiler" lacks "$out" 'CC|LD'
	# (Filesystems stamp files with a coarse clock, a tick of up to 10 ms: a
	# file touched in the tick the last build ended in is not newer than the
	# .ko it made, and make rightly does nothing. A user's edit is never that
	# fast; the test waits a tick.)
	sleep 0.1
	touch tests/ffi/ffi/c/ffi_c.c
	out=$(build_for "$series" "$kdir" EXAMPLE=ffi 2>&1)
	check "$series: ffi: a changed c/ffi_c.c is compiled again and linked" \
		eval 'has "$out" "CC \[M\] +(.*/)?c/ffi_c\.o" && has "$out" "LD \[M\] +(.*/)?$module\.ko"'
	sleep 0.1
	touch tests/ffi/ffi/c/ffi_c.h
	out=$(build_for "$series" "$kdir" EXAMPLE=ffi 2>&1)
	check "$series: ffi: a changed c/ffi_c.h recompiles the C that includes it and the check" \
		eval 'has "$out" "CC \[M\] +(.*/)?c/ffi_c\.o" && has "$out" "CC \[M\] +(.*/)?${module}_ffi\.o"'

	# Kernel functions declared as Debian 5.10 has them.
	local file=tests/ffi/ffi_mismatch/ffi_mismatch.rs
	out=$(build_for "$series" "$kdir" EXAMPLE=ffi_mismatch 2>&1)
	status=$?
	echo "$out" >"$build/rust_ffi_mismatch.build.log"
	# What changed since 5.10, by the kernel's version: register_shrinker()
	# took a name in 6.0 and went in 6.7, strlcpy() went in 6.8,
	# proc_dointvec()'s table became const in 6.11.
	local changed=() name version
	version=$(sed -n 's/^#define UTS_RELEASE "\([0-9]*\.[0-9]*\).*/\1/p' "$kdir/kdir/include/generated/utsrelease.h")
	! ffi_at_least "$version" 6.0 || changed+=(register_shrinker)
	! ffi_at_least "$version" 6.11 || changed+=(proc_dointvec)
	! ffi_at_least "$version" 6.8 || changed+=(strlcpy)
	if ((${#changed[@]} == 0)); then
		check "$series: ffi: kernel functions declared as this kernel has them build, with no warning" \
			eval '[[ $status == 0 ]] && lacks "$out" "[Ww]arning|WARNING|[Ee]rror"'
	else
		check "$series: ffi: kernel functions declared as Debian 5.10 has them fail the build (${changed[*]} changed)" \
			[ "$status" != 0 ]
		for name in "${changed[@]}"; do
			check "$series: ffi: ... naming the Rust declaration of $name, file and line" \
				has "$out" "$(ffi_line "$file" "fn $name\("): the Rust declaration of $name, .*, does not match its C declaration"
		done
	fi
	if ffi_at_least "$version" 6.0 && ! ffi_at_least "$version" 6.7; then
		check "$series: ffi: ... and showing the kernel's declaration of register_shrinker, a name added" \
			has "$out" "include/linux/shrinker\.h:[0-9]+:[0-9]+: note: previous declaration of .register_shrinker. with type .int\(struct shrinker \*, const char \*, \.\.\.\)."
	fi
	if ffi_at_least "$version" 6.11; then
		check "$series: ffi: ... and showing the kernel's proc_dointvec, whose table is const since 6.11" \
			has "$out" "include/linux/sysctl\.h:[0-9]+:[0-9]+: note: previous declaration of .proc_dointvec. with type .int\(const struct ctl_table \*,"
	fi
	if ffi_at_least "$version" 6.8; then
		check "$series: ffi: ... and saying strlcpy, gone in 6.8, is declared by no header" \
			has "$out" "error: .strlcpy. undeclared"
	fi

	vmout=$build/vm-ffi
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/ffi/guest.sh tests/guest/lib.sh "$build/$module.ko"
	boot_checks "$series: ffi: " "$vmout" "" "$module"
}
