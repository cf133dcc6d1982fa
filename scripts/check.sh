#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the quick edit-build-test loop for the template module. Builds
# it for one Debian kernel, boots that kernel once, and runs the generic
# checks (it loads, unloads and reloads, and the kernel log stays clean) and
# the module's own checks (tests/module/test.sh). One line per check; the
# last line is "N passed, M failed", and the exit status is non-zero if any
# check failed. `make test` runs these and much more, on every kernel.
# With an example's name, that example's build and boot instead (as make
# test-example does, on one kernel).
#
#   scripts/check.sh [series [example]]          default: 6.1
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}
example=${2:-}
module=$(template_module)
"$top/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
if [[ -n $example ]]; then
	echo "Debian $series, example $example:"
	example_tests "$series" "$example"
elif echo "Debian $series, $module:" && ! kdir=$(kernel_dir "$series"); then
	check "$series: fetch the Debian kernel and headers" false
elif build_checks "$series: " "$series" "$kdir" "$module"; then
	own_boot "$series: " "$series" "$kdir" "$module"
fi
checks_summary
