#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What each size choice costs: the Rust hello module built with other
# optimisation levels, without LTO, and without formatting, and where its
# code goes. The figures of docs/performance.md ("What the size choices
# cost") come from this script; make bench does not run it (each variant
# compiles core and alloc anew, about 20 s each).
#
#   bench/variants.sh [6.1|6.12]
#
# The optimisation level is set with make RUSTFLAGS="-C opt-level=..." (the
# Makefile's own -O comes earlier on rustc's command line, and the last one
# wins, also over Cargo.toml's profile: the row "profile opt-level=z" shows
# it), LTO with cargo's CARGO_PROFILE_RELEASE_LTO. "no formatting" builds a
# copy of the repository whose src/lib.rs is bench/variants/nofmt/lib.rs.
# Each variant has its own build and cargo directories under
# build/bench/variants/<series>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}
kernel=$(kernel_dir "$series") || exit 1
kdir=$kernel/kdir
out=$top/build/bench/variants/$series
mkdir -p "$out"

# A copy of the repository with the formatting-free hello as src/lib.rs.
tree=$out/nofmt-tree
rm -rf "$tree"
mkdir -p "$tree"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tree" 2>/dev/null
cp bench/variants/nofmt/lib.rs "$tree/src/lib.rs"

# code OBJECT: bytes in its .text sections.
code() {
	size -A "$1" | awk '$1 ~ /^\.(init\.|exit\.)?text/ { sum += $2 } END { print sum + 0 }'
}

# variant SLUG LABEL SOURCE RUSTFLAGS [VAR=VALUE...]: builds hello from SOURCE
# (a checkout) in $out/SLUG and prints its row.
variant() {
	local slug=$1 label=$2 source=$3 flags=$4 dir=$out/$1
	shift 4
	rm -rf "$dir"
	if ! env "$@" make -C "$source" --no-print-directory KDIR="$kdir" BUILD="$dir" \
		CARGO_TARGET="$dir/cargo" RUSTFLAGS="$flags" >"$dir.log" 2>&1; then
		echo "variants: $label does not build (log: $dir.log)" >&2
		return 1
	fi
	printf '%-36s %8s %8s %10s\n' "$label" "$(size "$dir/hello.ko" | awk 'NR == 2 { print $1 }')" \
		"$(code "$dir/hello.ko")" "$(code "$dir/hello/hello_rust.o")"
}

echo "hello.ko on Debian $series ($(cat "$kernel/version")), bytes"
printf '%-36s %8s %8s %10s\n' "variant" "text" "code" "Rust code"
variant o2-lto "opt-level 2, LTO (the default)" "$top" ""
variant os-lto "opt-level s, LTO" "$top" "-C opt-level=s"
variant oz-lto "opt-level z, LTO" "$top" "-C opt-level=z"
variant o2-nolto "opt-level 2, no LTO" "$top" "" CARGO_PROFILE_RELEASE_LTO=false
variant os-nolto "opt-level s, no LTO" "$top" "-C opt-level=s" CARGO_PROFILE_RELEASE_LTO=false
variant oz-nolto "opt-level z, no LTO" "$top" "-C opt-level=z" CARGO_PROFILE_RELEASE_LTO=false
variant profile-oz "profile opt-level=z (overridden)" "$top" "" CARGO_PROFILE_RELEASE_OPT_LEVEL=z
variant nofmt-o2 "no formatting, opt-level 2, LTO" "$tree" ""
variant nofmt-oz "no formatting, opt-level z, LTO" "$tree" "-C opt-level=z"

# top FILE: its 16 largest functions and data, demangled.
top_symbols() {
	nm -C --size-sort -S "$1" | tail -n 16 | tac | while read -r _ size _ symbol; do
		printf '%6d  %s\n' "0x$size" "$symbol"
	done
}
echo
echo "The largest symbols of the default build's Rust object (nm --size-sort, bytes):"
top_symbols "$out/o2-lto/hello/hello_rust.o"
echo
echo "... and of the build without formatting at opt-level z:"
top_symbols "$out/nofmt-oz/hello/hello_rust.o"
