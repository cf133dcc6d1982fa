/* SPDX-License-Identifier: GPL-2.0 */
/* What ffi_wrong.rs declares wrongly, on purpose (its header comment). */
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

u32 ffi_wrong_c(u64 x);
void ffi_wrong_rust(const u8 *p);
