// SPDX-License-Identifier: GPL-2.0
/*
 * ffi_c.c - the C of rust_ffi (tests/ffi/ffi/ffi.rs): C that a module keeps
 * beside its Rust, compiled by kbuild with the kernel's flags and linked into
 * the same .ko. It calls into Rust (ffi_rust_step) and is called from Rust;
 * ffi_c.h declares both, and the build checks the Rust side against it.
 */
#include <linux/kernel.h>
#include "ffi_c.h"

/* The kernel's CRC-32 (little-endian, seed ~0, no final inversion), from C. */
u32 ffi_c_crc32(const u8 *p, size_t len)
{
	return crc32_le(~0, p, len);
}

/* Calls back into Rust, twice. */
u32 ffi_c_apply_twice(u32 x)
{
	return ffi_rust_step(ffi_rust_step(x));
}

/* snprintf() is variadic and a C-only interface: C formats for Rust. */
int ffi_c_format(char *buf, size_t size, const char *name, int value)
{
	return snprintf(buf, size, "%s=%d", name, value);
}

time64_t ffi_c_real_seconds(void)
{
	return ktime_get_real_seconds();
}
