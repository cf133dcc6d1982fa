/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ffi_c.h - what the C and the Rust of rust_ffi share: the C functions Rust
 * calls, the Rust function C calls, and the kernel headers that declare the
 * kernel functions Rust calls directly. The build checks every Rust
 * declaration of tests/ffi/ffi/ffi.rs against this file (docs/build.md).
 */
#ifndef FFI_C_H
#define FFI_C_H

#include <linux/crc32.h>
#include <linux/kstrtox.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

/* Defined in c/ffi_c.c, called from Rust. */
u32 ffi_c_crc32(const u8 *p, size_t len);
u32 ffi_c_apply_twice(u32 x);
int ffi_c_format(char *buf, size_t size, const char *name, int value);
time64_t ffi_c_real_seconds(void);

/* Defined in Rust (#[no_mangle] extern "C"), called from c/ffi_c.c. */
u32 ffi_rust_step(u32 x);

#endif /* FFI_C_H */
