// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/driver.c - the C half of src/kernel/driver.rs: what the bus
 * drivers share. For now one devres action: a Rust value given to a bound
 * device, dropped by the driver core when the driver unbinds.
 *
 * Devres (drivers/base/devres.c) keeps a list of resources per device;
 * devres_release_all() releases them, the newest first, after the driver's
 * remove() (__device_release_driver) and when a probe fails (really_probe).
 * An action added to a device no driver is bound to would only be released
 * when the device itself is freed, possibly after the module is gone: the
 * Rust side therefore adds them only during probe and remove, to a device
 * the module's driver is bound to (src/kernel/platform.rs's Device).
 */
#include <linux/device.h>

int rust_helper_driver_devm_add_action(struct device *dev, void (*action)(void *), void *data);

/*
 * devm_add_action_or_reset(): on failure (-ENOMEM) it runs @action at once,
 * so the value is never leaked.
 */
int rust_helper_driver_devm_add_action(struct device *dev, void (*action)(void *), void *data)
{
	return devm_add_action_or_reset(dev, action, data);
}
