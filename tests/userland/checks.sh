# SPDX-License-Identifier: GPL-2.0
# The build in another Debian release's userland (scripts/userland.sh;
# docs/kernels.md, "Newer releases, built in their own userland"), for the
# series built there (trixie, sid). Sourced by scripts/test.sh after
# scripts/lib.sh (it uses $top, kernel_dir, build_dir, check...):
#
#   userland_tests SERIES
#
# after vm_tests has built the template module for SERIES: its C was
# compiled by the gcc the kernel names, the release's own, not the host's;
# and a kernel naming a gcc the release has no package for stops the build,
# saying so, rather than being built with another gcc.
userland_tests() {
	local series=$1 kdir release cc_text object comment fake out status
	kdir=$(kernel_dir "$series") || { check "$series: userland: fetch the Debian kernel" false; return; }
	[[ -f $kdir/userland ]] || return 0
	release=$(cat "$kdir/userland")
	echo "Debian $series: built in the $release userland"

	# "x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0": gcc writes the
	# part from the parenthesis on into each object's .comment.
	cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}[^ ]* \(.*[^"]\)"\{0,1\}$/\1/p' "$kdir/kdir/include/config/auto.conf")
	object=$(build_dir "$series")/$(template_module)/module.o
	comment=$(readelf -p .comment "$object" 2>&1)
	check "$series: userland: module.c was compiled by the kernel's own gcc, $cc_text, not the host's $(gcc -dumpversion)" \
		has "$comment" "GCC: $(sed 's/[][().+*]/\\&/g' <<<"$cc_text")\$"

	fake=$top/build/userland-check/kdir-gcc-99
	mkdir -p "$fake/include/config"
	printf 'CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-99 (Debian 99.1.0-1) 99.1.0"\n' >"$fake/include/config/auto.conf"
	out=$("$top/scripts/userland.sh" --run "$release" "$fake" touch "$top/build/userland-check/ran" 2>&1)
	status=$?
	check "$series: userland: a kernel built with gcc-99, which $release lacks, fails the build, naming the package" \
		eval '[[ $status != 0 ]] && has "$out" "Debian $release has no package gcc-99 for x86_64-linux-gnu-gcc-99"'
	check "... and runs nothing in its place (the command given is not run)" \
		eval 'has "$out" "no other compiler is used in its place" && [[ ! -e $top/build/userland-check/ran ]]'
	rm -rf "$top/build/userland-check"
}
