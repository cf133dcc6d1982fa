// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/input.c - the C half of src/kernel/input.rs: an input device (a
 * keyboard) that a Rust module registers and reports key presses through.
 *
 * The kernel's rules for a struct input_dev, which input.rs's InputDevice
 * follows: input_allocate_device() makes it; once input_register_device()
 * has succeeded, input_unregister_device() is the only way to let go of it
 * (it drops the last reference the driver holds, and the input core frees
 * the device when its handlers have let go too); calling input_free_device()
 * as well would free it twice. A device whose registration failed was never
 * the input core's, and input_free_device() frees it.
 *
 * Unregistering disconnects every handler: evdev marks its event devices
 * gone (a reader of /dev/input/eventN is woken and gets ENODEV, a later read
 * too; close works), and the input core releases the keys still down,
 * reporting their release first. An event device that a process keeps open
 * holds a reference on the input_dev, not on the module (its file operations
 * are evdev's): the module may be unloaded meanwhile. The input_dev then
 * outlives the module, pointing at its name and phys strings, which are in
 * the module's memory. Nothing reads them after input_unregister_device()
 * returns: the device has left /proc/bus/input/devices and sysfs, its remove
 * uevent went out during the call, evdev answers EVIOCGNAME with ENODEV once
 * the device is gone, and input_dev_release() frees the structure without
 * looking at them. This is what every C driver that sets a literal name does.
 *
 * input_report_key() and input_sync() are inline in <linux/input.h>, hence
 * the wrappers; both end in input_event(), which takes dev->event_lock with
 * spin_lock_irqsave(): they may be called from any context, an interrupt
 * handler too.
 */
#include <linux/input.h>

/* input.rs spells out these key codes; the build fails if the kernel disagrees. */
static_assert(KEY_ESC == 1 && KEY_1 == 2 && KEY_2 == 3 && KEY_3 == 4);
static_assert(KEY_4 == 5 && KEY_5 == 6 && KEY_6 == 7 && KEY_7 == 8);
static_assert(KEY_8 == 9 && KEY_9 == 10 && KEY_0 == 11 && KEY_MINUS == 12);
static_assert(KEY_EQUAL == 13 && KEY_BACKSPACE == 14 && KEY_TAB == 15 && KEY_Q == 16);
static_assert(KEY_W == 17 && KEY_E == 18 && KEY_R == 19 && KEY_T == 20);
static_assert(KEY_Y == 21 && KEY_U == 22 && KEY_I == 23 && KEY_O == 24);
static_assert(KEY_P == 25 && KEY_ENTER == 28 && KEY_A == 30 && KEY_S == 31);
static_assert(KEY_D == 32 && KEY_F == 33 && KEY_G == 34 && KEY_H == 35);
static_assert(KEY_J == 36 && KEY_K == 37 && KEY_L == 38 && KEY_SEMICOLON == 39);
static_assert(KEY_APOSTROPHE == 40 && KEY_LEFTSHIFT == 42 && KEY_Z == 44 && KEY_X == 45);
static_assert(KEY_C == 46 && KEY_V == 47 && KEY_B == 48 && KEY_N == 49);
static_assert(KEY_M == 50 && KEY_COMMA == 51 && KEY_DOT == 52 && KEY_SLASH == 53);
static_assert(KEY_SPACE == 57);
static_assert(BUS_VIRTUAL == 0x06);

int rust_helper_input_register(const char *name, const char *phys, u16 bustype, u16 vendor,
			       u16 product, u16 version, const u16 *keys, size_t nkeys,
			       struct input_dev **out);
void rust_helper_input_unregister(struct input_dev *dev);
void rust_helper_input_report_key(struct input_dev *dev, unsigned int code, int pressed);
void rust_helper_input_sync(struct input_dev *dev);

/*
 * Allocates, describes and registers a keyboard that sends the @nkeys key
 * codes @keys (EV_KEY; input_register_device() adds EV_SYN). @name and @phys
 * must stay valid until rust_helper_input_unregister() (see above). On
 * success *out is the registered device; on failure nothing is kept.
 */
int rust_helper_input_register(const char *name, const char *phys, u16 bustype, u16 vendor,
			       u16 product, u16 version, const u16 *keys, size_t nkeys,
			       struct input_dev **out)
{
	struct input_dev *dev;
	size_t i;
	int ret;

	/* KEY_RESERVED is no key; input_set_capability() ignores codes past KEY_MAX. */
	for (i = 0; i < nkeys; i++)
		if (keys[i] == KEY_RESERVED || keys[i] > KEY_MAX)
			return -EINVAL;

	dev = input_allocate_device();
	if (!dev)
		return -ENOMEM;
	dev->name = name;
	dev->phys = phys;
	dev->id.bustype = bustype;
	dev->id.vendor = vendor;
	dev->id.product = product;
	dev->id.version = version;
	for (i = 0; i < nkeys; i++)
		input_set_capability(dev, EV_KEY, keys[i]);

	ret = input_register_device(dev);
	if (ret) {
		/* Never registered: still ours to free. */
		input_free_device(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

/* Registered: unregistering drops our reference, and with it the device. */
void rust_helper_input_unregister(struct input_dev *dev)
{
	input_unregister_device(dev);
}

void rust_helper_input_report_key(struct input_dev *dev, unsigned int code, int pressed)
{
	input_report_key(dev, code, pressed);
}

void rust_helper_input_sync(struct input_dev *dev)
{
	input_sync(dev);
}
