# SPDX-License-Identifier: GPL-2.0
# The guest side of every boot of the template module (make run, make check,
# make test): the generic checks, which hold for whatever module the template
# builds, then the module's own checks.
#
# Generic: insmod with no parameters succeeds, the module is listed, rmmod
# succeeds and removes it, and a second round does the same. The module's
# log and parameters are shown on the way, for make run. Then /test.sh, the
# module's own checks (tests/module/test.sh, written like an example's
# test.sh), which ends with `finish`. $MODULE comes from /guest.env. A module
# that does not load ends the script at once, with insmod's error and the
# module's log.
. /lib.sh

# show_log: the kernel's messages since the last call, indented.
show_log() {
	kernel_log | sed 's/^/  /'
}

echo "Linux $(uname -r) is up."
echo "# insmod $MODULE.ko"
if ! out=$(insmod "/$MODULE.ko" 2>&1); then
	# Nothing else can be checked: say why, with the module's last words.
	echo "FAIL insmod $MODULE.ko succeeds"
	echo "    $out"
	show_log | sed 's/^ /   /'
	finish
	exit
fi
echo "PASS insmod $MODULE.ko succeeds"
show_log
check "$MODULE is listed in /proc/modules" loaded "$MODULE"
for param in /sys/module/"$MODULE"/parameters/*; do
	[ -e "$param" ] || continue
	echo "# cat $param"
	cat "$param"
done
echo "# rmmod $MODULE"
check "rmmod $MODULE succeeds" rmmod "$MODULE"
show_log
check "$MODULE is no longer listed after rmmod" eval "! loaded $MODULE"
check "a second insmod and rmmod succeed" eval "insmod /$MODULE.ko && rmmod $MODULE"
kernel_log >/dev/null

if [ -f /test.sh ]; then
	echo "# the module's own checks (tests/module/test.sh)"
	. /test.sh
else
	finish
fi
