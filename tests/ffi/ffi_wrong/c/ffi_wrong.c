// SPDX-License-Identifier: GPL-2.0
/* The C half of ffi_wrong.rs, whose declarations of it are wrong on purpose. */
#include "ffi_wrong.h"

u32 ffi_wrong_c(u64 x)
{
	ffi_wrong_rust((const u8 *)&x);
	return (u32)x;
}
