/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lastword.h - C of the module's own, for own_module_tests (scripts/test.sh),
 * which copies tests/own-module/c/ to the renamed copy's c/ and has the
 * module's Rust (tests/own-module/lib.rs) call it.
 */
#include <linux/types.h>

/* c/lastword.c: does a write of @count bytes fit? */
bool lastword_fits(size_t count);

/* Rust (#[no_mangle] extern "C"): the most bytes a write may bring. */
size_t lastword_capacity(void);
