# SPDX-License-Identifier: GPL-2.0
# The safety tests (issue 12): the edges where safe Rust meets C, the kernel
# and the build, on one Debian kernel. Sourced by scripts/test.sh after
# scripts/lib.sh (it uses $top, kernel_dir, build_for, check...):
#
#   safety_tests SERIES
#
# checks that module! refuses the parameter names C cannot carry (host cargo
# check), builds tests/safety/safety (rust_safety.ko) and checks what the
# build printed and what it made (no warning with compiler_builtins linked in,
# metadata byte for byte in modinfo), builds tests/safety/frames (a 3 KB
# frame: a warning) and tests/safety/hugeframe (24 KB: a build error), boots
# SERIES once with tests/safety/guest.sh, and reports one line per check. The
# guest's last test oopses on purpose (a panic while formatting a panic
# message): the kernel log must be clean up to its marker, and show exactly
# one oops after it. (The expected sizes assume a kernel without KASAN,
# whose stack is 16 KB: not for make test-debug's kernel.)

safety_tests() {
	local series=$1 kdir build out status reject log vmout
	local ko module=rust_safety
	echo "Debian $series: safety"
	kdir=$(kernel_dir "$series") || { check "$series: safety: fetch the Debian kernel" false; return; }
	build=$(build_dir "$series")
	ko=$build/$module.ko

	# Names (and a type) module! must refuse at compile time, each with a message that
	# says why (a host cargo check: module! is the same on every target).
	for reject in raw:r#type non_ascii:größe too_long:'LONG_abcdefghij.*x' str_prefix:'`x` and `str_x`' \
		type:'parameter type `u8` is not supported'; do
		out=$(cd "$top" && RUSTFLAGS="--cfg safety_reject --cfg safety_reject=\"${reject%%:*}\"" \
			cargo check --quiet --example safety --target-dir "$top/build/safety-reject" 2>&1)
		status=$?
		check "$series: safety: module! rejects the parameter name case ${reject%%:*} at compile time, naming it" \
			eval '[[ $status != 0 ]] && has "$out" "^error.*module!: .*${reject#*:}"'
	done

	# The Rust object and the .ko are made anew, so that objtool's and
	# modpost's messages about them are in the output.
	rm -f "$ko" "$build/$module/${module}_rust.o"
	out=$(build_for "$series" "$kdir" EXAMPLE=safety 2>&1)
	status=$?
	echo "$out" >"$(build_dir "$series").safety.build.log"
	check "$series: safety: make EXAMPLE=safety builds $module.ko" [ "$status" = 0 ]
	[[ $status == 0 ]] || return
	# No warning or error from kbuild, objtool or modpost ("WARNING: modpost:
	# ... (.llvmbc)", "error: objtool: Linked object detected"), although the
	# module pulls in compiler_builtins (u128 division, float math).
	check "$series: safety: the build prints no warning or error, with compiler_builtins linked in" \
		lacks "$out" '[Ww]arning|WARNING|[Ee]rror'
	check "$series: safety: the .ko has no LLVM bitcode sections" \
		lacks "$(readelf -SW "$ko")" '\.llvm(bc|cmd)'
	check "$series: safety: the Rust object has one file symbol, as a C object does" same 1 \
		"$(readelf -sW "$build/$module/${module}_rust.o" | awk '$4 == "FILE"' | wc -l)"
	# Metadata, byte for byte (module! strings in tests/safety/safety/safety.rs).
	local modinfo="env PATH=$PATH:/sbin:/usr/sbin modinfo"
	check "$series: safety: modinfo shows the author byte for byte: quotes, a last backslash" same \
		"Jane \"JD\" O'Doe <jd@example.org> \\" "$($modinfo -F author "$ko")"
	check "$series: safety: modinfo shows the description byte for byte: backslashes, %, */, ??/, tab, |, UTF-8" same \
		"Paths like C:\\temp, back\\slash, 100% %s, */ /*, ??/ ??=, $(printf '\t')tab, a|b, größe 🦀" \
		"$($modinfo -F description "$ko")"
	check "$series: safety: modinfo shows a parameter's description byte for byte" same \
		"GREETING:An upper-case string parameter: \"%d\" \\n */ ??/ ü \\ (charp)" \
		"$($modinfo -F parm "$ko" | grep '^GREETING:')"
	check "$series: safety: modinfo lists every parameter by its exact name" same \
		"N MAX_DEVICES camelCase _leading x9 x get_x GREETING LONG_$(printf 'abcdefghij%.0s' {1..25}) panic_in_fmt" \
		"$($modinfo -F parm "$ko" | sed 's/:.*//' | tr '\n' ' ' | sed 's/ $//')"

	# Stack frames: over CONFIG_FRAME_WARN (2048) a warning naming the
	# function, as gcc gives for C; beyond the kernel stack an error. (Like
	# gcc's, the warning comes when the object is made: remove it first.)
	rm -f "$build/rust_frames.ko" "$build/rust_frames/rust_frames_rust.o"
	out=$(build_for "$series" "$kdir" EXAMPLE=frames 2>&1)
	status=$?
	echo "$out" >"$(build_dir "$series").frames.build.log"
	check "$series: safety: a 3 KB stack frame builds (rust_frames.ko)" [ "$status" = 0 ]
	check "$series: safety: ... with a warning naming the function and its frame size" \
		has "$out" "rust_frames_rust\.o: warning: the frame size of 3[0-9]{3} bytes is larger than 2048 bytes"
	check "$series: safety: ... the function named as in Rust" has "$out" "In function 'frames::three_kb_frame':$"
	check "$series: safety: ... and no other warning" same 1 "$(grep -ciE 'warning' <<<"$out")"
	check "$series: safety: ... and no .stack_sizes section left in the .ko" \
		lacks "$(readelf -SW "$build/rust_frames.ko" 2>&1)" 'stack_sizes'
	out=$(build_for "$series" "$kdir" EXAMPLE=hugeframe 2>&1)
	status=$?
	echo "$out" >"$(build_dir "$series").hugeframe.build.log"
	check "$series: safety: a 24 KB stack frame, larger than the kernel stack, fails the build" [ "$status" != 0 ]
	check "$series: safety: ... with an error naming the function, its frame size and the stack's" eval \
		'has "$out" "In function '\''hugeframe::twenty_four_kb_frame'\'':$" &&
		has "$out" "error: the frame size of 24[0-9]{3} bytes does not fit the kernel stack \(THREAD_SIZE, 16384 bytes\)"'

	out=$(build_for "$series" "$kdir" EXAMPLE=atomic 2>&1)
	status=$?
	echo "$out" >"$(build_dir "$series").atomic.build.log"
	check "$series: safety: make EXAMPLE=atomic builds rust_atomic.ko, without a warning" \
		eval '[[ $status == 0 ]] && lacks "$out" "[Ww]arning|WARNING|[Ee]rror"'

	vmout=$build/vm-safety
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/safety/guest.sh tests/guest/lib.sh "$ko" "$build/rust_frames.ko" \
		"$build/rust_atomic.ko"
	log=$vmout/guest.log
	# Everything before the atomic-context and panic tests must leave the
	# kernel log clean.
	sed '/rust_safety test: sleeping in atomic context starts/,$d' "$vmout/console.log" >"$vmout/console-before-panic.log"
	boot_checks "$series: safety: " "$vmout" "$vmout/console-before-panic.log"

	atomic_checks "$series" "$vmout"

	# A panic while formatting a panic message: one oops, both locations.
	local panic_log after where
	panic_log=$(section panic-in-fmt-log "$log")
	after=$(sed -n '/rust_safety test: panic while formatting starts/,$p' "$vmout/console.log")
	where=$(cd "$top" && awk '
		/panic!\("a panic whose message panics/ { outer = FILENAME ":" NR ":" index($0, "panic!") }
		/panic!\("formatting panics/ { inner = FILENAME ":" NR ":" index($0, "panic!") }
		END { print outer ", and again while formatting its message at " inner }' tests/safety/safety/safety.rs)
	check "$series: safety: a panic while formatting a panic message fails insmod" \
		lacks "$(section panic-in-fmt "$log")" '^status=0$'
	check "$series: safety: ... logs both locations, once, at KERN_EMERG" same \
		"<0>rust_safety: panicked at $where" "$(grep '^<[0-7]>rust_safety: panicked' <<<"$panic_log")"
	check "$series: safety: ... and oopses once, through BUG()" same 1 "$(grep -c 'kernel BUG at .*module\.c' <<<"$after")"
	check "$series: safety: ... without overflowing the stack or panicking the kernel" \
		lacks "$after" 'stack guard page|double fault|Kernel panic|Kernel stack overflow'
	check "$series: safety: ... and the kernel keeps running" has "$(section alive "$log")" '^still running'
}

# Sleeping in atomic context (tests/safety/atomic/atomic.rs): every sleeping
# operation fails with EDEADLK instead of sleeping, the first is reported with
# the Rust caller's location, and the kernel keeps running.
atomic_checks() {
	local series=$1 vmout=$2 log=$2/guest.log console where all_edeadlk all_ok before after
	console=$(sed -n '/rust_safety test: sleeping in atomic context starts/,/rust_safety test: panic while formatting starts/p' \
		"$vmout/console.log")
	all_edeadlk="Mutex::lock=EDEADLK Mutex::lock_interruptible=EDEADLK Mutex::new=EDEADLK Completion::wait_timeout=EDEADLK"
	all_edeadlk+=" KVVec::with_capacity=EDEADLK Thread::spawn=EDEADLK WorkQueue::new=EDEADLK Box::new=ok"
	all_ok="Mutex::lock=ok Mutex::lock_interruptible=ok Mutex::new=ok Completion::wait_timeout=ok"
	all_ok+=" KVVec::with_capacity=ok Thread::spawn=ok WorkQueue::new=ok Box::new=ok"
	check "$series: safety: rust_atomic loads: a timer callback that locks a Mutex init holds no longer hangs the machine" \
		has "$(section atomic "$log")" '^status=0$'
	check "$series: safety: ... in the timer callback each sleeping operation fails with EDEADLK; Box::new allocates atomically" \
		has "$(section atomic-log "$log")" "^rust_atomic: timer callback: $all_edeadlk\$"
	check "$series: safety: ... under a SpinLock in process context, the same" \
		has "$(section atomic-log "$log")" "^rust_atomic: under a SpinLock: $all_edeadlk\$"
	check "$series: safety: ... in process context, every one succeeds" \
		has "$(section atomic-log "$log")" "^rust_atomic: process context: $all_ok\$"
	where=$(cd "$top" && awk '/mutex\.lock\(\)\.map\(drop\)/ { print FILENAME ":" NR ":" index($0, "lock()"); exit }' \
		tests/safety/atomic/atomic.rs)
	check "$series: safety: ... the first is reported, once, at the Rust caller's file:line:col" same \
		"rust_atomic: BUG: sleeping function called from invalid context at $where" \
		"$(grep -o 'rust_atomic: BUG: sleeping function.*' <<<"$console")"
	# Softirq context: in the preempt count (in_atomic() 1), except on
	# PREEMPT_RT, where timers run in the ktimers thread and softirq is
	# counted per task (in_interrupt() only).
	local atomic=1
	[[ $series == *-rt ]] && atomic=0
	check "$series: safety: ... with the context it ran in (softirq) and a backtrace through the timer callback" eval \
		'has "$console" "in_atomic\(\): $atomic, irqs_disabled\(\): 0, in_interrupt\(\): 0x[0-9a-f]*[1-9a-f]" &&
		has "$console" "Call [Tt]race:" && has "$console" "run_trampoline.*Probe.*\[rust_atomic\]"'
	before=$(section atomic-taint-before "$log")
	after=$(section atomic-taint-after "$log")
	check "$series: safety: ... and taints the kernel W, as the kernel's own check does" \
		eval '(( (before & 512) == 0 && (after & 512) == 512 ))'
	check "$series: safety: ... and nothing slept: no scheduling while atomic, no oops, no other warning" \
		lacks "$(grep -v 'BUG: sleeping function called from invalid context at tests/safety/' <<<"$console")" \
		'scheduling while atomic|bad: scheduling|Oops|BUG|WARNING:'
	check "$series: safety: reading /dev/rust_atomic, which copies to user memory under a SpinLock, fails with EDEADLK" \
		has "$(section atomic-read "$log")" 'Resource deadlock avoided'
	check "$series: safety: writing it, which copies from user memory under a SpinLock, fails with EDEADLK" \
		has "$(section atomic-write "$log")" 'Resource deadlock avoided'
	check "$series: safety: rust_atomic unloads cleanly" has "$(section atomic-unload "$log")" '^status=0$'
}
