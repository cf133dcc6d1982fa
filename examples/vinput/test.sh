# SPDX-License-Identifier: GPL-2.0
# rust_vinput in the guest: its keyboard as the input core lists it, the
# events /dev/input/eventN gives for what is written to /dev/rust_vinput
# (read by /vinput_events), bad input refused with nothing typed, rmmod
# while a process holds the event device open, and a second load.
. /lib.sh

ev() { /vinput_events "$@" 2>&1; }
# entry: the keyboard's lines in /proc/bus/input/devices (I: to B: KEY=).
entry() { grep -B1 -A7 '^N: Name="Rust virtual keyboard"$' /proc/bus/input/devices; }
# hold: /vinput_events hold in the background, the event device open until
# the keyboard goes; its output goes to /tmp/hold.out.
hold() {
	ev hold >/tmp/hold.out &
	hold_pid=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q open /tmp/hold.out && break
		sleep 1
	done
}

# evdev, the handler that makes /dev/input/eventN: Debian builds it as a
# module, copied here from the same kernel image (examples/vinput/kernel-modules);
# a debug kernel builds it in.
grep -q 'Name=evdev' /proc/bus/input/handlers || insmod /evdev.ko
check "the evdev input handler is registered" grep -q 'Name=evdev' /proc/bus/input/handlers
kernel_log >/dev/null

load rust_vinput
expect "init logs the keyboard's size" "<6>a keyboard of 49 keys types what /dev/rust_vinput is given" \
	"$(module_log rust_vinput)"
check "/dev/rust_vinput is a character device" [ -c /dev/rust_vinput ]

# The key codes the keyboard declares (input-event-codes.h: KEY_ESC..KEY_P,
# KEY_ENTER, KEY_A..KEY_APOSTROPHE, KEY_LEFTSHIFT, KEY_Z..KEY_SLASH,
# KEY_SPACE), as the bitmap /proc/bus/input/devices prints (one 64-bit word).
mask=0
for code in $(seq 1 25) 28 $(seq 30 40) 42 $(seq 44 53) 57; do
	mask=$((mask | (1 << code)))
done
keys=$(printf %x $mask)
listed=$(entry)
expect_match "/proc/bus/input/devices lists the keyboard by name" '^N: Name="Rust virtual keyboard"$' "$listed"
expect_match "with its identity: bus BUS_VIRTUAL, vendor, product and version 1" \
	'^I: Bus=0006 Vendor=0001 Product=0001 Version=0001$' "$listed"
expect_match "and its phys" '^P: Phys=rust_vinput/input0$' "$listed"
expect_match "its event types are EV_SYN and EV_KEY (EV=3)" '^B: EV=3$' "$listed"
expect_match "its keys are exactly the 49 it declared (KEY=$keys)" "^B: KEY=$keys\$" "$listed"
expect_match "the kbd and evdev handlers attached to it" '^H: Handlers=.*kbd.* event[0-9]+' "$listed"
event=$(ev find)
expect "EVIOCGNAME finds it as the event device the Handlers line names" \
	"/dev/input/$(echo "$listed" | sed -n 's/^H: Handlers=.*\(event[0-9]*\).*/\1/p')" "$event"

expect 'writing "hi" types KEY_H then KEY_I, each press and release followed by SYN_REPORT' \
	"write=2 events: KEY_H:1 SYN KEY_H:0 SYN KEY_I:1 SYN KEY_I:0 SYN" "$(ev type hi)"
expect 'a capital letter is typed with KEY_LEFTSHIFT held around its key' \
	"write=2 events: KEY_LEFTSHIFT:1 SYN KEY_H:1 SYN KEY_H:0 SYN KEY_LEFTSHIFT:0 SYN KEY_I:1 SYN KEY_I:0 SYN" \
	"$(ev type Hi)"
expect 'a write with a character that has no key ("h!") fails with EINVAL and types nothing' \
	"write=EINVAL events:" "$(ev type 'h!')"
expect "an empty write types nothing and returns 0" "write=0 events:" "$(ev type '')"
expect "a write from a buffer that cannot be read fails with EFAULT and types nothing" "write=EFAULT events:" "$(ev efault)"
expect_match "a write of 300 characters types 256 of them (a short write)" "^write=256 events:" \
	"$(ev type "$(head -c 300 /dev/zero | tr '\0' a)")"
exec 3>/dev/rust_vinput
check "rmmod fails while /dev/rust_vinput is open" eval '! rmmod rust_vinput 2>/dev/null'
exec 3>&-

hold
kernel_log >/dev/null
unload rust_vinput
wait "$hold_pid"
expect "a reader holding the event device open is woken with ENODEV; the file stays usable to close" \
	"open read=ENODEV EVIOCGNAME=ENODEV close=ok" "$(tr '\n' ' ' </tmp/hold.out | sed 's/ $//')"
expect "unload logs how many characters were typed (2 + 2 + 256; none of the refused write)" \
	"<6>removing the keyboard, which typed 260 characters" "$(module_log rust_vinput)"
check "the keyboard has left /proc/bus/input/devices" eval '! grep -q "Rust virtual keyboard" /proc/bus/input/devices'
check "its event device ($event) is gone" [ ! -e "$event" ]
check "/dev/rust_vinput is gone" [ ! -e /dev/rust_vinput ]

# A second round: a new keyboard, that types as the first did.
load rust_vinput
expect_match "round 2: the keyboard is listed again" '^N: Name="Rust virtual keyboard"$' "$(entry)"
expect 'round 2: writing "a" types KEY_A' "write=1 events: KEY_A:1 SYN KEY_A:0 SYN" "$(ev type a)"
unload rust_vinput
expect "round 2: unload logs the one character typed" \
	"<6>removing the keyboard, which typed 1 characters" "$(module_log rust_vinput | grep removing)"

finish
