# SPDX-License-Identifier: GPL-2.0
#
# Build a Linux kernel module from Rust and C, for a stock distribution kernel.
#
#   make                     build build/hello.ko for the running kernel
#   make KDIR=<dir>          ... for the kernel whose build tree (headers) is <dir>
#                            (x86_64 or arm64: the target is the kernel's, cross-built as needed)
#   make run ARCH=arm64      (run, check, test, test-example) the same with Debian's arm64 kernels
#   make EXAMPLE=<name>      build the example examples/<name> as build/rust_<name>.ko
#   make run [KERNEL=6.12]   build for a Debian kernel, boot it in QEMU, load the module, run its checks
#   make check [KERNEL=6.12] the quick loop: build, one boot, the generic and the module's own checks
#   make check EXAMPLE=<name>  ... the same for an example: its build and one boot of its test.sh
#   make test                host unit tests, then the VM suite on Debian 5.10, 6.1 and 6.12
#   make test-all            the same on every kernel: x86_64 5.10 6.1 6.12 6.12-rt trixie sid, arm64 5.10 6.1 6.12
#   make test-example EXAMPLE=<name> [KERNELS=6.1]   only that example's VM tests
#   make test KERNELS="trixie sid"  ... on Debian 13's and sid's kernels, built in their own userlands
#   make dkms                register with DKMS: rebuilt for every kernel installed later
#   make sign                sign build/<module>.ko with keys/ (make sign-key creates them)
#   make rename NAME=<name>  make the template your own module <name>
#   make stress              stress, bad input and allocation failure in the VM (docs/reliability.md)
#   make test-debug          the VM suite on a Debian kernel rebuilt with KASAN, kmemleak, lockdep
#   make bench               Rust against C: size, build time, runtime costs in the guest
#   make lint                cargo fmt --check and clippy (host and kernel target)
#   make clean               remove build/ (make distclean: also the cached core/alloc)
#   make builtin KSRC=<dir>  build the module into the kernel whose source is <dir>, as CONFIG_RUST_KMOD_<MODULE>=y
#   make install             install the module for KDIR's kernel (kbuild's modules_install)
#   make uninstall           remove it again
#   make V=1                 show the full commands
#   make FAIL_ALLOC=1        build with allocation-failure injection (src/kernel/allocator.rs)
#   make DEBUGINFO=1         build with DWARF for the Rust code (gdb, addr2line)
#   make debug [KERNEL=6.1] [EXAMPLE=<name>] [TRIGGER='<guest command>']
#                            boot it in QEMU, load the module, attach gdb to the kernel
#                            with the module's symbols (docs/debugging.md)
#   make test-debugger [KERNEL=6.1]  only make test's scripted gdb session
#
# The pipeline: cargo builds the crate as a static library for target.json,
# with core and alloc compiled from source with the kernel's code-generation
# flags; the Kbuild file (Makefile.in) links the library's reachable code into
# one object; kbuild compiles module.c (and the module's own C, c/*.c) and
# links them all into the .ko.
# docs/build.md explains each step.

MODULE  := hello
KDIR    ?= /lib/modules/$(shell uname -r)/build
BUILD   ?= build
KERNEL  ?= 6.1
KERNELS ?= 5.10 6.1 6.12
CARGO   ?= cargo
# RUST_SYSROOT=<toolchain directory>: build with that toolchain's cargo and
# rustc, without rustup or a PATH to them (DKMS, as root, does: make dkms
# records the one it was run with in dkms.conf).
ifdef RUST_SYSROOT
  CARGO := $(RUST_SYSROOT)/bin/cargo
  export PATH := $(RUST_SYSROOT)/bin:$(PATH)
  export RUSTC := $(RUST_SYSROOT)/bin/rustc
endif
DEPMOD  ?= $(shell PATH=$$PATH:/sbin:/usr/sbin command -v depmod)

# The examples, and the Rust modules of the benchmark (bench/<name>/<name>.rs),
# of make test-debug (tests/debug/<name>/<name>.rs), of the safety tests
# (tests/safety/<name>/<name>.rs) and of the FFI tests (tests/ffi/<name>/),
# built the same way.
all_examples  := $(notdir $(wildcard examples/*))
extra_modules := $(notdir $(patsubst %/,%,$(dir $(wildcard bench/*/*.rs tests/debug/*/*.rs tests/safety/*/*.rs tests/ffi/*/*.rs))))

build     := $(abspath $(BUILD))
# cargo's output (core, alloc and the crates, built for the kernel) lives in
# the user's cache, one directory per checkout and set of Rust flags, so that
# `make clean && make` does not rebuild core and alloc; `make distclean`
# removes it. CARGO_TARGET=<dir> puts it elsewhere.
cache_home  := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)
cargo_cache := $(cache_home)/rust-kmod/cargo/$(shell printf '%s' '$(CURDIR)' | md5sum | cut -c1-12)
cargo_dir    = $(abspath $(or $(CARGO_TARGET),$(cargo_cache)/$(shell printf '%s' '$(RUSTFLAGS_ALL)' | md5sum | cut -c1-12)))
ifdef EXAMPLE
  ifeq ($(filter $(EXAMPLE),$(all_examples) $(extra_modules)),)
    $(error EXAMPLE=$(EXAMPLE): no such example; the examples are: $(all_examples))
  endif
  MODULE       := rust_$(EXAMPLE)
  cargo_target := --example $(EXAMPLE)
  rust_lib      = $(cargo_dir)/$(target_name)/release/examples/lib$(EXAMPLE).a
else
  cargo_target := --lib
  rust_lib      = $(cargo_dir)/$(target_name)/release/lib$(MODULE).a
endif
# The module's Rust sources (the crate root, and every .rs file a change of
# which may change what it shares with C) and its own C (c/*.c and c/*.h,
# docs/build.md "Your own C"): beside module.c for the module, in the
# example's directory for an example.
ifdef EXAMPLE
  module_dir := $(patsubst %/,%,$(dir $(firstword $(wildcard examples/$(EXAMPLE)/$(EXAMPLE).rs \
	bench/$(EXAMPLE)/$(EXAMPLE).rs tests/*/$(EXAMPLE)/$(EXAMPLE).rs))))
  rust_root  := $(module_dir)/$(EXAMPLE).rs
  rust_srcs  := $(shell find $(module_dir) -name '*.rs')
  own_c_dir  := $(module_dir)/c
else
  rust_root  := src/lib.rs
  rust_srcs  := $(shell find src -path src/kernel -prune -o -name '*.rs' -print)
  own_c_dir  := c
endif
own_c := $(wildcard $(own_c_dir)/*.c)
own_h := $(wildcard $(own_c_dir)/*.h)
# kbuild works in a directory of the module's own; the .ko is copied up.
kbuild    := $(build)/$(MODULE)
ko        := $(BUILD)/$(MODULE).ko

ifeq ($(V),1)
  Q :=
  cargo_quiet :=
else
  Q := @
  cargo_quiet := --quiet
endif

comma := ,

# --- The kernel's configuration -----------------------------------------------
# kbuild derives the C compiler's flags from the kernel's config; the Rust
# flags below come from the same place.
kconfig := $(KDIR)/include/config/auto.conf
-include $(kconfig)

# The kernel's architecture, from its config, decides the target: target.json
# for x86_64, target-arm64.json for arm64 (docs/target.md). An arm64 kernel's
# headers on another machine are cross-built for: kbuild gets ARCH=arm64 and
# the cross compiler's prefix (Debian's gcc-aarch64-linux-gnu), unless
# CROSS_COMPILE= says otherwise (6.12's headers set it themselves).
target_json := $(if $(CONFIG_ARM64),target-arm64.json,target.json)
target_name := $(basename $(target_json))
ifdef CONFIG_ARM64
  CROSS_COMPILE ?= $(if $(filter aarch64 arm64,$(shell uname -m)),,aarch64-linux-gnu-)
  kbuild_args   := ARCH=arm64 $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))
endif

# Flags every kernel needs: optimise, and address code and data as the kernel
# does (target.json says the same; docs/target.md). -Z emit-stack-sizes: each
# function's frame size, which the build checks against CONFIG_FRAME_WARN
# (scripts/stack-frames.sh, called from Makefile.in). Frame pointers also on
# x86 kernels whose unwinder is ORC (Debian's): a function that keeps its
# frame in rbp needs ORC entries for its prologue and epilogue only, not for
# each push and pop, which makes hello's unwind tables 1.6 KB smaller
# (docs/performance.md); objtool accepts both. (arm64 kernels have them on.)
RUSTFLAGS_KERNEL := -O -C code-model=$(if $(CONFIG_ARM64),small,kernel) -C relocation-model=static \
	-Z emit-stack-sizes -C force-unwind-tables=no -C force-frame-pointers=yes

# Flags the kernel's config demands, each the counterpart of a C flag that
# arch/x86/Makefile adds (and objtool checks):
#   X86_KERNEL_IBT        -fcf-protection=branch       ENDBR at indirect-call targets
#   RETPOLINE             -mindirect-branch=thunk-extern  indirect calls through thunks
#   RETHUNK               -mfunction-return=thunk-extern  returns through __x86_return_thunk
#   IBT or RETPOLINE      -fno-jump-tables             no indirect jumps from switches
#   CALL_PADDING          -fpatchable-function-entry=N,N  padding for call-depth tracking
#   FRAME_POINTER         -fno-omit-frame-pointer      (given always, in RUSTFLAGS_KERNEL above)
#   KASAN_GENERIC         -fsanitize=kernel-address       every load and store checked against
#                                                         KASAN's shadow memory (debug kernels)
#   RETPOLINE             -mindirect-branch-cs-prefix  a CS prefix on the thunk calls of r8-r15, so that
#                                                     the kernel can patch them in place (ITS, retpoline
#                                                     alternatives), where rustc has the flag
# Kernels from 6.9 on spell the mitigations CONFIG_MITIGATION_*. docs/build.md
# says which of the others have a code-generation effect, and why Rust needs
# no flag for them.
# And those of arch/arm64/Makefile:
#   ARM64_PTR_AUTH_KERNEL -mbranch-protection=pac-ret   return addresses signed (PAC);
#                         (+leaf before 6.3)            leaf functions' too, before 6.3
#   ARM64_BTI_KERNEL      -mbranch-protection=...+bti   BTI at indirect-call targets
#   SHADOW_CALL_STACK     -ffixed-x18 -fsanitize=shadow-call-stack  return addresses kept
#                                                         on a second stack, at x18
# (5.10 spells the first CONFIG_ARM64_PTR_AUTH, and has no ARM64_BTI_KERNEL.)
retpoline := $(or $(CONFIG_RETPOLINE),$(CONFIG_MITIGATION_RETPOLINE))
rethunk   := $(or $(CONFIG_RETHUNK),$(CONFIG_MITIGATION_RETHUNK))
rustc_has_cs_prefix := $(if $(retpoline),$(shell RUSTC_BOOTSTRAP=1 $(or $(RUSTC),rustc) -Z help 2>/dev/null | grep -q 'indirect-branch-cs-prefix' && echo y))
rustflags-$(CONFIG_X86_KERNEL_IBT) += -Z cf-protection=branch
rustflags-$(retpoline)             += -Z retpoline-external-thunk $(if $(rustc_has_cs_prefix),-Z indirect-branch-cs-prefix)
rustflags-$(rethunk)               += -Z function-return=thunk-extern
rustflags-$(or $(CONFIG_X86_KERNEL_IBT),$(retpoline)) += -C jump-tables=no
rustflags-$(CONFIG_CALL_PADDING)   += -Z patchable-function-entry=$(CONFIG_FUNCTION_PADDING_BYTES),$(CONFIG_FUNCTION_PADDING_BYTES)
arm64_pac := $(if $(CONFIG_ARM64),$(or $(CONFIG_ARM64_PTR_AUTH_KERNEL),$(CONFIG_ARM64_PTR_AUTH)))
arm64_pac_leaf = $(shell [ "$$(sed -n 's/^\#define LINUX_VERSION_CODE //p' \
	$(KDIR)/include/generated/uapi/linux/version.h)" -lt 393984 ] 2>/dev/null && echo $(comma)leaf)
rustflags-$(or $(arm64_pac),$(CONFIG_ARM64_BTI_KERNEL)) += -Z branch-protection=$(subst $(eval) ,$(comma),$(strip \
	$(if $(CONFIG_ARM64_BTI_KERNEL),bti) $(if $(arm64_pac),pac-ret$(arm64_pac_leaf))))
rustflags-$(CONFIG_SHADOW_CALL_STACK) += -Z fixed-x18 -Z sanitizer=shadow-call-stack
# KASAN's parameters as scripts/Makefile.kasan gives them to the C compiler:
# the shadow's address, calls (OUTLINE) or inline checks, stack and globals.
rustflags-$(CONFIG_KASAN_GENERIC)  += -Z sanitizer=kernel-address -Z sanitizer-recover=kernel-address \
	-C llvm-args=-asan-mapping-offset=$(CONFIG_KASAN_SHADOW_OFFSET) \
	-C llvm-args=-asan-instrumentation-with-call-threshold=$(if $(CONFIG_KASAN_INLINE),10000,0) \
	-C llvm-args=-asan-stack=$(if $(CONFIG_KASAN_STACK),1,0) \
	-C llvm-args=-asan-globals=1

# make DEBUGINFO=1: DWARF for the Rust code too (the C code has the kernel's
# own -g where its config has DEBUG_INFO), so that gdb can show its functions,
# lines and variables (make debug, docs/debugging.md). The machine code is the
# same; the .ko file grows (chardev's on 6.1: 519 KB to 952 KB), what the
# kernel loads does not.
rustflags-$(if $(filter 1 y yes,$(DEBUGINFO)),y) += -C debuginfo=2

# make FAIL_ALLOC=1: allocation-failure injection (src/kernel/allocator.rs).
rustflags-$(if $(filter 1 y yes,$(FAIL_ALLOC)),y) += --cfg kmod_fail_alloc

RUSTFLAGS_ALL := $(RUSTFLAGS_KERNEL) $(rustflags-y) $(RUSTFLAGS)

# The compiler the kernel was built with (Debian's headers ask kbuild for that
# very gcc, e.g. gcc-10 for 5.10). Missing, unless CC= names another one, is an
# error with a hint rather than kbuild's "gcc-10: not found".
# Cross-building, kbuild runs $(CROSS_COMPILE)<that gcc> (aarch64-linux-gnu-gcc-12).
kernel_cc := $(firstword $(subst ",,$(CONFIG_CC_VERSION_TEXT)))
kernel_cc := $(if $(kernel_cc),$(if $(filter $(CROSS_COMPILE)%,$(kernel_cc)),,$(CROSS_COMPILE))$(kernel_cc))
missing_cc := $(if $(filter command line,$(origin CC)),,$(if $(kernel_cc),$(if $(shell command -v $(kernel_cc)),,$(kernel_cc))))

# The hint names the Debian package (gcc-14, not the triplet x86_64-linux-gnu-gcc-14
# that the headers ask for) and suggests the host's gcc only where kbuild accepts it:
# as new as the kernel's or newer (an older gcc rejects flags the kernel's
# Makefiles pass, e.g. gcc-12 and 6.12's -fmin-function-alignment from gcc-14).
# (A cross compiler's package is gcc-12-aarch64-linux-gnu.)
cross_triplet   = $(patsubst %-,%,$(CROSS_COMPILE))
missing_cc_pkg  = $(if $(CROSS_COMPILE),$(patsubst $(CROSS_COMPILE)%,%-$(cross_triplet),$(missing_cc)),$(patsubst x86_64-linux-gnu-%,%,$(missing_cc)))
kernel_gcc_major = $(if $(CONFIG_GCC_VERSION),$(shell echo $$(($(CONFIG_GCC_VERSION) / 10000))))
host_gcc_major   = $(shell $(CROSS_COMPILE)gcc -dumpversion 2>/dev/null | cut -d. -f1)
host_gcc_ok      = $(and $(kernel_gcc_major),$(host_gcc_major),$(shell [ $(host_gcc_major) -ge $(kernel_gcc_major) ] && echo y))
missing_cc_hint  = $(if $(host_gcc_ok),\
	"  or build with this machine's gcc $(host_gcc_major)$(comma) newer than the kernel's $(kernel_gcc_major): make CC=$(CROSS_COMPILE)gcc" \
	"  (kbuild accepts a newer gcc; make test builds Debian 11's 5.10 so).",\
	"  (This machine's gcc$(if $(host_gcc_major), $(host_gcc_major)) is older than the kernel's $(kernel_gcc_major): kbuild" \
	"  would reject flags the kernel's Makefiles pass it$(comma) so CC= cannot help.)")
missing_cc_error = printf '%s\n' \
	"error: the kernel at KDIR=$(KDIR) was built with $(missing_cc), which is not installed." \
	"  Install it (Debian/Ubuntu: sudo apt install $(missing_cc_pkg))$(if $(host_gcc_ok),$(comma))" \
	$(missing_cc_hint) >&2; exit 1

# Configurations this template cannot build for, with the reason.
unsupported := $(strip \
	$(if $(CONFIG_X86_64)$(CONFIG_ARM64),,neither CONFIG_X86_64 nor CONFIG_ARM64 is set: only x86_64 and arm64 kernels are supported (target.json$(comma) target-arm64.json).) \
	$(if $(filter-out $(if $(CONFIG_ARM64),arm64,x86 x86_64),$(if $(CONFIG_ARM64)$(CONFIG_X86_64),$(ARCH))),ARCH=$(ARCH) but the kernel at KDIR is $(if $(CONFIG_ARM64),arm64,x86_64).) \
	$(if $(CONFIG_MODULES)$(BUILTIN_DIR),,CONFIG_MODULES is not set: this kernel cannot load modules.) \
	$(if $(CONFIG_CFI_CLANG),CONFIG_CFI_CLANG is set: kCFI type hashes are not emitted for the Rust code.) \
	$(if $(CONFIG_LTO_CLANG),CONFIG_LTO_CLANG is set: kbuild expects LLVM bitcode objects.))

# --- Build -------------------------------------------------------------------

.PHONY: all bench stress test-debug debug test-debugger modules clean distclean install uninstall sign sign-key dkms dkms-build dkms-remove builtin builtin-files test-builtin print-module print-kconfig-symbol lint rename run check test test-all test-example test-host setup check-kdir check-rust FORCE
all modules: $(ko)

# kbuild-style messages: "  CARGO   libhello.a".
quiet = @printf '  %-7s %s\n' $(1) $(2)

check-kdir:
	$(Q)if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "  Install the headers of the kernel you build for, e.g. on Debian/Ubuntu:" >&2; \
		echo "      sudo apt install linux-headers-$$(uname -r)" >&2; \
		echo "  or pass the build tree of another kernel: make KDIR=/path/to/linux-headers" >&2; \
		echo "  ('make run' and 'make test' need neither: they fetch Debian kernels.)" >&2; \
		exit 1; \
	elif [ ! -f "$(kconfig)" ]; then \
		echo "error: $(kconfig) is missing: KDIR=$(KDIR) is not a configured kernel build tree" >&2; \
		echo "  (run 'make modules_prepare' there, or install the distribution's headers package)" >&2; \
		exit 1; \
	fi
	$(if $(unsupported),$(Q)printf 'error: KDIR=%s: %s\n' "$(KDIR)" "$(unsupported)" >&2; exit 1)
	$(if $(missing_cc),$(Q)$(missing_cc_error))

check-rust:
	$(Q)command -v $(CARGO) >/dev/null || { \
		echo "error: cargo not found: install Rust with rustup (https://rustup.rs)" >&2; \
		echo "  (Under sudo, which leaves ~/.cargo/bin off PATH, name your toolchain:" >&2; \
		echo "   sudo make dkms RUST_SYSROOT=\$$(rustc --print sysroot))" >&2; exit 1; }
	$(Q)test -d "$$(rustc --print sysroot)/lib/rustlib/src/rust/library/core" || { \
		echo "error: the rust-src component is missing; core and alloc are built from it." >&2; \
		echo "  Install it with:  rustup component add rust-src" >&2; exit 1; }

$(build):
	$(Q)mkdir -p $@

# The Rust static library. cargo decides itself whether anything changed.
# RUSTC_BOOTSTRAP=1 lets the stable toolchain use -Z options and build-std,
# as the kernel's own Rust support does.
# RUST_KMOD_MODNAME, the module's name (KBUILD_MODNAME): pr_*! puts it into
# each line's printk format at compile time, as C's pr_fmt() does
# (src/kernel/print/lower.rs), in the crate RUST_KMOD_CRATE names only, the
# module's own; the crates it depends on (the kernel crate, and hello's
# library under an example), shared by every module, are not rebuilt for
# each name.
$(rust_lib): FORCE check-kdir check-rust | $(build)
	$(call quiet,CARGO,$(notdir $(rust_lib)))
	$(Q)RUSTC_BOOTSTRAP=1 RUSTFLAGS="$(RUSTFLAGS_ALL)" RUST_KMOD_MODNAME=$(subst -,_,$(MODULE)) \
		RUST_KMOD_CRATE=$(subst -,_,$(or $(EXAMPLE),$(MODULE))) $(CARGO) rustc $(cargo_quiet) --release \
		--config .cargo/kernel.toml --target $(target_json) $(cargo_target) --crate-type staticlib --target-dir $(cargo_dir)

# The C helpers the Rust code calls: src/kernel/helpers/<name>.c defines
# rust_helper_<name>_*() functions, and is linked in when the library has an
# undefined reference to one of them.
helper_files := $(notdir $(basename $(wildcard src/kernel/helpers/*.c)))
used_helpers  = $(filter $(helper_files),$(shell nm -u $(rust_lib) 2>/dev/null | \
		sed -n 's/^ *U rust_helper_\([a-z0-9]*\)_.*/\1/p' | sort -u))

# The storage of the module's parameters: statics rust_param_<name> in Rust,
# which module_info.h points module_param() at (src/kernel/params.rs). <name>
# is any name module! accepts: ASCII letters (either case), digits and _.
rust_params   = $(shell nm --defined-only $(rust_lib) 2>/dev/null | \
		sed -n 's/^[0-9a-f]* [A-Z] \(rust_param_[A-Za-z0-9_]*\)$$/\1/p' | sort -u)

# The functions the module's Rust shares with C: those of its extern "C"
# blocks (kernel functions, or the module's own C), and its #[no_mangle]
# extern "C" fns (called by its own C). tools/ffi-check, a host program built
# once, reads them from the Rust sources (with the #[cfg]s rustc builds them
# with) and writes <module>_ffi.c, which kbuild compiles against the kernel's
# headers and c/*.h: a declaration that does not match C's is a build error
# naming it (docs/build.md). A module that shares nothing with C (no extern
# "C", no_mangle or export_name in its sources) needs neither.
uses_ffi     := $(if $(rust_srcs),$(shell grep -lE 'extern +("C" *)?(\{|fn)|no_mangle|export_name' $(rust_srcs)))
ffi_check_target := $(abspath $(or $(CARGO_TARGET),$(cargo_cache))/tools)
ffi_check    := $(ffi_check_target)/release/ffi-check
ffi_c        := $(kbuild)/$(MODULE)_ffi.c
# The Rust functions the module's C calls, which the Rust object must keep
# global (Makefile.in), as ffi_c lists them.
rust_exports  = $(if $(uses_ffi),$(shell sed -n 's|^/\* Rust exports:\(.*\) \*/$$|\1|p' $(ffi_c)))

# A host program: the kernel's Rust flags, if any are in the environment, are not its.
$(ffi_check): FORCE check-rust
	$(Q)env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS $(CARGO) build $(cargo_quiet) --release \
		-p ffi-check --target-dir $(ffi_check_target)

# After cargo, so that Rust's own errors come first. Rewritten only when it
# changes, as the Kbuild file is.
$(ffi_c): $(ffi_check) $(rust_lib) FORCE
	$(Q)mkdir -p $(kbuild)
	$(Q)RUSTC_BOOTSTRAP=1 rustc -Z unstable-options --print cfg --target $(target_json) $(RUSTFLAGS_ALL) >$@.cfg
	$(Q)$(ffi_check) $(rust_root) $(addprefix c/,$(notdir $(own_h))) <$@.cfg >$@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

# The Kbuild file and links to the C sources, in the directory kbuild works in.
# The Kbuild file is rewritten only when it changes, so kbuild rebuilds no more
# than it must.
# The module's own C goes into c/ there, so that its objects (c/<name>.o) can
# share no name with module.o or a helper's. (kbuild_files DIR: the same, into
# DIR; make builtin uses it too, with a link to the declarations' check.)
kconfig_symbol = RUST_KMOD_$(shell printf '%s' '$(MODULE)' | tr 'a-z' 'A-Z')
define kbuild_files
	$(Q)mkdir -p $(1)
	$(Q)ln -sf $(CURDIR)/module.c $(1)/module.c
	$(Q)$(foreach h,$(used_helpers),ln -sf $(CURDIR)/src/kernel/helpers/$(h).c $(1)/$(h).c &&) true
	$(Q)$(if $(own_c)$(own_h),mkdir -p $(1)/c && ln -sf $(addprefix $(CURDIR)/,$(own_c) $(own_h)) $(1)/c/)
	$(Q)$(if $(uses_ffi),$(if $(filter $(kbuild),$(1)),,ln -sf $(ffi_c) $(1)/),rm -f $(ffi_c))
	$(Q)sed -e 's|@MODULE@|$(MODULE)|g' -e 's|@RUST_LIB@|$(rust_lib)|g' \
		-e 's|@HELPERS@|$(used_helpers)|g' -e 's|@PARAMS@|$(rust_params)|g' \
		-e 's|@OWN_C@|$(patsubst %.c,c/%.o,$(notdir $(own_c)))|g' \
		-e 's|@FFI_CHECK@|$(if $(uses_ffi),$(MODULE)_ffi.o)|g' -e 's|@EXPORTS@|$(rust_exports)|g' \
		-e 's|@CONFIG@|$(kconfig_symbol)|g' \
		-e 's|@TOP@|$(CURDIR)|g' -e 's|@KDIR@|$(abspath $(KDIR))|g' Makefile.in >$(1)/Kbuild.tmp
	$(Q)if cmp -s $(1)/Kbuild.tmp $(1)/Kbuild; then rm $(1)/Kbuild.tmp; else mv $(1)/Kbuild.tmp $(1)/Kbuild; fi
endef

$(kbuild)/Kbuild: Makefile.in Makefile $(rust_lib) $(if $(uses_ffi),$(ffi_c)) FORCE
	$(call kbuild_files,$(kbuild))

# kbuild runs only when one of its inputs changed (it would find nothing to do
# otherwise, but takes most of a second to find that out).
ko_inputs = $(kbuild)/Kbuild $(rust_lib) module.c $(wildcard src/kernel/helpers/*.[ch]) \
	$(own_c) $(own_h) $(if $(uses_ffi),$(ffi_c)) \
	scripts/module-info.sh scripts/rust-sections.lds scripts/stack-frames.sh $(kconfig) $(wildcard $(KDIR)/Module.symvers)
$(ko): $(ko_inputs)
	$(Q)$(MAKE) -C $(KDIR) M=$(kbuild) $(kbuild_args) modules
	$(Q)cp $(kbuild)/$(MODULE).ko $@

clean:
	$(call quiet,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

# Also the compiled core, alloc and crates of this checkout (see cargo_cache).
distclean: clean
	$(call quiet,CLEAN,$(cargo_cache))
	$(Q)rm -rf $(cargo_cache)

# kbuild installs into $(INSTALL_MOD_PATH)/lib/modules/<release>/extra (kernels
# from 6.2 on: updates/, compressed as the kernel's config says); the headers
# packages lack System.map, so kbuild skips depmod and we run it here.
# <release> is the one the module's vermagic names (UTS_RELEASE).
kernel_release = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
installed = $(foreach dir,$(or $(INSTALL_MOD_DIR),extra updates),\
	$(INSTALL_MOD_PATH)/lib/modules/$(kernel_release)/$(dir)/$(MODULE).ko)
install: $(ko)
	$(Q)$(MAKE) -C $(KDIR) M=$(kbuild) $(kbuild_args) modules_install
	$(call quiet,DEPMOD,$(kernel_release))
	$(Q)$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(kernel_release)

# Removes what install put there (compressed or not), then updates depmod's index.
uninstall: check-kdir
	$(call quiet,RM,$(INSTALL_MOD_PATH)/lib/modules/$(kernel_release)/.../$(MODULE).ko)
	$(Q)rm -f $(foreach ko,$(installed),$(ko) $(ko).gz $(ko).xz $(ko).zst)
	$(call quiet,DEPMOD,$(kernel_release))
	$(Q)$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(kernel_release)

# --- Module signing (Secure Boot) -------------------------------------------------
# A kernel that enforces module signatures (Secure Boot, module.sig_enforce=1)
# loads only modules signed by a key it trusts: one built into it, or a Machine
# Owner Key enrolled with mokutil (README.md, "Signing"). `make sign` signs
# build/<module>.ko with the kernel's own scripts/sign-file; `make sign-key`
# creates a key pair in keys/ (never committed) if there is none yet.
SIGN_KEY  ?= keys/signing_key.pem
SIGN_CERT ?= keys/signing_key.x509
SIGN_FILE ?= $(KDIR)/scripts/sign-file
sign_hash := $(or $(CONFIG_MODULE_SIG_HASH),sha256)

sign-key: $(SIGN_KEY)
$(SIGN_KEY):
	$(call quiet,OPENSSL,$(SIGN_KEY))
	$(Q)mkdir -p $(dir $(SIGN_KEY)) $(dir $(SIGN_CERT))
	$(Q)openssl req -new -x509 -newkey rsa:4096 -sha256 -days 36500 -nodes -batch -utf8 \
		-subj "/CN=$(MODULE) module signing key/" \
		-addext "keyUsage=digitalSignature" -addext "extendedKeyUsage=codeSigning" \
		-keyout $(SIGN_KEY) -outform DER -out $(SIGN_CERT) 2>/dev/null
	$(Q)chmod 600 $(SIGN_KEY)

# Signs a fresh copy of the module (signing twice would stack signatures).
sign: $(ko) $(SIGN_KEY)
	$(call quiet,SIGN,$(ko))
	$(Q)cp $(kbuild)/$(MODULE).ko $(ko)
	$(Q)$(SIGN_FILE) $(sign_hash) $(SIGN_KEY) $(SIGN_CERT) $(ko)

# --- DKMS: rebuilt for every kernel installed later -------------------------------
# `make dkms` (as root) copies the sources to $(DKMS_SOURCE)/<module>-<version>
# and has dkms add, build and install the module for KDIR's kernel; from then on
# dkms rebuilds it whenever a kernel (and its headers) is installed. dkms.conf
# says how. `make dkms-build` stops before installing; `make dkms-remove` undoes
# it all. DKMS_FLAGS passes options to dkms (make test uses --dkmstree and
# --sourcetree to build in private trees).
DKMS_SOURCE  ?= /usr/src
DKMS_FLAGS   ?=
dkms_version := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms_args     = -m $(MODULE) -v $(dkms_version) $(DKMS_FLAGS)
# dkms runs make itself: keep this make's variables (BUILD=..., KDIR=...) out of
# it, except CC=, which dkms.conf passes on as KMOD_CC.
dkms          = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	$(if $(filter command line,$(origin CC)),KMOD_CC=$(CC)) dkms

# The copy builds later without this user's environment or a network: dkms
# runs as root, who usually has no Rust (rustup installs it per user), when a
# kernel is installed, perhaps offline. So it gets the crates vendored (the
# module's, and those of the standard library's workspace, which build-std
# resolves: about 100 MB, most of it Windows import libraries that are never
# built) with a .cargo/config.toml that uses them and stays offline, and
# dkms.conf names the toolchain of this build (RUST_SYSROOT): rustup's
# directory of it, whose cargo and rustc run without rustup.
dkms_dir     = $(DKMS_SOURCE)/$(MODULE)-$(dkms_version)
rust_sysroot = $(or $(RUST_SYSROOT),$(shell rustc --print sysroot))
dkms-build: check-kdir check-rust
	$(call quiet,DKMS,$(dkms_dir))
	$(Q)$(dkms) remove $(dkms_args) --all >/dev/null 2>&1 || true
	$(Q)rm -rf $(dkms_dir)
	$(Q)mkdir -p $(dkms_dir)
	$(Q)git ls-files -z --cached --others --exclude-standard 2>/dev/null | xargs -0 -r cp --parents -t $(dkms_dir)
	$(Q)test -f $(dkms_dir)/dkms.conf || \
		tar --exclude=./build --exclude=./.git --exclude=./keys -cf - . | tar -xf - -C $(dkms_dir)
	$(call quiet,VENDOR,$(dkms_dir)/vendor)
	$(Q)cd $(dkms_dir) && RUSTC_BOOTSTRAP=1 $(CARGO) vendor --quiet --versioned-dirs \
		--sync $(rust_sysroot)/lib/rustlib/src/rust/library/Cargo.toml vendor >/dev/null
	$(Q)mkdir -p $(dkms_dir)/.cargo && printf '%s\n' '[source.crates-io]' 'replace-with = "vendored-sources"' \
		'[source.vendored-sources]' 'directory = "vendor"' '[net]' 'offline = true' >$(dkms_dir)/.cargo/config.toml
	$(Q)sed -i 's|^MAKE\[0\]=|RUST_SYSROOT="$(rust_sysroot)"\n&|' $(dkms_dir)/dkms.conf
	$(Q)$(dkms) add $(dkms_args)
	$(Q)$(dkms) build $(dkms_args) -k $(kernel_release) --kernelsourcedir $(abspath $(KDIR))

dkms: dkms-build
	$(Q)$(dkms) install $(dkms_args) -k $(kernel_release)

dkms-remove:
	$(Q)$(dkms) remove $(dkms_args) --all
	$(Q)rm -rf $(DKMS_SOURCE)/$(MODULE)-$(dkms_version)

# --- Built into a kernel ----------------------------------------------------------
# make builtin KSRC=<kernel source> [KOBJ=<its O= directory>]: the module's code
# goes into that source tree as drivers/misc/<module>/ with a Kconfig entry,
# CONFIG_RUST_KMOD_<MODULE>, switched on (=y), and the kernel is built
# (scripts/builtin.sh; docs/build.md, "Built into the kernel"). make
# test-builtin does it to Debian's 6.1 source and boots the result.
builtin:
	$(Q)scripts/builtin.sh "$(KSRC)" "$(or $(KOBJ),$(KSRC))" $(EXAMPLE)

test-builtin:
	$(x86_only)
	$(Q)scripts/test-builtin.sh $(KERNEL)

# For scripts/builtin.sh, with KDIR= the configured kernel's build directory:
# the Rust library for that kernel's configuration, then the Kbuild file, a
# Kconfig entry and links to the C sources in BUILTIN_DIR.
builtin-files: $(rust_lib) $(if $(uses_ffi),$(ffi_c))
	$(call kbuild_files,$(BUILTIN_DIR))
	$(Q)printf '%s\n' '# SPDX-License-Identifier: GPL-2.0' \
		'# Written by make builtin ($(CURDIR)): the $(MODULE) module, in Rust.' \
		'config $(kconfig_symbol)' \
		'	tristate "$(MODULE): a module in Rust, from the rust-kmod template"' \
		'	help' \
		'	  The Rust module $(MODULE), built from $(CURDIR)' \
		'	  by make builtin. Y builds it into the kernel: its init runs at' \
		'	  boot and its parameters are given as $(MODULE).<name>=<value>' \
		'	  on the kernel command line.' >$(BUILTIN_DIR)/Kconfig

# The module's name and Kconfig symbol, for scripts.
print-module:
	@echo $(MODULE)
print-kconfig-symbol:
	@echo $(kconfig_symbol)

# --- Run and test in real kernels under QEMU -------------------------------------

# make run, check, test and test-example take ARCH=arm64 (Debian's arm64
# kernels, docs/kernels.md); stress, test-debug, bench and test-builtin are
# x86_64's only, and say so.
x86_only = $(if $(filter-out x86 x86_64,$(ARCH)),$(Q)echo "error: make $@ runs on x86_64 kernels only (not ARCH=$(ARCH))" >&2; exit 1)

# Turns the template into your own module: make rename NAME=mydriver.
rename:
	$(Q)scripts/rename.sh "$(NAME)"

setup:
	$(Q)scripts/setup.sh

run:
	$(Q)scripts/run.sh $(KERNEL) $(EXAMPLE)

# gdb on the running module: boots KERNEL with QEMU's gdb stub, loads the
# module (or EXAMPLE), runs TRIGGER in the guest every 2 seconds and leaves
# you at gdb's prompt with the module's symbols loaded (docs/debugging.md).
debug:
	$(Q)scripts/debug.sh $(KERNEL) $(EXAMPLE)

# The scripted gdb session of make test, alone (scripts/test.sh debugger_tests).
test-debugger:
	$(Q)ONLY_DEBUGGER=1 scripts/test.sh $(KERNEL)

# One boot of KERNEL: the generic checks and the module's own (tests/module/),
# or, with EXAMPLE=<name>, that example's.
check:
	$(Q)scripts/check.sh $(KERNEL) $(EXAMPLE)

# Host unit tests and the VM suite, one line per check (scripts/test.sh).
test:
	$(Q)scripts/test.sh $(KERNELS)

# Every kernel the project knows (docs/kernels.md): make test on x86_64's
# KERNELS_ALL, then the VM suite on arm64's KERNELS_ALL_ARM64; fails if either
# failed. Not CI's (it takes over an hour on 2 CPUs).
KERNELS_ALL       ?= 5.10 6.1 6.12 6.12-rt trixie sid
KERNELS_ALL_ARM64 ?= 5.10 6.1 6.12
test-all:
	$(Q)scripts/test.sh $(KERNELS_ALL); status=$$?; \
		ARCH=arm64 scripts/test.sh $(KERNELS_ALL_ARM64) && exit $$status

# Only the VM tests of one example (or of EXAMPLES="a b"), on KERNELS.
test-example:
	$(Q)ONLY_EXAMPLES=1 EXAMPLES="$(or $(EXAMPLES),$(EXAMPLE))" scripts/test.sh $(KERNELS)

# Formatting and clippy, for the host build (unit tests and examples included)
# and for the kernel targets, x86_64's and arm64's (every module and example;
# not tools/, which are host programs): no warnings allowed.
lint:
	$(call quiet,FMT,--check)
	$(Q)$(CARGO) fmt --all --check
	$(call quiet,CLIPPY,host)
	$(Q)$(CARGO) clippy $(cargo_quiet) --workspace --all-targets --target-dir $(BUILD)/host -- -D warnings
	$(call quiet,CLIPPY,target.json)
	$(Q)RUSTC_BOOTSTRAP=1 $(CARGO) clippy $(cargo_quiet) --release --config .cargo/kernel.toml \
		--workspace --exclude ffi-check --lib --examples --target-dir $(BUILD)/clippy -- -D warnings
	$(call quiet,CLIPPY,target-arm64.json)
	$(Q)RUSTC_BOOTSTRAP=1 $(CARGO) clippy $(cargo_quiet) --release --config .cargo/kernel.toml --target target-arm64.json \
		--workspace --exclude ffi-check --lib --examples --target-dir $(BUILD)/clippy -- -D warnings

# Load/unload cycles with slab accounting, concurrent hammering, every size,
# every bad input, and failed allocations, on KERNELS (docs/reliability.md).
stress:
	$(x86_only)
	$(Q)scripts/stress.sh $(KERNELS)
	$(Q)scripts/fail-alloc.sh $(KERNELS)

# The VM suite, allocation failure and kernel allocation failure (failslab)
# on Debian's DEBUG_KERNEL rebuilt with KASAN, kmemleak, lockdep and the
# other checkers (built once, cached; docs/reliability.md).
DEBUG_KERNEL ?= 6.1
test-debug:
	$(x86_only)
	$(Q)scripts/setup.sh debug-kernel
	$(Q)scripts/test-debug.sh $(DEBUG_KERNEL)

# Rust against C: sizes, build times, and costs measured in the guest kernel
# (bench/README.md, docs/performance.md).
bench:
	$(x86_only)
	$(Q)scripts/bench.sh $(KERNEL)

# Only the host unit tests: quick, no VM.
test-host:
	$(Q)$(CARGO) test $(cargo_quiet) --workspace --lib --target-dir $(BUILD)/host
