# SPDX-License-Identifier: GPL-2.0
# Guest side of the install test (scripts/test.sh): `make install
# INSTALL_MOD_PATH=<stage>` put the module and depmod's index under
# <stage>/lib/modules/<release>/, and that tree is this guest's /lib/modules.
# modprobe must find the module by name and remove it. Then
# /signed.ko (make sign) must load: the kernel does not trust its key, but
# does not enforce signatures either, so it loads, tainted as unsigned (E).
dmesg -c >/dev/null
echo "@@ modprobe"
modprobe $MODULE; echo "status=$?"
grep -c "^$MODULE " /proc/modules
echo "@@ modprobe-r"
modprobe -r $MODULE; echo "status=$?"
echo "@@ after"
grep -c "^$MODULE " /proc/modules
echo "@@ tainted"
cat /proc/sys/kernel/tainted
echo "@@ signed"
insmod /signed.ko; echo "status=$?"
rmmod $MODULE; echo "status=$?"
