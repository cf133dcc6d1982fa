#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make rename NAME=<name>`: make the template your own module.
#
#   scripts/rename.sh <name>
#
# Renames the module (Makefile MODULE: the .ko, KBUILD_MODNAME and so the log
# prefix, /sys/module/<name>; dkms.conf), the crate (Cargo.toml, Cargo.lock) and the
# module's type in src/lib.rs (hello -> <name>, Hello -> <Name>), in the docs
# that quote them too. Run it once, on a fresh copy of the template; then
# `make test` checks the result.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

name=${1:-}
if [[ ! $name =~ ^[a-z][a-z0-9_]*$ ]]; then
	echo "rename: NAME must be a module name: a lower-case letter, then lower-case letters, digits or _ (got '$name')" >&2
	exit 1
fi
old=$(sed -n 's/^MODULE *:= *//p' Makefile)
case $name in
"$old") echo "rename: the module is already called $name" >&2; exit 1 ;;
kernel | core | alloc | std | spin | compiler_builtins | rust_*)
	echo "rename: $name is taken (a crate this build uses, or the examples' rust_ prefix)" >&2
	exit 1
	;;
esac
# hello -> Hello, my_driver -> MyDriver: the Rust type name.
camel() { sed -E 's/(^|_)([a-z0-9])/\U\2/g' <<<"$1"; }
old_type=$(camel "$old")
new_type=$(camel "$name")

sed -i -e "s/^MODULE  := $old\$/MODULE  := $name/" -e "s|build/$old\.ko|build/$name.ko|g" Makefile
sed -i "0,/^name = \"$old\"\$/s//name = \"$name\"/" Cargo.toml
sed -i -e "s/^PACKAGE_NAME=\"$old\"\$/PACKAGE_NAME=\"$name\"/" \
	-e "s/^BUILT_MODULE_NAME\[0\]=\"$old\"\$/BUILT_MODULE_NAME[0]=\"$name\"/" \
	-e "s|/usr/src/$old-|/usr/src/$name-|" dkms.conf
[[ -f Cargo.lock ]] && sed -i "s/^name = \"$old\"\$/name = \"$name\"/" Cargo.lock
# The type where Rust names it (not "Hello from Rust!" in the log text).
perl -pi -e "s/(struct |for |type: |Ok\\()$old_type\\b/\${1}$new_type/g; s/\\b$old_type(?=::)/$new_type/g" \
	src/lib.rs docs/*.md
# The module's name in src/lib.rs's header: "hello: ...", build/hello.ko.
perl -pi -e "s/^\\/\\/! $old:/\\/\\/! $name:/; s/build\\/$old\\.ko/build\\/$name.ko/g" src/lib.rs

echo "  RENAME  $old -> $name: build/$name.ko, crate $name, type $new_type"
echo "  README.md and docs/ still describe the template; make them yours."
