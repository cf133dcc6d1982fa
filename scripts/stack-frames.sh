#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check the stack frames of a module's Rust object, as gcc checks C functions
# against the kernel's CONFIG_FRAME_WARN (-Wframe-larger-than=).
#
#   scripts/stack-frames.sh <object> <frame-warn> <thread-size>
#
# rustc writes each function's frame size into the object's .stack_sizes
# section (-Z emit-stack-sizes, which the Makefile passes): one entry per
# function, its address (a relocation against the function, or against .text
# plus its offset after the merge of scripts/rust-sections.lds) followed by
# the size in bytes as a ULEB128 number. For every function whose frame is
# larger than <frame-warn> bytes this prints, like gcc:
#
#   <object>: In function 'frames::three_kb_frame':
#   <object>: warning: the frame size of 3112 bytes is larger than 2048 bytes [-Wframe-larger-than=]
#
# (<frame-warn> 0 turns the warnings off, as CONFIG_FRAME_WARN=0 does for C.)
# A frame of <thread-size> bytes or more can never fit the kernel stack
# (THREAD_SIZE): the function would run off it at its first call, and the
# kernel dies of a double fault. That is an error, and the exit status is 1.
#
# What this cannot see: how deep calls nest at run time (a chain of frames
# each below the limit can still overflow the stack), recursion, and frames
# of code outside the object (the kernel's, the C helpers', which gcc checks).
set -eu
obj=${1:?usage: $0 <object> <frame-warn> <thread-size>}
warn=${2:?}
limit=${3:?}
OBJCOPY=${OBJCOPY:-objcopy}
READELF=${READELF:-readelf}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# No .stack_sizes section (a build without -Z emit-stack-sizes): nothing to check.
"$READELF" -SW "$obj" >"$tmp/sections"
grep -q ' \.stack_sizes ' "$tmp/sections" || exit 0
"$OBJCOPY" --dump-section .stack_sizes="$tmp/sizes" "$obj" "$tmp/copy.o"
od -An -v -tu1 "$tmp/sizes" >"$tmp/bytes"
"$READELF" -sW "$obj" >"$tmp/symbols"
"$READELF" -rW "$obj" >"$tmp/relocations"

# Prints "size<TAB>mangled-name" per function, then the lines to report.
LC_ALL=C awk -v warn="$warn" -v limit="$limit" -v obj="$obj" '
function hex(text,   i, n) {
	n = 0
	text = tolower(text)
	for (i = 1; i <= length(text); i++)
		n = n * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1
	return n
}
FILENAME ~ /sections$/ && /^ *\[ *[0-9]+\]/ {
	line = $0
	sub(/^ *\[ */, "", line)
	split(line, f, /[] ]+/)
	section[f[1]] = f[2]
	next
}
FILENAME ~ /symbols$/ && $4 == "FUNC" && $7 ~ /^[0-9]+$/ {
	func_at[section[$7] "+" hex($2)] = $8
	func_named[$8] = $8
	next
}
FILENAME ~ /bytes$/ {
	for (i = 1; i <= NF; i++)
		byte[nbytes++] = $i
	next
}
FILENAME ~ /relocations$/ {
	if (/^Relocation section/) {
		on = ($3 == "\047.rela.stack_sizes\047")
		next
	}
	if (!on || NF < 5 || $1 !~ /^[0-9a-f]+$/)
		next
	offset = hex($1)
	target = $5
	addend = (NF >= 7) ? hex($7) : 0
	name = (target in func_named) ? target : func_at[target "+" addend]
	if (name == "")
		name = target "+0x" $7
	# The size: a ULEB128 number after the 8-byte address.
	size = 0
	scale = 1
	for (i = offset + 8; i < nbytes; i++) {
		size += (byte[i] % 128) * scale
		scale *= 128
		if (byte[i] < 128)
			break
	}
	if (size >= limit) {
		printf "%s: In function \047%s\047:\n", obj, name
		printf "%s: error: the frame size of %d bytes does not fit the kernel stack (THREAD_SIZE, %d bytes)\n", obj, size, limit
		errors++
	} else if (warn > 0 && size > warn) {
		printf "%s: In function \047%s\047:\n", obj, name
		printf "%s: warning: the frame size of %d bytes is larger than %d bytes [-Wframe-larger-than=]\n", obj, size, warn
	}
}
END { exit errors ? 1 : 0 }
' "$tmp/sections" "$tmp/symbols" "$tmp/bytes" "$tmp/relocations" >"$tmp/report" || status=$?

# Rust names, demangled (c++filt knows Rust's), without the crates' hashes.
if [ -s "$tmp/report" ]; then
	if command -v c++filt >/dev/null; then
		c++filt <"$tmp/report"
	else
		cat "$tmp/report"
	fi | sed 's/\[[0-9a-f]\{1,16\}\]//g' >&2
fi
exit "${status:-0}"
