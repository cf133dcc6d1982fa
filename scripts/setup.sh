#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building, running and testing need on a Debian-based host:
# Debian packages through apt-get (as root; otherwise print the command to run),
# and the rust-src component through rustup. Safe to run again: it installs
# only what is missing. `make run` and `make test` call it first;
# `scripts/setup.sh kernel-build` (make test-debug, make test-builtin; also spelt
# debug-kernel) adds what building a kernel from source needs; `scripts/setup.sh
# userland` (scripts/userland.sh: trixie, sid) what making a Debian userland
# does. With ARCH=arm64 (make run ARCH=arm64, ...) also what building for and
# booting Debian's arm64 kernels on this machine needs: the cross compiler,
# QEMU's arm64 machines and arm64 glibc for the static test programs.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || missing+=(qemu-system-x86)
# The initramfs needs a static busybox (Debian's busybox-static).
{ [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)
have cpio || missing+=(cpio)
have pahole || missing+=(dwarves)               # BTF for modules, wanted by 6.12's kbuild
have gcc-12 || missing+=(gcc-12)                # the compiler Debian's 6.1 and 6.12 were built with
have ld || missing+=(binutils)
# The examples' user-space test programs are linked statically against glibc.
[[ -f /usr/lib/x86_64-linux-gnu/libc.a ]] || missing+=(libc6-dev)
if [[ ${ARCH:-} == arm64 ]]; then
	have qemu-system-aarch64 || missing+=(qemu-system-arm)
	if [[ $(uname -m) != aarch64 ]]; then
		have aarch64-linux-gnu-gcc-12 || missing+=(gcc-aarch64-linux-gnu)
		[[ -f /usr/aarch64-linux-gnu/lib/libc.a ]] || missing+=(libc6-dev-arm64-cross)
		have gdb-multiarch || missing+=(gdb-multiarch)   # make debug ARCH=arm64
	fi
fi
have make || missing+=(make)
PATH=$PATH:/sbin:/usr/sbin have depmod || missing+=(kmod)   # make install
have dkms || missing+=(dkms)                    # make dkms (make test builds through it)
have gdb || missing+=(gdb)                      # make debug (make test runs a scripted session)
have apt-get || { echo "setup: apt-get not found; this script is for Debian-based hosts" >&2; exit 1; }
[[ -r /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring)
# kbuild's host programs (modpost, objtool) in Debian's linux-kbuild need libelf.
libs=$(ldconfig -p 2>/dev/null || true)
grep -q 'libelf\.so\.1 ' <<<"$libs" || missing+=(libelf1)
# Building a kernel from source (scripts/build-debug-kernel.sh, scripts/test-builtin.sh).
if [[ ${1:-} == debug-kernel || ${1:-} == kernel-build ]]; then
	for tool in bc bison flex openssl perl xz; do
		have $tool || missing+=("$([[ $tool == xz ]] && echo xz-utils || echo $tool)")
	done
	[[ -e /usr/include/openssl/opensslv.h ]] || missing+=(libssl-dev)
	[[ -e /usr/include/gelf.h ]] || missing+=(libelf-dev)
fi
# A minimal userland of another Debian release (scripts/userland.sh).
if [[ ${1:-} == userland ]]; then
	PATH=$PATH:/sbin:/usr/sbin have debootstrap || missing+=(debootstrap)
fi

if ((${#missing[@]})); then
	if [[ $(id -u) == 0 ]]; then
		echo "  APT     install ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "setup: missing Debian packages; install them with:" >&2
		echo "    sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi

have cargo || { echo "setup: cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
# rust-src: core and alloc are built from it. rustfmt, clippy: make lint.
# rust-analyzer: make test checks that it sees no errors in the code.
have rustup || {
	[[ -d $(rustc --print sysroot)/lib/rustlib/src/rust/library/core ]] && have cargo-clippy && have rustfmt &&
		have rust-analyzer && exit 0
	echo "setup: rustup is not there to add rust-src, rustfmt, clippy and rust-analyzer" >&2
	exit 1
}
installed=$(rustup component list --installed 2>/dev/null)
for component in rust-src rustfmt clippy rust-analyzer; do
	if ! grep -q "^$component" <<<"$installed"; then
		echo "  RUSTUP  component add $component"
		rustup component add "$component"
	fi
done
