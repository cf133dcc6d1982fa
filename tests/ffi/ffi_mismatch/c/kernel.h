/* SPDX-License-Identifier: GPL-2.0 */
/* The headers that declare the kernel functions ffi_mismatch.rs declares. */
#include <linux/atomic.h>
#include <linux/shrinker.h>
#include <linux/string.h>
#include <linux/sysctl.h>
