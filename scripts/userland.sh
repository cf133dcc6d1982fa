#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A minimal userland of another Debian release, to build the module for that
# release's kernels the way its users do: with its own gcc, make, libelf and
# kbuild's host programs (make run KERNEL=trixie, make test KERNELS="trixie
# sid": docs/kernels.md). The Rust toolchain is the user's own, from the host.
#
#   scripts/userland.sh RELEASE KDIR            prints the userland's directory: made the
#                                               first time (debootstrap --variant=minbase,
#                                               then the packages below), and given the
#                                               compiler KDIR's kernel was built with
#   scripts/userland.sh --run RELEASE KDIR COMMAND...
#                                               runs COMMAND in it, in the current directory,
#                                               as the calling user
#
# The userland is cached in ~/.cache/rust-kmod/userland-RELEASE/root (0.5 GB
# for trixie, 0.75 GB for sid; REFRESH=1 upgrades its packages). COMMAND runs
# chrooted there, in a mount namespace of its own, which sees these host
# directories at their own paths (and the current directory must be in one):
# the checkout, ~/.cache/rust-kmod (the kernels' headers), rustup's toolchains
# (read-only) and cargo's home (its registry cache). Inside, the Makefile's
# cargo output goes to the userland's own cache, so the host programs it builds
# (tools/ffi-check, build scripts) are linked against the release's libc.
#
# The compiler is the one CONFIG_CC_VERSION_TEXT names (gcc-14 for trixie's
# 6.12, gcc-16 for sid's 7.2): when the release has no such package this fails,
# saying so; it never builds with another gcc. Needs root (debootstrap, chroot,
# mounts): run as a user, it asks sudo.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rust-kmod
mirror=http://deb.debian.org/debian
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_home=${CARGO_HOME:-$HOME/.cargo}

# What kbuild and the Makefile use, beyond minbase: make; libelf for objtool
# and modpost; pahole for modules' BTF; kmod for depmod (make install); xz and
# zstd for compressed modules; OpenSSL for make sign and sign-file; dkms (make
# dkms-build); libc6-dev to link host programs (cargo's build scripts,
# tools/ffi-check) with the kernel's gcc; CA certificates for crates.io.
packages=(make libelf1t64 dwarves kmod xz-utils zstd openssl dkms libc6-dev ca-certificates)

# --inside RELEASE ROOT CC USER GROUP DIR COMMAND...: in the mount namespace
# (unshare, below), as root: mounts what the build needs and runs COMMAND
# chrooted, as USER:GROUP, in DIR. cargo links host programs with CC, the
# kernel's gcc (minbase has no cc).
if [[ ${1:-} == --inside ]]; then
	release=$2 root=$3 cc=$4 user=$5 group=$6 cwd=$7
	shift 7
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	for path in "$top" "$cache" "$cargo_home" "$rustup_home"; do
		[[ -d $path ]] || continue
		mkdir -p "$root$path"
		mount --bind "$path" "$root$path"
	done
	[[ ! -d $rustup_home ]] || mount -o remount,bind,ro "$root$rustup_home"
	exec chroot --userspec="$user:$group" "$root" /usr/bin/env -i \
		HOME="$HOME" LANG=C.UTF-8 TERM="${TERM:-dumb}" \
		PATH="$cargo_home/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
		RUSTUP_HOME="$rustup_home" CARGO_HOME="$cargo_home" ${RUSTUP_TOOLCHAIN:+RUSTUP_TOOLCHAIN=$RUSTUP_TOOLCHAIN} \
		XDG_CACHE_HOME="$cache/userland-$release/cache" ${V:+V=$V} \
		CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$cc" \
		DEBIAN_FRONTEND=noninteractive \
		/bin/sh -c 'cd "$0" && exec "$@"' "$cwd" "$@"
fi

run=
if [[ ${1:-} == --run ]]; then
	run=1
	shift
fi
release=${1:?usage: $0 [--run] RELEASE KDIR [COMMAND...]}
kdir=${2:?usage: $0 [--run] RELEASE KDIR [COMMAND...]}
shift 2
dir=$cache/userland-$release
root=$dir/root
# (sudo resets the environment: the paths above are passed on as they are here.)
as_root=()
[[ $(id -u) == 0 ]] || as_root=(sudo env HOME="$HOME" XDG_CACHE_HOME="${cache%/rust-kmod}"
	RUSTUP_HOME="$rustup_home" CARGO_HOME="$cargo_home" ${RUSTUP_TOOLCHAIN:+RUSTUP_TOOLCHAIN=$RUSTUP_TOOLCHAIN}
	${V:+V=$V} TERM="${TERM:-dumb}")

# chrooted USER:GROUP DIR COMMAND...: runs COMMAND in the userland, in DIR.
chrooted() {
	local ids=$1 cwd=$2
	shift 2
	"${as_root[@]}" unshare --mount --propagation private -- "$0" --inside "$release" "$root" "$cc" \
		"${ids%:*}" "${ids#*:}" "$cwd" "$@"
}

# The compiler the kernel was built with, as its headers call it
# (x86_64-linux-gnu-gcc-14), and the Debian package that has it (gcc-14).
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ "]*\).*/\1/p' "$kdir/include/config/auto.conf" 2>/dev/null || true)
[[ -n $cc ]] || { echo "userland: no CONFIG_CC_VERSION_TEXT in $kdir/include/config/auto.conf" >&2; exit 1; }
cc_package=${cc#x86_64-linux-gnu-}
[[ $cc_package == gcc-[0-9]* ]] ||
	{ echo "userland: $kdir was built with $cc; only Debian's gcc-N packages are known here" >&2; exit 1; }

if [[ ! -e $dir/bootstrapped ]]; then
	PATH=$PATH:/sbin:/usr/sbin command -v debootstrap >/dev/null || "$top/scripts/setup.sh" userland >&2
	echo "  DEBOOT  $release (minbase) into $root" >&2
	"${as_root[@]}" rm -rf "$root" "$dir/ready"
	mkdir -p "$dir"
	# A release newer than the host's debootstrap is made as sid is (Debian's
	# scripts for its releases are links to sid's).
	script=/usr/share/debootstrap/scripts/$release
	[[ -e $script ]] || script=/usr/share/debootstrap/scripts/sid
	"${as_root[@]}" env PATH="$PATH:/sbin:/usr/sbin" debootstrap --variant=minbase "$release" "$root" "$mirror" \
		"$script" >"$dir/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir/debootstrap.log" >&2; echo "userland: debootstrap $release failed (log: $dir/debootstrap.log)" >&2; exit 1; }
	touch "$dir/bootstrapped"
fi
if [[ ! -e $dir/ready ]]; then
	# The release's updates, as its users have them (sid has none).
	{
		echo "deb $mirror $release main"
		if [[ $release != sid && $release != unstable ]]; then
			echo "deb $mirror $release-updates main"
			echo "deb http://deb.debian.org/debian-security $release-security main"
		fi
	} | "${as_root[@]}" tee "$root/etc/apt/sources.list" >/dev/null
	"${as_root[@]}" cp /etc/resolv.conf "$root/etc/resolv.conf"
	# Where the host's apt accepts a Release file past its Valid-Until (a
	# frozen mirror), so does the userland's.
	eval "$(apt-config shell valid Acquire::Check-Valid-Until 2>/dev/null || true)"
	if [[ ${valid:-} == false ]]; then
		echo 'Acquire::Check-Valid-Until "false";' | "${as_root[@]}" tee "$root/etc/apt/apt.conf.d/99check-valid-until" >/dev/null
	fi
	echo "  APT     install ${packages[*]} (in the $release userland)" >&2
	chrooted 0:0 / sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends "$@"' sh "${packages[@]}" \
		>"$dir/packages.log" 2>&1 ||
		{ tail -n 20 "$dir/packages.log" >&2; echo "userland: installing packages failed (log: $dir/packages.log)" >&2; exit 1; }
	touch "$dir/ready"
elif [[ -n ${REFRESH:-} ]]; then
	echo "  APT     upgrade (the $release userland)" >&2
	chrooted 0:0 / sh -c 'apt-get update -q && apt-get upgrade -y -q' >"$dir/packages.log" 2>&1 ||
		{ tail -n 20 "$dir/packages.log" >&2; echo "userland: apt-get upgrade failed" >&2; exit 1; }
fi

# The kernel's compiler: installed once per gcc version; the release must have it.
if [[ ! -x $root/usr/bin/$cc ]]; then
	echo "  APT     install $cc_package (in the $release userland: $kdir was built with $cc)" >&2
	if ! chrooted 0:0 / apt-get install -y -q --no-install-recommends "$cc_package" >"$dir/compiler.log" 2>&1; then
		tail -n 5 "$dir/compiler.log" >&2
		echo "userland: Debian $release has no package $cc_package for $cc, the compiler $kdir was built with;" >&2
		echo "  no other compiler is used in its place" >&2
		exit 1
	fi
	[[ -x $root/usr/bin/$cc ]] || { echo "userland: $cc_package installed no /usr/bin/$cc" >&2; exit 1; }
fi

if [[ -z $run ]]; then
	echo "$dir"
	exit 0
fi
for path in "$top" "$cache" "$cargo_home" "$rustup_home" ''; do
	[[ -n $path ]] || { echo "userland: $PWD is not in the checkout ($top) nor in $cache: the userland does not see it" >&2; exit 1; }
	[[ $PWD/ != "$path"/* ]] || break
done
chrooted "$(id -u):$(id -g)" "$PWD" "$@"
