// SPDX-License-Identifier: GPL-2.0
//! A model of the kernel's `vsnprintf` (lib/vsprintf.c) for the formats
//! lowered `pr_*!` lines use, so host tests can run them as `printk` would:
//! `%%`, `%s` (the module name), `%.*s`, `%*.*s`, and `%d %u %x %X %o` with the flags
//! `- + 0`, a width and the length modifiers `hh h ll z`. Built only for
//! the host.
//!
//! Integers go through `lower::Conversion`, which the kernel side uses too (to
//! render a line `printk` must not be given as it is); the tests hold its
//! output against glibc's `snprintf` and `core::fmt`. Strings follow the
//! kernel's `string()`, including what differs from C's standard
//! `printf`: a pointer below the first page prints `(efault)`
//! (`check_pointer`), and a NUL ends the string whatever the precision.

use super::lower::{Conversion, NUMBER_ROOM};
use std::vec::Vec;

/// The kernel's `PAGE_SIZE` on x86-64 and arm64's usual configuration.
const PAGE_SIZE: u64 = 4096;

/// Formats `fmt` with `args`, one 64-bit word per C argument (a narrower
/// type is read from the word's low bits, as `va_arg` does on x86-64).
///
/// # Safety
///
/// Every `%s` must have, in its word, a pointer that is null, below
/// `PAGE_SIZE`, or to readable bytes up to its precision or a NUL.
pub unsafe fn vsnprintf(fmt: &[u8], args: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut args = args.iter().copied();
    let mut arg = move || args.next().expect("more conversions than arguments");
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        if fmt.get(i + 1) == Some(&b'%') {
            out.push(b'%');
            i += 2;
            continue;
        }
        let (conversion, next) = Conversion::parse(fmt, i + 1);
        let star = fmt[i..next].ends_with(b".*s");
        i = next;
        match conversion.conv {
            b's' => {
                let width = if conversion.star_width { arg() as i32 as usize } else { conversion.width };
                let precision = if star { arg() as i32 as usize } else { usize::MAX };
                let ptr = arg();
                let text: &[u8] = if ptr == 0 {
                    b"(null)"
                } else if ptr < PAGE_SIZE {
                    b"(efault)"
                } else {
                    let mut len = 0;
                    // SAFETY: the caller guarantees the bytes up to the
                    // precision or a NUL are readable.
                    while len < precision && unsafe { *(ptr as *const u8).add(len) } != 0 {
                        len += 1;
                    }
                    // SAFETY: as above, `len` bytes were just read.
                    unsafe { core::slice::from_raw_parts(ptr as *const u8, len) }
                };
                let text = if ptr < PAGE_SIZE { &text[..text.len().min(precision)] } else { text };
                // widen_string(): spaces up to the width, in bytes.
                let pad = width.saturating_sub(text.len());
                if !conversion.left {
                    out.extend(std::iter::repeat_n(b' ', pad));
                }
                out.extend_from_slice(text);
                if conversion.left {
                    out.extend(std::iter::repeat_n(b' ', pad));
                }
            }
            b'd' | b'u' | b'x' | b'X' | b'o' => {
                let mut buf = [0; NUMBER_ROOM];
                let len = conversion.number(arg(), &mut buf);
                out.extend_from_slice(&buf[..len]);
            }
            c => panic!("conversion {:?} is not modelled", c as char),
        }
    }
    out
}
