#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the configuration of a Debian kernel built from source, in tens of
# minutes on a small machine: the stock image's own configuration with its
# modules (=m) and its debug info left out.
#
#   scripts/debian-config.sh <stock dir> <source dir> <build dir> <localversion>
#
# <stock dir> is a kernel directory of scripts/fetch-kernel.sh (its
# root/boot/config-*); the result is <build dir>/.config, before olddefconfig.
# The test VMs load no module from disk, but evdev (/dev/input/eventN, which
# the vinput example's test reads), a module in Debian's configuration, is
# built in. Used by scripts/build-debug-kernel.sh and scripts/test-builtin.sh.
set -euo pipefail
stock=${1:?usage: $0 <stock dir> <source dir> <build dir> <localversion>}
src=${2:?}
out=${3:?}
localversion=${4:?}

mkdir -p "$out"
sed -E 's/^(CONFIG_[A-Za-z0-9_]+)=m$/# \1 is not set/' "$(ls "$stock"/root/boot/config-*)" >"$out/.config"
config=("$src/scripts/config" --file "$out/.config")
"${config[@]}" \
	--set-str LOCALVERSION "$localversion" \
	--enable DEBUG_INFO_NONE --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
	--disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 --disable DEBUG_INFO_BTF \
	--enable INPUT_EVDEV
