#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test`: host unit tests, then the VM suite on real Debian kernels.
#
#   scripts/test.sh [series...]        default: 5.10 6.1 6.12 (others: docs/kernels.md)
#   ARCH=arm64 scripts/test.sh [series...]   the same VM suite on Debian's arm64
#                                      kernels (make test ARCH=arm64 KERNELS=...)
#
# For each kernel: build the module against its headers and boot it in QEMU
# for the generic checks (it loads, unloads and reloads and leaves the kernel
# log clean: tests/guest/module.sh) and the module's own checks
# (tests/module/); install, sign and build it through DKMS; the kernel
# crate's edges (tests/safety/checks.sh); a module's own C and the
# declarations it shares with Rust (tests/ffi/checks.sh); then every example.
# One line per check; the last line is "N passed, M failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/tests/safety/checks.sh"
. "$top/tests/ffi/checks.sh"
. "$top/tests/userland/checks.sh"
cd "$top"

# The template module's name (make rename changes it) and the variable that
# passes it to the guest scripts.
module=$(template_module)
export VM_GUEST_ENV="MODULE=$module"

# --- Host unit tests ------------------------------------------------------------

host_tests() {
	echo "host: cargo test"
	local out=$top/build/host-test.log
	mkdir -p "$top/build"
	cargo test --workspace --lib --target-dir "$top/build/host" >"$out" 2>&1
	local status=$?
	local results
	results=$(sed -nE 's/^test (.*) \.\.\. (ok|FAILED)$/\1 \2/p' "$out")
	if [[ -z $results ]]; then
		check "host unit tests build and run" false
		sed 's/^/        /' "$out" | tail -n 30 >&2
		return
	fi
	# "name ok", "name FAILED", or "name - should panic ok".
	local line
	while read -r line; do
		check "host: ${line% *}" [ "${line##* }" = ok ]
	done <<<"$results"
	check "host: cargo test exits 0" [ "$status" = 0 ]
}

# --- Build errors that must explain themselves --------------------------------------

build_error_tests() {
	echo "build errors:"
	local out status
	out=$(make --no-print-directory KDIR=/nonexistent/kdir BUILD=build/error-check 2>&1)
	status=$?
	check "make with a missing KDIR fails" [ "$status" != 0 ]
	check "make with a missing KDIR names it and the headers package to install" \
		eval 'has "$out" "no kernel build tree at KDIR=/nonexistent/kdir" && has "$out" "apt install linux-headers-"'

	# A kernel built with a gcc this machine lacks: the hint names the Debian
	# package, and suggests CC= only where kbuild accepts the other gcc.
	local fakekdir=$top/build/error-check/kdir-gcc
	mkdir -p "$fakekdir/include/config"
	touch "$fakekdir/Makefile"
	local gcc newer older
	for gcc in 10:100201 99:990100; do
		printf 'CONFIG_X86_64=y\nCONFIG_MODULES=y\nCONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-%s (Debian) %s"\nCONFIG_GCC_VERSION=%s\n' \
			"${gcc%:*}" "${gcc%:*}" "${gcc#*:}" >"$fakekdir/include/config/auto.conf"
		out=$(make --no-print-directory KDIR="$fakekdir" BUILD=build/error-check 2>&1)
		status=$?
		check "make for a kernel built with x86_64-linux-gnu-gcc-${gcc%:*}, not installed, fails naming the package gcc-${gcc%:*}" \
			eval '[[ $status != 0 ]] && has "$out" "sudo apt install gcc-${gcc%:*}\)"'
		[[ ${gcc%:*} == 10 ]] && older=$out || newer=$out
	done
	check "... and suggests make CC=gcc where this machine's gcc is newer than the kernel's, never where it is older" \
		eval 'has "$older" "make CC=gcc$" && has "$newer" "older than the kernel.s 99" && lacks "$newer" "make CC="'

	# A rustc whose sysroot has no library sources stands in for a toolchain
	# without the rust-src component.
	local fake=$top/build/error-check/fake-rustc kdir
	mkdir -p "$fake"
	printf '#!/bin/sh\necho %s\n' "$fake/sysroot" >"$fake/rustc"
	chmod +x "$fake/rustc"
	kdir=$(kernel_dir 6.1) || kdir=/nonexistent
	out=$(PATH=$fake:$PATH make --no-print-directory KDIR="$kdir/kdir" BUILD=build/error-check 2>&1)
	status=$?
	check "make without rust-src fails" [ "$status" != 0 ]
	check "make without rust-src says to run rustup component add rust-src" \
		has "$out" "rustup component add rust-src"

	# Declarations Rust shares with C that do not match C's
	# (tests/ffi/ffi_wrong): each one a build error naming it, file and line.
	local file=tests/ffi/ffi_wrong/ffi_wrong.rs
	if kdir=$(kernel_dir 6.1); then
		out=$(build_for 6.1 "$kdir" EXAMPLE=ffi_wrong 2>&1)
		status=$?
		echo "$out" >"$top/build/ffi-wrong.build.log"
		check "a Rust declaration that does not match C's fails the build" [ "$status" != 0 ]
		check "... a kernel function's wrong return type, naming the declaration and showing the kernel's" eval \
			'has "$out" "$(ffi_line $file "fn get_random_u32\\("): the Rust declaration of get_random_u32, u64 \(void\), does not match" &&
			has "$out" "include/linux/random\.h:[0-9]+:[0-9]+: note: previous declaration of .get_random_u32. with type .u32\(void\)."'
		check "... a kernel function no header declares, on the line naming the declaration" eval \
			'has "$out" "error: .get_random_u23. undeclared" &&
			has "$out" "^ *[0-9]+ \| .*\"$(ffi_line $file "fn get_random_u23\\("): the Rust declaration of get_random_u23"'
		check "... a function of the module's own C, showing its declaration in c/" eval \
			'has "$out" "$(ffi_line $file "fn ffi_wrong_c\\("): the Rust declaration of ffi_wrong_c, u32 \(u32\), does not match" &&
			has "$out" "c/ffi_wrong\.h:[0-9]+:[0-9]+: note: previous declaration of .ffi_wrong_c. with type .u32\(u64\)."'
		check "... a Rust function C calls, whose parameter is not const as C declares it" \
			has "$out" "$(ffi_line $file "fn ffi_wrong_rust\\("): the Rust function ffi_wrong_rust, void \(u8 \*\), does not match its C declaration"
		check "... a field of a struct the kernel function takes" \
			has "$out" "$(ffi_line $file "tv_sec: i32"): field tv_sec of the Rust struct timespec64, s32, does not match the C field"
	else
		check "fetch Debian 6.1 for the declaration checks" false
	fi
}

# --- The repository itself --------------------------------------------------------

repo_tests() {
	echo "repository:"
	local out
	local status
	out=$(make --no-print-directory lint 2>&1)
	status=$?
	check "make lint: cargo fmt and clippy find nothing, on the host and the kernel target" \
		eval '[[ $status == 0 ]] || { tail -n 30 <<<"$out" | sed "s/^/        /" >&2; false; }'
	out=$(rust-analyzer diagnostics . 2>&1 | tr '\r' '\n')
	local problems
	problems=$(grep -E ": (Error|Warning) " <<<"$out" | sed 's/.*at crate/at crate/')
	check "rust-analyzer finds no error or warning in the crates, examples included" \
		eval '[[ -z $problems ]] && grep -q "diagnostic scan complete" <<<"$out" || { head -n 20 <<<"$problems" | sed "s/^/        /" >&2; false; }'
	out=$(scripts/check-docs.sh 2>&1)
	check "every code block in README.md and docs/ is an exact excerpt of the file it names" \
		eval '[[ -z $out ]] || { sed "s/^/        /" <<<"$out" >&2; false; }'
	out=$(grep -rnw unsafe examples/ 2>&1)
	check "examples/ contain no unsafe" eval '[[ -z $out ]] || { sed "s/^/        /" <<<"$out" >&2; false; }'
	out=$(for f in $(git ls-files 'Makefile*' '*.c' '*.rs' '*.sh' 'scripts/*'); do
		[[ $(head -n 3 "$f") == *SPDX-License-Identifier* ]] || echo "$f"
	done)
	check "every source file starts with an SPDX licence line" \
		eval '[[ -z $out ]] || { sed "s/^/        /" <<<"$out" >&2; false; }'
}

# --- The harness: a boot that dies before its guest script -------------------------

# A kernel that cannot find its init panics before any guest script runs,
# as a starved emulator's boot does (docs/testing.md): scripts/vm.sh must
# boot it again once, and report it apart from the checks.
boot_retry_tests() {
	echo "harness:"
	local kdir vmout=$top/build/retry-test status out
	kdir=$(kernel_dir 6.1) || { check "fetch Debian 6.1" false; return; }
	: >"$vmout.retries"
	out=$(VM_RETRIES=$vmout.retries VM_CMDLINE="rdinit=/no-such-init" \
		"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/guest/module.sh 2>&1)
	status=$?
	check "a boot that panics before the guest script starts is booted again, once" eval \
		'[[ -f $vmout/first-boot/console.log && $(grep -c "booting again" <<<"$out") == 1 ]]'
	check "... and reported apart, with what it died of" has "$(cat "$vmout.retries")" "^6\.1: Kernel panic"
	check "... and a second death fails the boot" \
		eval '[[ $status != 0 && ! -s $vmout/guest.log ]] && has "$out" "died before the guest script started again"'
	rm -rf "$vmout" "$vmout.retries"
}

# --- make debug: gdb on the module in the guest --------------------------------------

# debugger_tests SERIES: make debug's scripted twin (scripts/debug.sh with
# GDB_BATCH): gdb attached to QEMU's gdb stub, with rust_chardev's symbols
# where the kernel loaded it, breaks in the Rust read while the guest's cat
# reads the device, shows the backtrace, locals and a field, finishes into
# the caller, continues to the next read and lets the guest go on.
debugger_tests() {
	local series=$1 out status vmout console
	echo "Debian $series, make debug (gdb), example chardev:"
	vmout=$(BUILD_VARIANT=debuginfo build_dir "$series")/vm-debug
	out=$(TRIGGER='printf hello >/dev/rust_chardev; cat /dev/rust_chardev' TRIGGER_PERIOD=1 \
		GDB_BATCH=tests/debugger/chardev-read.gdb "$top/scripts/debug.sh" "$series" chardev 2>&1)
	status=$?
	echo "$out" >"$(dirname "$vmout")/debugger-test.log"
	# gdb_output MARK: what the command after "echo @@ MARK" printed.
	gdb_output() {
		awk -v want="@@ $1" '/^@@ / { on = ($0 == want); next } /^debug: / { on = 0 } on' <<<"$out"
	}
	check "$series: make debug's batch run ends well: gdb, and the guest after it (exit status $status)" \
		eval '[[ $status == 0 ]] || { tail -n 20 <<<"$out" | sed "s/^/        /" >&2; false; }'
	check "$series: gdb stops at a breakpoint on a line of chardev's Rust read, by file and line" \
		has "$out" '^Thread [0-9]+ hit Breakpoint 1, chardev::\{impl#[0-9]+\}::read \(self=.*\) at examples/chardev/chardev\.rs:[0-9]+$'
	check "$series: bt names the Rust read and its caller, the kernel crate's miscdev Adapter::read" \
		eval 'has "$(gdb_output bt)" "^#0 +chardev::\{impl#[0-9]+\}::read .* at examples/chardev/chardev\.rs:[0-9]+$" &&
			has "$(gdb_output bt)" "^#1 +kernel::miscdev::Adapter<chardev::Buffer>::read.* at src/kernel/miscdev\.rs:[0-9]+$"'
	# (#2 on x86, where helpers/miscdev.c's rust_miscdev_read calls Rust as
	# a tail call; #3 on arm64, after it.)
	check "$series: ... and the kernel's caller by its /proc/kallsyms name, vfs_read" \
		has "$(gdb_output bt)" '^#[23] +0x[0-9a-f]+ in vfs_read \(\)$'
	check "$series: info locals shows the local start, 0 at cat's first read" has "$(gdb_output "info locals")" '^start = 0$'
	check "$series: p of a field inside the Mutex shows the data's size, the 5 bytes of 'hello'" \
		same '$1 = 5' "$(gdb_output "p size")"
	check "$series: finish returns into the caller, at its line in src/kernel/miscdev.rs" \
		has "$(gdb_output finish)" '^kernel::miscdev::Adapter<chardev::Buffer>::read.* at src/kernel/miscdev\.rs:[0-9]+$'
	check "$series: continue stops at cat's second read, whose start is the end of the data, 5" \
		eval 'has "$(gdb_output continue)" "hit Breakpoint 1, chardev::" && same "\$2 = 5" "$(gdb_output "p start")"'
	check "$series: after gdb detaches, the guest runs the trigger again" has "$out" '^debug: the guest ran on: @@ trigger [0-9]+ '
	# QEMU removes its pid file as it exits.
	check "$series: the VM is stopped when the script ends" eval '[[ -d $vmout && ! -e $vmout/qemu.pid ]]'
	console=$(cat "$vmout/console.log" 2>/dev/null)
	check "$series: the kernel log has no oops, BUG or WARNING after the breakpoints" \
		eval '[[ -n $console ]] && lacks "$console" "$bad_kernel_messages"'
	local tainted
	tainted=$(sed -n 's/^debug: the guest ran on: @@ trigger [0-9]* tainted=//p' <<<"$out")
	check "$series: taint is only out-of-tree and unsigned (got '$tainted')" taint_ok "$tainted"
}

# --- Your own module: make rename, then a module that is not hello ------------------

# in_copy NAME COMMAND...: runs COMMAND in the copy, with the examples left
# out and without these copy tests (not again inside the copy's own make
# test); keeps the output in build/own-module-test.NAME.log and in $out, the
# exit status in $status.
in_copy() {
	local name=$1
	shift
	out=$(cd "$copy" && IN_RENAME_TEST=1 EXAMPLES=" " "$@" 2>&1)
	status=$?
	echo "$out" >"$top/build/own-module-test.$name.log"
}

# summary_of OUTPUT: its "N passed, M failed" line, or its last line.
summary_of() {
	grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$1" | tail -n 1 | grep . || tail -n 1 <<<"$1"
}

# Makes a fresh copy of the repository's files in build/own-module-test and,
# as a user would: renames the module to my_driver, whose own make test on
# 6.1 must pass unchanged; replaces src/lib.rs and tests/module/ with another
# module and its checks (tests/own-module/), whose make check and make test
# must pass; then breaks one of its checks, and then its init, and requires
# make check, make test and make run to fail each time.
own_module_tests() {
	echo "your own module: make rename, then a module that is not hello:"
	local copy=$top/build/own-module-test out status
	rm -rf "$copy"
	mkdir -p "$copy"
	# The files git tracks, and the new ones it does not ignore (a test
	# program not committed yet).
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy"
	in_copy rename make --no-print-directory rename NAME=my_driver
	check "make rename NAME=my_driver succeeds" eval '[[ $status == 0 ]] || { sed "s/^/        /" <<<"$out" >&2; false; }'
	check "make rename sets the module, crate and type names" eval \
		'grep -qx "MODULE  := my_driver" "$copy/Makefile" && grep -qx "name = \"my_driver\"" "$copy/Cargo.toml" &&
		grep -qx "    type: MyDriver," "$copy/src/lib.rs"'
	in_copy renamed-test make --no-print-directory test KERNELS=6.1
	check "the renamed copy passes its own make test KERNELS=6.1 ($(summary_of "$out"))" \
		eval '[[ $status == 0 ]] || { grep FAIL <<<"$out" | sed "s/^/        /" >&2; false; }'
	check "... in which my_driver.ko loads, and its own checks run" eval \
		'has "$out" "PASS  6.1: insmod my_driver.ko succeeds" && has "$out" "PASS  6.1: the guest script ran to its end"'

	# Another module, with its own checks and no panic test.
	cp tests/own-module/lib.rs "$copy/src/lib.rs"
	rm "$copy/$own_tests"/*
	cp tests/own-module/test.sh "$copy/$own_tests/test.sh"
	in_copy other-check make --no-print-directory check
	check "with another module and its checks, make check passes ($(summary_of "$out"))" \
		eval '[[ $status == 0 ]] || { grep FAIL <<<"$out" | sed "s/^/        /" >&2; false; }'
	check "... and runs that module's checks" has "$out" "PASS  6.1: a read returns the last word written"
	in_copy other-test make --no-print-directory test KERNELS=6.1
	check "with another module and its checks, make test KERNELS=6.1 passes ($(summary_of "$out"))" \
		eval '[[ $status == 0 ]] || { grep FAIL <<<"$out" | sed "s/^/        /" >&2; false; }'

	own_c_tests

	# Failing on purpose: make test's VM part only (ONLY_VM), which is where
	# the module's checks run.
	local failing_commands=(check run "test ONLY_VM=1") command
	sed -i 's/^finish$/expect "a check that fails on purpose" yes no\nfinish/' "$copy/$own_tests/test.sh"
	for command in "${failing_commands[@]}"; do
		# shellcheck disable=SC2086 # "test ONLY_VM=1" is two words
		in_copy "failing-check-${command%% *}" make --no-print-directory $command KERNELS=6.1
		check "when one of the module's own checks fails, make ${command%% *} fails" \
			eval '[[ $status != 0 ]] && has "$out" "FAIL +(6\\.1: )?a check that fails on purpose"'
	done
	cp tests/own-module/test.sh "$copy/$own_tests/test.sh"
	perl -0pi -e 's/Ok\(Device \{ _device: device \}\)/drop(device);\n        Err(ENODEV)/' "$copy/src/lib.rs"
	for command in "${failing_commands[@]}"; do
		# shellcheck disable=SC2086
		in_copy "failing-init-${command%% *}" make --no-print-directory $command KERNELS=6.1
		check "when the module fails to load, make ${command%% *} fails" \
			eval '[[ $status != 0 ]] && has "$out" "FAIL +(6\\.1: )?insmod my_driver.ko succeeds"'
	done
	rm -rf "$copy"
}

# C of the module's own in the copy's c/ (tests/own-module/c/), called from
# its Rust, which it calls back: make check builds it in and passes (its
# writes are sized by it); then the C function's parameter changes, and the
# Rust declaration, no longer matching c/lastword.h, fails make check, named
# by src/lib.rs and its line. Then the copy is as it was.
own_c_tests() {
	cp -r tests/own-module/c "$copy/c"
	perl -0pi -e 's|( +)if count > CAPACITY \{|$1// SAFETY: lastword_fits() (c/lastword.c) takes and returns plain values.\n$1if !unsafe { lastword_fits(count) } {|' \
		"$copy/src/lib.rs"
	cat >>"$copy/src/lib.rs" <<-'EOF'

		extern "C" {
		    fn lastword_fits(count: usize) -> bool;
		}

		/// Called from C (c/lastword.c).
		#[no_mangle]
		pub extern "C" fn lastword_capacity() -> usize {
		    CAPACITY
		}
	EOF
	in_copy own-c-check make --no-print-directory check
	check "with C of its own in c/, calling Rust and called from it, make check passes ($(summary_of "$out"))" \
		eval '[[ $status == 0 ]] || { grep FAIL <<<"$out" | sed "s/^/        /" >&2; false; }'
	check "... with c/lastword.c compiled into the module" test -f "$copy/build/debian-6.1/my_driver/c/lastword.o"
	sed -i 's/size_t count/u32 count/' "$copy/c/lastword.h" "$copy/c/lastword.c"
	in_copy own-c-wrong make --no-print-directory check
	check "when c/lastword.h changes and the Rust declaration does not follow, make check fails, naming it" eval \
		'[[ $status != 0 ]] && has "$out" "src/lib\.rs:$(grep -n "fn lastword_fits" "$copy/src/lib.rs" | cut -d: -f1): the Rust declaration of lastword_fits, bool \(size_t\), does not match"'
	rm -r "$copy/c"
	cp tests/own-module/lib.rs "$copy/src/lib.rs"
}

# --- One Debian kernel ------------------------------------------------------------

vm_tests() {
	local series=$1
	local kdir build log vmout status script
	echo "Debian $series:"
	if ! kdir=$(kernel_dir "$series"); then
		check "$series: fetch the Debian kernel and headers" false
		return
	fi
	build=$(build_dir "$series")

	# Boot 1: the generic checks and the module's own (tests/module/test.sh).
	build_checks "$series: " "$series" "$kdir" "$module" || return
	own_boot "$series: " "$series" "$kdir" "$module"
	# The module's other guest scripts, a boot each (hello's: the panic path).
	for script in $(own_scripts); do
		echo "Debian $series, $module, $script:"
		own_boot "$series: $(basename "$script" .sh): " "$series" "$kdir" "$module" "$script"
	done

	# Boot 2: make install into a staging tree, then modprobe by name.
	local stage=$build/stage release installed out
	rm -rf "$stage"
	release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/kdir/include/generated/utsrelease.h")
	out=$(build_for "$series" "$kdir" install INSTALL_MOD_PATH="$stage" 2>&1)
	status=$?
	check "$series: make install INSTALL_MOD_PATH=... succeeds" eval '[[ $status == 0 ]] || { tail -n 5 <<<"$out" >&2; false; }'
	# kbuild installs into extra/ (6.1) or updates/ (6.2 on), compressed where
	# the kernel's config says so (6.12: .ko.xz).
	installed=$(cd "$stage/lib/modules/$release" 2>/dev/null && ls {extra,updates}/"$module".ko* 2>/dev/null)
	check "$series: make install puts $module.ko under lib/modules/$release (got '$installed')" \
		has "$installed" "^(extra|updates)/$module\\.ko(\\.xz|\\.gz|\\.zst)?$"
	check "$series: make install runs depmod, which indexes it" \
		has "$(cat "$stage/lib/modules/$release/modules.dep" 2>/dev/null)" "^$installed:"
	# make sign, with a throw-away key; the guest loads the signed module too.
	local key=$build/test-signing-key modinfo signfile=()
	# 5.10's sign-file needs OpenSSL 1.1, which Debian 12 lacks; 6.1's writes
	# the same signature format.
	# (ldd's output is captured first: grep -q closing the pipe early would
	# make ldd fail, and pipefail the whole test.)
	local libs
	libs=$(ldd "$kdir/kdir/scripts/sign-file" 2>&1)
	# (A series built in another release's userland signs there, with its own.)
	if [[ ! -f $kdir/userland ]] && grep -q 'not found' <<<"$libs"; then
		signfile=(SIGN_FILE="$(kernel_dir 6.1)/kdir/scripts/sign-file")
	fi
	out=$(build_for "$series" "$kdir" sign SIGN_KEY="$key.pem" SIGN_CERT="$key.x509" "${signfile[@]}" 2>&1)
	status=$?
	check "$series: make sign succeeds" eval '[[ $status == 0 ]] || { tail -n 5 <<<"$out" >&2; false; }'
	modinfo=$(PATH=$PATH:/sbin:/usr/sbin modinfo "$build/$module.ko")
	check "$series: modinfo shows the signature: signer and the kernel's hash" eval \
		'has "$modinfo" "^signer: +$module module signing key$" && has "$modinfo" "^sig_hashalgo: +sha256$"'
	cp "$build/$module.ko" "$build/signed.ko"
	vmout=$build/vm-install
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/guest/install.sh "$stage/lib" "$build/signed.ko"
	log=$vmout/guest.log
	check "$series: modprobe $module loads the installed module" same "status=0
1" "$(section modprobe "$log")"
	check "$series: modprobe -r $module removes it" same "status=0
0" "$(section modprobe-r "$log"; section after "$log")"
	out=$(build_for "$series" "$kdir" uninstall INSTALL_MOD_PATH="$stage" 2>&1)
	status=$?
	check "$series: the signed module loads and unloads" same "status=0
status=0" "$(section signed "$log")"
	check "$series: the install boot's kernel log has no oops, BUG or WARNING" \
		lacks "$(cat "$vmout/console.log")" "$bad_kernel_messages"
	kmemleak_checks "$series: install boot: " "$log"
	check "$series: make uninstall succeeds" eval '[[ $status == 0 ]] || { tail -n 5 <<<"$out" >&2; false; }'
	check "$series: make uninstall removes $module.ko and its modules.dep entry" \
		eval '[[ ! -e $stage/lib/modules/$release/$installed ]] && ! grep -q "$module" "$stage/lib/modules/$release/modules.dep"'

	# DKMS builds it in private trees (no system directory is touched).
	local dkms=$build/dkms ko vermagic
	rm -rf "$dkms"
	mkdir -p "$dkms/source" "$dkms/tree"
	out=$(build_for "$series" "$kdir" dkms-build DKMS_SOURCE="$dkms/source" \
		DKMS_FLAGS="--sourcetree $dkms/source --dkmstree $dkms/tree" 2>&1)
	status=$?
	check "$series: make dkms-build builds through dkms" eval '[[ $status == 0 ]] || { tail -n 15 <<<"$out" >&2; false; }'
	ko=$(find "$dkms/tree" -name "$module.ko*" | head -n 1)
	vermagic=$(PATH=$PATH:/sbin:/usr/sbin modinfo -F vermagic "$ko" 2>/dev/null)
	check "$series: the DKMS-built $module.ko is for $release (vermagic '$vermagic')" eval '[[ $vermagic == "$release "* ]]'
}

# DKMS later, as root would run it when a kernel is installed: no user's
# environment (no rustup on PATH, no CARGO_HOME), no network (a network
# namespace of its own), a build for a second kernel after make dkms-build
# for the first. make dkms left what it needs in the copy: the crates
# vendored and the toolchain named in dkms.conf.
dkms_offline_tests() {
	local first=$1 second=$2 kdir1 kdir2 d release out status ko vermagic
	echo "DKMS offline: built for Debian $first by make dkms-build, then for $second as root, offline"
	kdir1=$(kernel_dir "$first")/kdir && kdir2=$(kernel_dir "$second")/kdir ||
		{ check "dkms offline: fetch Debian $first and $second" false; return; }
	d=$top/build/dkms-offline
	rm -rf "$d"
	mkdir -p "$d/source" "$d/tree" "$d/home"
	out=$(make -C "$top" --no-print-directory KDIR="$kdir1" BUILD="$(build_dir "$first")" dkms-build \
		DKMS_SOURCE="$d/source" DKMS_FLAGS="--sourcetree $d/source --dkmstree $d/tree" 2>&1)
	status=$?
	check "dkms offline: make dkms-build for $first succeeds" eval '[[ $status == 0 ]] || { tail -n 15 <<<"$out" >&2; false; }'
	((status == 0)) || return
	local copy=$d/source/$module-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	check "dkms offline: the copy has the crates vendored (the module's and the standard library's)" \
		eval '[[ -d $copy/vendor/spin-0.12.3 && -n $(ls -d "$copy"/vendor/libc-* 2>/dev/null) ]]'
	check "dkms offline: ... and dkms.conf names the toolchain" \
		has "$(cat "$copy/dkms.conf")" "^RUST_SYSROOT=\"$(rustc --print sysroot)\"$"
	# No network: a network namespace of its own where the kernel allows one
	# (not in an unprivileged container, such as GitHub's): there, every
	# connection through a proxy that is not there.
	local bare=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home") nonet=
	if unshare -n true 2>/dev/null; then
		bare=(unshare -n "${bare[@]}")
		nonet="no network"
	else
		bare+=(CARGO_HTTP_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9)
		nonet="every connection through a proxy that is not there"
	fi
	check "dkms offline: the clean environment has no cargo on PATH and $nonet" \
		eval '! "${bare[@]}" sh -c "command -v cargo" >/dev/null &&
			! "${bare[@]}" "$(rustc --print sysroot)/bin/cargo" search --limit 1 spin >/dev/null 2>&1'
	release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir2/include/generated/utsrelease.h")
	out=$("${bare[@]}" dkms build -m "$module" -v "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" \
		--sourcetree "$d/source" --dkmstree "$d/tree" -k "$release" --kernelsourcedir "$kdir2" 2>&1)
	status=$?
	check "dkms offline: dkms build for $second ($release) succeeds there" \
		eval '[[ $status == 0 ]] || { tail -n 15 <<<"$out" >&2; find "$d/tree" -name make.log -exec tail -n 20 {} + >&2; false; }'
	ko=$(find "$d/tree" -path "*/$release/*" -name "$module.ko*" | head -n 1)
	vermagic=$(PATH=$PATH:/sbin:/usr/sbin modinfo -F vermagic "$ko" 2>/dev/null)
	check "dkms offline: ... and its $module.ko is for $release (vermagic '$vermagic')" eval '[[ $vermagic == "$release "* ]]'
}

# Examples with a test script, or those named in $EXAMPLES.
examples=${EXAMPLES:-$(tested_examples)}

# ONLY_DEBUGGER=1 (make test-debugger): only debugger_tests, on the kernels given.
if [[ -n ${ONLY_DEBUGGER:-} ]]; then
	"$top/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
	for series in ${@:-6.1}; do
		debugger_tests "$series"
	done
	checks_summary
	exit
fi

"$top/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
# ONLY_EXAMPLES=1 (make test-example) runs just the example tests; ONLY_VM=1
# (make test-debug) the VM suite, without the host and repository checks.
# ARCH=arm64 runs the VM suite only too: the host, repository and harness
# checks do not depend on the kernels' architecture, and make test runs them.
if [[ -n $arch_suffix && -z ${ONLY_EXAMPLES:-} ]]; then
	echo "ARCH=$ARCH: the VM suite only (the host and repository checks are make test's, on x86_64)"
elif [[ -z ${ONLY_EXAMPLES:-} && -z ${ONLY_VM:-} ]]; then
	host_tests
	repo_tests
	build_error_tests
	boot_retry_tests
	# (Not again inside the renamed copy's own run.)
	# (Not again inside the copies' own runs; COPY_TESTS=no leaves them out.)
	[[ -n ${IN_RENAME_TEST:-} || ${COPY_TESTS:-} == no ]] || own_module_tests
	# Once, for two kernels of the run built with the host's gcc (not 5.10's gcc-10).
	kernels=" $(echo ${*:-5.10 6.1 6.12}) "
	[[ -n ${IN_RENAME_TEST:-} || $kernels != *" 6.1 "* || $kernels != *" 6.12 "* ]] || dkms_offline_tests 6.1 6.12
fi
for series in "${@:-5.10 6.1 6.12}"; do
	for s in $series; do
		[[ -n ${ONLY_EXAMPLES:-} ]] || vm_tests "$s"
		# The kernel crate's edges (tests/safety/); not on make test-debug's
		# KASAN kernel, whose stack is twice as large, nor again in the
		# copies of own_module_tests.
		[[ -n ${ONLY_EXAMPLES:-} || -n ${IN_RENAME_TEST:-} || $s == *-debug ]] || safety_tests "$s"
		# A module's own C and the declarations shared with it (tests/ffi/).
		[[ -n ${ONLY_EXAMPLES:-} || -n ${IN_RENAME_TEST:-} ]] || ffi_tests "$s"
		# Built in another Debian release's userland (trixie, sid): with its gcc.
		[[ -n ${ONLY_EXAMPLES:-} ]] || userland_tests "$s"
		for name in $examples; do
			echo "Debian $s, example $name:"
			example_tests "$s" "$name"
		done
		# gdb on the module (make debug), on one kernel.
		[[ -n ${ONLY_EXAMPLES:-} || -n ${IN_RENAME_TEST:-} || $s != 6.1 ]] || debugger_tests "$s"
	done
done
checks_summary
