# SPDX-License-Identifier: GPL-2.0
# rust_platform in the guest: the module registers its driver and two
# platform devices; probe binds both, each gets level and stores attributes
# in its sysfs directory; bad writes fail with EINVAL and change nothing;
# unbind through sysfs runs remove and then releases the device-managed
# resources (the attributes go); bind again starts afresh; rmmod while bound
# removes both devices, then the driver.
. /lib.sh

drv=/sys/bus/platform/drivers/rust_platform
d0=/sys/bus/platform/devices/rust_platform.0
d1=/sys/bus/platform/devices/rust_platform.1

# write FILE TEXT: writes TEXT (no newline added) to FILE; prints the error.
# (echo, not printf: busybox's printf does not report a failed write.)
write() { echo -n "$2" 2>&1 >"$1"; }
# levels DIR: "<level> <stores>" of the device in DIR.
levels() { echo "$(cat "$1/level") $(cat "$1/stores")"; }
# log: rust_platform's kernel messages since the last call, joined by "|".
log() { kernel_log | grep '^rust_platform: ' | grep -v taint | tr '\n' '|' | sed 's/|$//'; }
# target LINK: the last part of the symbolic link LINK's target.
target() { basename "$(readlink "$1")"; }

# Installed as depmod sees it, the ID table is the module's alias.
mods=/lib/modules/$(uname -r)
mkdir -p "$mods/extra" && cp /rust_platform.ko "$mods/extra/" && depmod
expect "modinfo shows the ID table as an alias (MODULE_DEVICE_TABLE)" \
	"platform:rust_platform" "$(modinfo -F alias rust_platform)"

load rust_platform
expect "init registered the driver, and each device registered was probed at once" \
	"rust_platform: rust_platform.0: probed (matched rust_platform)|rust_platform: rust_platform.1: probed (matched rust_platform)|rust_platform: driver registered, 2 devices" \
	"$(log)"
check "the driver appears under /sys/bus/platform/drivers/rust_platform" [ -d $drv ]
check "both devices appear under /sys/bus/platform/devices/" eval "[ -d $d0 ] && [ -d $d1 ]"
expect "each device's driver symlink points to rust_platform" "rust_platform rust_platform" \
	"$(target $d0/driver) $(target $d1/driver)"
expect "the driver's directory links both devices" "rust_platform.0 rust_platform.1" \
	"$(target $drv/rust_platform.0) $(target $drv/rust_platform.1)"
expect "a device's modalias is the module's alias" "platform:rust_platform" "$(cat $d0/modalias)"

# The attributes, in the device's own directory.
expect "level is read-write (0644), stores read-only (0444)" "-rw-r--r-- -r--r--r--" \
	"$(ls -l $d0/level | cut -c1-10) $(ls -l $d0/stores | cut -c1-10)"
expect "level starts at 50, stores at 0" "50 0" "$(levels $d0)"
echo 42 >$d0/level
expect "echo 42 > level: level reads 42, stores 1" "42 1" "$(levels $d0)"
write $d0/level 0
write $d0/level 100
expect "level takes 0 and 100 (the bounds), without a newline too" "100 3" "$(levels $d0)"
for junk in 101 -1 4294967296 abc 1x " 1" 0x10; do
	expect "writing '$junk' to level fails with EINVAL" "sh: write error: Invalid argument" "$(write $d0/level "$junk")"
done
expect "writing 7 and two newlines fails with EINVAL (only one is dropped)" "sh: write error: Invalid argument" \
	"$(write $d0/level "7

")"
expect "level and stores are unchanged after the rejected writes" "100 3" "$(levels $d0)"
expect_match "writing stores fails with EACCES, even for root" "Permission denied" "$(write $d0/stores 5)"
expect "each device has its own level: rust_platform.1's is still 50, with 0 stores" "50 0" "$(levels $d1)"

# Unbind: remove, then the driver core releases the devres, newest first.
# A file of the attributes left open over the unbind fails afterwards
# (kernfs), without calling into the driver.
exec 4<$d0/level
check "unbind rust_platform.0 through $drv/unbind" eval "echo rust_platform.0 >$drv/unbind"
expect "remove ran, then devres freed the attributes' state, then the count taken first" \
	"rust_platform: rust_platform.0: remove: level 100 after 3 store(s)|rust_platform: rust_platform.0: devm: the attributes' state is freed|rust_platform: rust_platform.0: devm: unbound, 1 device(s) still bound" \
	"$(log)"
check "rust_platform.0 has no driver symlink any more" [ ! -e $d0/driver ]
check "the driver's directory no longer links it" [ ! -e $drv/rust_platform.0 ]
check "the device stays on the bus" [ -d $d0 ]
check "its attributes are gone with the devres" eval "[ ! -e $d0/level ] && [ ! -e $d0/stores ]"
expect_match "a read of level through the file left open fails with ENODEV" "No such device" "$(cat <&4 2>&1)"
exec 4<&-
expect "rust_platform.1 is still bound, its level as it was" "rust_platform 50 0" "$(target $d1/driver) $(levels $d1)"

check "bind rust_platform.0 again through $drv/bind" eval "echo rust_platform.0 >$drv/bind"
expect "probe ran again" "rust_platform: rust_platform.0: probed (matched rust_platform)" "$(log)"
expect "the driver symlink is back" "rust_platform" "$(target $d0/driver)"
expect "the attributes are back, with a fresh state: level 50, stores 0" "50 0" "$(levels $d0)"
echo 7 >$d0/level

# rmmod while both are bound: the module's devices go first (each removed
# from the driver, then its devres released), then the driver.
unload rust_platform
expect "rmmod removed each device (remove, then its devres), then the driver" \
	"rust_platform: unloading|rust_platform: rust_platform.0: remove: level 7 after 1 store(s)|rust_platform: rust_platform.0: devm: the attributes' state is freed|rust_platform: rust_platform.0: devm: unbound, 1 device(s) still bound|rust_platform: rust_platform.1: remove: level 50 after 0 store(s)|rust_platform: rust_platform.1: devm: the attributes' state is freed|rust_platform: rust_platform.1: devm: unbound, 0 device(s) still bound" \
	"$(log)"
check "the devices are gone from /sys/bus/platform/devices" eval "[ ! -e $d0 ] && [ ! -e $d1 ]"
check "the driver is gone from /sys/bus/platform/drivers" [ ! -e $drv ]

# Unbound before rmmod: nothing left to remove at unload.
load rust_platform
log >/dev/null
check "unbind both devices" eval "echo rust_platform.0 >$drv/unbind && echo rust_platform.1 >$drv/unbind"
expect "the last unbind leaves no device bound" "rust_platform: rust_platform.1: devm: unbound, 0 device(s) still bound" \
	"$(log | tr '|' '\n' | tail -n 1)"
unload rust_platform
expect "rmmod with no device bound runs no remove" "rust_platform: unloading" "$(log)"

load_unload_twice rust_platform
finish
