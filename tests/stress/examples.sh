# SPDX-License-Identifier: GPL-2.0
# Runs every example's own guest test (examples/<name>/test.sh), one after
# the other in one boot, for `make stress`, which boots the kernel with the
# memory-debugging options: the same checks, now with slab red zones,
# poisoning and sanity checks, page poisoning and full preemption.
#
# scripts/stress.sh copies the tests to /example-tests/<name>.sh and the
# modules and test programs to /, as make test does for each one. Each test
# prints its PASS and FAIL lines and ends with `finish`; "@@ example NAME"
# before each tells the host whose lines follow.
for test in /example-tests/*.sh; do
	name=${test##*/}
	echo "@@ example ${name%.sh}"
	sh "$test"
done
echo "@@ examples-done"
