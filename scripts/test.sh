#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test`: host unit tests, then the VM suite on real Debian kernels.
#
#   scripts/test.sh [series...]        default: 5.10 6.1 6.12
#
# For each kernel: build the module against its headers, boot it in QEMU, load,
# check the exact log lines, unload, load and unload again, feed a bad
# parameter, trigger the panic path, and look for anything the kernel did not
# like. One line per check; the last line is "N passed, M failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

# The template module's name (make rename changes it) and the variable that
# passes it to the guest scripts.
module=$(template_module)
export VM_GUEST_ENV="MODULE=$module"

# The module's own lines, from the raw log the guest printed ("<6>hello: ..."),
# as "<6>..." without the name;
# the kernel's own notices about tainting are checked through the taint value.
module_lines() {
	grep -E "^<[0-7]>$module: " <<<"$1" | grep -vE 'taints kernel|module verification failed' |
		sed -E "s/^<([0-7])>$module: /<\1>/"
}

# rust_globals OBJECT: the global symbols OBJECT defines, sorted, on one line.
rust_globals() {
	nm -g --defined-only "$1" | awk '{ print $3 }' | sort | tr '\n' ' '
}

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

# --- make rename, on a fresh copy ---------------------------------------------------

# Copies the repository's files to build/rename-test, renames the module there
# to my_driver, and runs that copy's own test suite (all but the examples) on 6.1.
rename_tests() {
	echo "make rename:"
	local copy=$top/build/rename-test out status
	rm -rf "$copy"
	mkdir -p "$copy"
	git ls-files -z | xargs -0 cp --parents -t "$copy"
	out=$(make -C "$copy" --no-print-directory rename NAME=my_driver 2>&1)
	status=$?
	check "make rename NAME=my_driver succeeds" eval '[[ $status == 0 ]] || { sed "s/^/        /" <<<"$out" >&2; false; }'
	check "make rename sets the module, crate and type names" eval \
		'grep -qx "MODULE  := my_driver" "$copy/Makefile" && grep -qx "name = \"my_driver\"" "$copy/Cargo.toml" &&
		grep -qx "    type: MyDriver," "$copy/src/lib.rs"'
	out=$(cd "$copy" && IN_RENAME_TEST=1 EXAMPLES=" " scripts/test.sh 6.1 2>&1)
	status=$?
	echo "$out" >"$top/build/rename-test.log"
	check "the renamed copy passes its own tests on 6.1 ($(tail -n 1 <<<"$out"))" \
		eval '[[ $status == 0 ]] || { grep FAIL <<<"$out" | sed "s/^/        /" >&2; false; }'
	check "the renamed copy builds, loads and logs as my_driver" \
		has "$out" "PASS  6.1: init logs the greeting lines at KERN_INFO"
	check "the renamed copy's module is my_driver.ko" has "$out" "PASS  6.1: insmod my_driver.ko succeeds"
	rm -rf "$copy"
}

# --- One Debian kernel ------------------------------------------------------------

vm_tests() {
	local series=$1
	local kdir build log vmout
	echo "Debian $series:"
	if ! kdir=$(kernel_dir "$series"); then
		check "$series: fetch the Debian kernel and headers" false
		return
	fi
	build=$(build_dir "$series")

	local build_out status
	build_out=$(build_for "$series" "$kdir" 2>&1)
	status=$?
	echo "$build_out" >"$top/build/debian-$series.build.log"
	check "$series: make KDIR=... builds $module.ko" [ "$status" = 0 ]
	check "$series: the build prints no warnings" lacks "$build_out" '[Ww]arning'
	[[ $status == 0 ]] || return

	local globals
	globals=$(rust_globals "$build/$module/${module}_rust.o")
	check "$series: the Rust object exports only its entry points and parameters" \
		same "rust_module_exit rust_module_init rust_param_count rust_param_panic_on_init " "$globals"

	# Boot 1: load, unload, reload, bad input.
	vmout=$build/vm-$module
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/guest/module.sh "$build/$module.ko"
	log=$vmout/guest.log
	check "$series: the VM boots and runs the guest script to the end" has "$(cat "$log")" '^@@ guest-done$'

	check "$series: insmod $module.ko succeeds" same "status=0" "$(section insmod "$log")"
	check "$series: init logs the greeting lines at KERN_INFO" same "\
<6>Hello from Rust! Keeping 3 greetings.
<6>core::fmt works here:  right|left  |0xbeef|-42
<6>a literal percent sign: 100%
<6>greeting #1 of 3 ready
<6>greeting #2 of 3 ready
<6>greeting #3 of 3 ready" "$(module_lines "$(section load-log "$log")")"
	check "$series: the count parameter reads 3 in sysfs" same 3 "$(section param-count "$log")"
	check "$series: the module is listed in /proc/modules" same 1 "$(section modules-loaded "$log")"
	check "$series: rmmod $module succeeds" same "status=0" "$(section rmmod "$log")"
	check "$series: exit logs the greetings kept since init" same "\
<6>Goodbye from Rust! Dropping 3 greetings kept since init:
<6>  greeting #1 of 3
<6>  greeting #2 of 3
<6>  greeting #3 of 3" "$(module_lines "$(section unload-log "$log")")"
	check "$series: loading again with count=1 and unloading works" same "status=0
status=0" "$(section reload "$log")"
	check "$series: the second load logs its own state" same "\
<6>Hello from Rust! Keeping 1 greetings.
<6>core::fmt works here:  right|left  |0xbeef|-42
<6>a literal percent sign: 100%
<6>greeting #1 of 1 ready
<6>Goodbye from Rust! Dropping 1 greetings kept since init:
<6>  greeting #1 of 1" "$(module_lines "$(section reload-log "$log")")"

	local bad
	bad=$(section bad-count "$log")
	check "$series: count=99 fails the load with EINVAL" has "$bad" 'Invalid argument'
	check "$series: count=99 makes insmod exit non-zero" lacks "$bad" '^status=0$'
	# busybox insmod retries a failed finit_module() with init_module(), so
	# init runs, and logs, once per attempt.
	check "$series: count=99 is reported at KERN_ERR" same "<3>count=99 is out of range (0 to 16)" \
		"$(module_lines "$(section bad-count-log "$log")" | sort -u)"
	check "$series: a failed load leaves no module behind" same 0 "$(section modules-after-bad-count "$log")"

	local tainted
	tainted=$(section tainted "$log")
	check "$series: taint is only out-of-tree and unsigned (got '$tainted')" taint_ok "$tainted"
	check "$series: the kernel log has no oops, BUG or WARNING" \
		lacks "$(cat "$vmout/console.log"; section full-log "$log")" "$bad_kernel_messages"
	kmemleak_checks "$series: " "$log"

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
	if grep -q 'not found' <<<"$libs"; then
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
	check "$series: modprobe $module count=2 loads the installed module" same "status=0" "$(section modprobe "$log")"
	check "$series: modprobe passes the parameter" same 2 "$(section param "$log")"
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

	# Boot 3: a Rust panic in init.
	vmout=$build/vm-panic
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/guest/panic.sh "$build/$module.ko"
	log=$vmout/guest.log
	local panic_log where
	panic_log=$(section panic-log "$log")
	# Where the panic! in src/lib.rs is: line and 1-based column of "panic!".
	where=$(awk '/panic!\("panic_on_init/ { print FILENAME ":" NR ":" index($0, "panic!"); exit }' src/lib.rs)
	check "$series: a panic does not let insmod complete" lacks "$(section insmod-panic "$log")" '^status=0$'
	check "$series: a panic logs its message and $where at KERN_EMERG" \
		has "$panic_log" "^<0>$module: panicked at $where: panic_on_init was set \\(count = 3\\)$"
	check "$series: a panic oopses through BUG() in module.c" has "$panic_log" 'kernel BUG at .*module\.c:[0-9]+!'
	check "$series: the oops reports invalid opcode (BUG's ud2)" has "$panic_log" 'invalid opcode'
	check "$series: the oops has a backtrace through the Rust init" has "$panic_log" 'rust_module_init'
	check "$series: the kernel keeps running after the panic" has "$(section alive "$log")" '^still running'
	tainted=$(section tainted "$log")
	check "$series: the oops taints the kernel with D (got '$tainted')" eval '[[ $tainted =~ ^[0-9]+$ ]] && (( tainted & 128 ))'
}

# --- The examples on one Debian kernel --------------------------------------------

# example_tests SERIES NAME: builds examples/NAME, boots the kernel with it and
# runs examples/NAME/test.sh in the guest; each PASS/FAIL line the guest
# prints is one check here.
example_tests() {
	local series=$1 name=$2 module=rust_$2
	local kdir build vmout log build_out status programs
	kdir=$(kernel_dir "$series") || return
	build=$(build_dir "$series")

	build_out=$(build_for "$series" "$kdir" EXAMPLE="$name" 2>&1)
	status=$?
	echo "$build_out" >"$top/build/debian-$series.$name.build.log"
	check "$series: make EXAMPLE=$name builds $module.ko" [ "$status" = 0 ]
	check "$series: $name: the build prints no warnings" lacks "$build_out" '[Ww]arning'
	[[ $status == 0 ]] || return
	check "$series: $name: the Rust object exports only rust_module_init, rust_module_exit and rust_param_*" \
		same "rust_module_exit rust_module_init " \
		"$(rust_globals "$build/$module/${module}_rust.o" | sed -E 's/rust_param_[a-z0-9_]+ //g')"
	programs=$(build_test_programs "$name")
	check "$series: $name: the user-space test programs build" [ "$?" = 0 ]

	vmout=$build/vm-$name
	# shellcheck disable=SC2086 # one program path per word
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" "examples/$name/test.sh" \
		tests/guest/lib.sh "$build/$module.ko" $programs
	log=$vmout/guest.log

	guest_checks "$series: $name: " "$log"
	check "$series: $name: no $module left loaded" lacks "$(section modules "$log")" "^$module "
	local tainted
	tainted=$(section tainted "$log")
	check "$series: $name: taint is only out-of-tree and unsigned (got '$tainted')" taint_ok "$tainted"
	check "$series: $name: the kernel log has no oops, BUG or WARNING" \
		lacks "$(cat "$vmout/console.log")" "$bad_kernel_messages"
	kmemleak_checks "$series: $name: " "$log"
}

# Examples with a test script, or those named in $EXAMPLES.
examples=${EXAMPLES:-$(tested_examples)}

"$top/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
# ONLY_EXAMPLES=1 (make test-example) runs just the example tests; ONLY_VM=1
# (make test-debug) the VM suite, without the host and repository checks.
if [[ -z ${ONLY_EXAMPLES:-} && -z ${ONLY_VM:-} ]]; then
	host_tests
	repo_tests
	build_error_tests
	# (Not again inside the renamed copy's own run.)
	[[ -n ${IN_RENAME_TEST:-} ]] || rename_tests
fi
for series in "${@:-5.10 6.1 6.12}"; do
	for s in $series; do
		[[ -n ${ONLY_EXAMPLES:-} ]] || vm_tests "$s"
		for name in $examples; do
			echo "Debian $s, example $name:"
			example_tests "$s" "$name"
		done
	done
done
checks_summary
