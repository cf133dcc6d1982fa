// SPDX-License-Identifier: GPL-2.0
//! A model of the kernel's `vsnprintf` (lib/vsprintf.c) for the conversions
//! lowered `pr_*!` lines use, so host tests can run a lowered format: `%%`,
//! `%s` with a precision (`*` or digits), and `%d %u %x %X %o` with the
//! flags `- + space 0`, a width (`*` or digits) and the length modifiers
//! `hh h l ll z`. Built only for the host.
//!
//! It follows the kernel's `format_decode`, `number` and `string` step by
//! step, including what differs from C's standard `printf`: a `%s` pointer
//! below the first page prints `(efault)` (`check_pointer`). Flags and
//! conversions the lowering never emits (`#`, `%p`, `%c`, ...) panic.

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
    let mut next = args.iter().copied();
    let mut arg = move || next.next().expect("more conversions than arguments");
    let mut i = 0;
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if at(i) == b'%' {
            out.push(b'%');
            i += 1;
            continue;
        }
        let (mut left, mut plus, mut space, mut zero) = (false, false, false, false);
        loop {
            match at(i) {
                b'-' => left = true,
                b'+' => plus = true,
                b' ' => space = true,
                b'0' => zero = true,
                b'#' => panic!("'#' is not modelled"),
                _ => break,
            }
            i += 1;
        }
        let mut width: i32 = -1;
        if at(i) == b'*' {
            width = arg() as i32;
            if width < 0 {
                left = true;
                width = -width;
            }
            i += 1;
        } else if at(i).is_ascii_digit() {
            width = 0;
            while at(i).is_ascii_digit() {
                width = width * 10 + i32::from(at(i) - b'0');
                i += 1;
            }
        }
        let mut precision: i32 = -1;
        if at(i) == b'.' {
            i += 1;
            if at(i) == b'*' {
                precision = arg() as i32;
                i += 1;
            } else {
                precision = 0;
                while at(i).is_ascii_digit() {
                    precision = precision * 10 + i32::from(at(i) - b'0');
                    i += 1;
                }
            }
            precision = precision.max(0);
        }
        let mut qualifier = [0u8; 2];
        match at(i) {
            b'h' | b'l' => {
                qualifier[0] = at(i);
                i += 1;
                if at(i) == qualifier[0] {
                    qualifier[1] = at(i);
                    i += 1;
                }
            }
            b'z' => {
                qualifier[0] = b'z';
                i += 1;
            }
            _ => {}
        }
        let conversion = at(i);
        i += 1;
        if conversion == b's' {
            let ptr = arg();
            let text: &[u8] = if ptr == 0 {
                b"(null)"
            } else if ptr < PAGE_SIZE {
                b"(efault)"
            } else {
                let max = usize::try_from(precision).unwrap_or(usize::MAX);
                let mut len = 0;
                // SAFETY: the caller guarantees the bytes up to the precision
                // or a NUL are readable.
                while len < max && unsafe { *(ptr as *const u8).add(len) } != 0 {
                    len += 1;
                }
                // SAFETY: as above, `len` bytes were just read.
                unsafe { core::slice::from_raw_parts(ptr as *const u8, len) }
            };
            let text =
                if ptr < PAGE_SIZE && precision >= 0 { &text[..text.len().min(precision as usize)] } else { text };
            let pad = (width.max(0) as usize).saturating_sub(text.len());
            if !left {
                out.extend(std::iter::repeat_n(b' ', pad));
            }
            out.extend_from_slice(text);
            if left {
                out.extend(std::iter::repeat_n(b' ', pad));
            }
            continue;
        }
        let (base, signed, upper) = match conversion {
            b'd' | b'i' => (10, true, false),
            b'u' => (10, false, false),
            b'x' => (16, false, false),
            b'X' => (16, false, true),
            b'o' => (8, false, false),
            c => panic!("conversion {:?} is not modelled", c as char),
        };
        let word = arg();
        // vsnprintf: the argument, cut to its type and extended to 64 bits.
        let num: u64 = match (&qualifier, signed) {
            (b"hh", true) => word as i8 as i64 as u64,
            (b"hh", false) => word as u8 as u64,
            ([b'h', 0], true) => word as i16 as i64 as u64,
            ([b'h', 0], false) => word as u16 as u64,
            ([0, 0], true) => word as i32 as i64 as u64,
            ([0, 0], false) => word as u32 as u64,
            _ => word, // l, ll, z: 64 bits
        };
        number(&mut out, num, base, signed, upper, left, plus, space, zero, width, precision);
    }
    out
}

/// lib/vsprintf.c's `number()`, without the `#` prefixes.
#[allow(clippy::too_many_arguments)]
fn number(
    out: &mut Vec<u8>,
    mut num: u64,
    base: u64,
    signed: bool,
    upper: bool,
    left: bool,
    plus: bool,
    space: bool,
    mut zero: bool,
    mut field_width: i32,
    mut precision: i32,
) {
    if left {
        zero = false;
    }
    let mut sign = 0u8;
    if signed {
        if (num as i64) < 0 {
            sign = b'-';
            num = (num as i64).unsigned_abs();
            field_width -= 1;
        } else if plus {
            sign = b'+';
            field_width -= 1;
        } else if space {
            sign = b' ';
            field_width -= 1;
        }
    }
    let mut tmp = Vec::new();
    loop {
        let digit = (num % base) as u8;
        tmp.push(match digit {
            0..=9 => b'0' + digit,
            _ if upper => b'A' + digit - 10,
            _ => b'a' + digit - 10,
        });
        num /= base;
        if num == 0 {
            break;
        }
    }
    let digits = tmp.len() as i32;
    if digits > precision {
        precision = digits;
    }
    field_width -= precision;
    if !zero && !left {
        while field_width > 0 {
            out.push(b' ');
            field_width -= 1;
        }
    }
    if sign != 0 {
        out.push(sign);
    }
    if !left {
        let c = if zero { b'0' } else { b' ' };
        while field_width > 0 {
            out.push(c);
            field_width -= 1;
        }
    }
    while digits < precision {
        out.push(b'0');
        precision -= 1;
    }
    out.extend(tmp.iter().rev());
    while field_width > 0 {
        out.push(b' ');
        field_width -= 1;
    }
}
