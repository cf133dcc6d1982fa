// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/time.c - the C half of src/kernel/time.rs: the kernel's monotonic
 * clock for Rust.
 *
 * ktime_get_ns() is an inline function (ktime_get() converted to
 * nanoseconds), so Rust calls it through this helper. CLOCK_MONOTONIC:
 * nanoseconds since boot, never going back, suspend not counted.
 */
#include <linux/ktime.h>
#include <linux/timekeeping.h>

u64 rust_helper_time_ktime_get_ns(void);

u64 rust_helper_time_ktime_get_ns(void)
{
	return ktime_get_ns();
}
