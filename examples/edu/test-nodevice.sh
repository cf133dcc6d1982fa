# SPDX-License-Identifier: GPL-2.0
# rust_edu in a guest booted without the edu device (no examples/edu/qemu-args):
# the module loads and registers its driver, nothing probes, unload is clean.
. /lib.sh

drv=/sys/bus/pci/drivers/rust_edu
check "there is no edu device (1234:11e8) on the PCI bus" \
	eval '! grep -qx 0x11e8 /sys/bus/pci/devices/*/device'
load rust_edu
check "the driver is registered under /sys/bus/pci/drivers/rust_edu" [ -d $drv ]
expect "no device is bound to it" "" "$(ls $drv | grep :)"
check "there is no /dev/rust_edu" [ ! -e /dev/rust_edu ]
expect "no interrupt is registered" "" "$(grep rust_edu /proc/interrupts)"
expect "only the registration is logged: nothing probed" "rust_edu: driver registered" \
	"$(kernel_log | grep rust_edu | grep -v taint)"
unload rust_edu
check "the driver is gone from /sys/bus/pci/drivers" [ ! -e $drv ]
expect "the unload is logged, and nothing else" "rust_edu: unloading" "$(kernel_log | grep rust_edu)"
load_unload_twice rust_edu
finish
