// SPDX-License-Identifier: GPL-2.0
//! Lowered `pr_*!` lines print what `core::fmt` prints, byte for byte.
//!
//! Each case prints a line twice: through `print::print` and
//! `format_args!` (the `core::fmt` path every line took before lowering),
//! and through `pr_info!`, whose lowered format the host fake of
//! `rust_helper_printf` runs through `print::vsnprintf`, a model of the
//! kernel's `vsnprintf`. The two must log the same lines; each case also
//! says whether it must have been lowered, so that a lowering that silently
//! fell back everywhere fails. Every lowered format is run through glibc's
//! `snprintf` as well, which must agree with the model (they differ only
//! where the lowering never goes: `#`, `%p`, and a bad `%s` pointer).

use super::lower::MAX_WORDS;
use super::{print, Level};
use crate::bindings::{take_lowered, take_printed, HOST_MODULE_NAME};
use core::ffi::{c_char, c_int};
use std::string::String;
use std::vec::Vec;

extern "C" {
    fn snprintf(buf: *mut c_char, size: usize, fmt: *const c_char, ...) -> c_int;
}

/// glibc's output for a lowered format and its words.
fn glibc(fmt: &[u8], w: &[u64; MAX_WORDS]) -> Vec<u8> {
    let mut buf = [0u8; 1024];
    let fmt = std::ffi::CString::new(fmt).unwrap();
    let name = HOST_MODULE_NAME.as_ptr();
    // SAFETY: `fmt` is a lowered format whose conversions take the module
    // name and then the words, as rust_helper_printf passes them; its
    // strings were alive while printing and still are (the test's values).
    let n = unsafe {
        snprintf(
            buf.as_mut_ptr().cast(),
            buf.len(),
            fmt.as_ptr(),
            name,
            w[0],
            w[1],
            w[2],
            w[3],
            w[4],
            w[5],
            w[6],
            w[7],
            w[8],
            w[9],
            w[10],
            w[11],
            w[12],
            w[13],
            w[14],
            w[15],
        )
    };
    buf[..n as usize].to_vec()
}

/// The outcome of one case, for the totals the tests check.
#[derive(Default)]
struct Tally {
    lowered: usize,
    fell_back: usize,
}

/// Prints `$fmt` with the arguments both ways; asserts the same lines, and
/// that the line was lowered exactly when `$lowered` says.
macro_rules! case {
    ($tally:expr, $lowered:expr, $fmt:literal $(, $arg:expr)*) => {{
        take_printed();
        take_lowered();
        print(Level::Info, format_args!($fmt $(, $arg)*));
        let want = take_printed();
        crate::pr_info!($fmt $(, $arg)*);
        let got = take_printed();
        let lowered = take_lowered();
        let what = std::format!("{:?} with {:?}", $fmt, ($(&$arg,)*));
        assert_eq!(got, want, "{what}");
        assert_eq!(lowered.len() == 1, $lowered, "lowered? {what}");
        for (fmt, words) in &lowered {
            // SAFETY: the words' strings are the case's arguments, alive here.
            let model = unsafe {
                let mut args = std::vec![HOST_MODULE_NAME.as_ptr() as u64];
                args.extend_from_slice(words);
                super::vsnprintf::vsnprintf(fmt, &args)
            };
            assert_eq!(String::from_utf8_lossy(&glibc(fmt, words)), String::from_utf8_lossy(&model), "{what}");
        }
        if lowered.is_empty() { $tally.fell_back += 1 } else { $tally.lowered += 1 }
    }};
}

/// Every value of the table that fits in `T`, and `T`'s extremes.
fn values<T: TryFrom<i128> + Copy>(min: T, max: T) -> Vec<T> {
    let table: [i128; 30] = [
        0,
        1,
        -1,
        7,
        -7,
        9,
        10,
        42,
        -42,
        99,
        100,
        127,
        -128,
        128,
        -129,
        255,
        256,
        1000,
        -32768,
        32767,
        65535,
        65536,
        i32::MIN as i128,
        i32::MAX as i128,
        u32::MAX as i128,
        1 << 40,
        -(1 << 40),
        i64::MIN as i128,
        i64::MAX as i128,
        u64::MAX as i128,
    ];
    let mut out = std::vec![min, max];
    out.extend(table.iter().filter_map(|&v| T::try_from(v).ok()));
    out
}

macro_rules! int_specs {
    ($tally:expr, $v:expr, $signed:expr) => {{
        let v = $v;
        // Lowered for every integer type.
        case!($tally, true, "{}", v);
        case!($tally, true, "{:1}", v);
        case!($tally, true, "{:2}", v);
        case!($tally, true, "{:5}", v);
        case!($tally, true, "{:12}", v);
        case!($tally, true, "{:25}", v);
        case!($tally, true, "{:64}", v);
        case!($tally, true, "{:<5}", v);
        case!($tally, true, "{:>5}", v);
        case!($tally, true, "{: <7}", v);
        case!($tally, true, "{: >7}", v);
        case!($tally, true, "{:<}", v);
        case!($tally, true, "{:0}", v);
        case!($tally, true, "{:05}", v);
        case!($tally, true, "{:020}", v);
        case!($tally, true, "{:<05}", v);
        case!($tally, true, "{:>08}", v);
        case!($tally, true, "{:<25}", v);
        case!($tally, true, "{:x}", v);
        case!($tally, true, "{:X}", v);
        case!($tally, true, "{:8x}", v);
        case!($tally, true, "{:08x}", v);
        case!($tally, true, "{:<8X}", v);
        case!($tally, true, "{:o}", v);
        case!($tally, true, "{:012o}", v);
        case!($tally, true, "{:<12o}", v);
        case!($tally, true, "[{v}] 100% {v:4} {{v}} %d %s %%");
        // '+': printk signs only signed decimal conversions.
        case!($tally, $signed, "{:+}", v);
        case!($tally, $signed, "{:+5}", v);
        case!($tally, $signed, "{:+05}", v);
        case!($tally, $signed, "{:<+6}", v);
        case!($tally, false, "{:+x}", v);
        // What printk cannot say: core::fmt.
        // '#': the prefix as text, zeros after it or spaces after all.
        case!($tally, true, "{:#x}", v);
        case!($tally, true, "{:#X}", v);
        case!($tally, true, "{:#o}", v);
        case!($tally, true, "{:#06x}", v);
        case!($tally, true, "{:#010x}", v);
        case!($tally, true, "{:#01x}", v);
        case!($tally, true, "{:<#8x}", v);
        case!($tally, true, "{:<#2o}", v);
        case!($tally, false, "{:#8x}", v);
        case!($tally, false, "{:>#8x}", v);
        case!($tally, false, "{:#}", v);
        case!($tally, false, "{:^5}", v);
        case!($tally, false, "{:*<5}", v);
        case!($tally, false, "{:?}", v);
        case!($tally, false, "{:b}", v);
        case!($tally, false, "{:.3}", v);
        case!($tally, false, "{:e}", v);
        case!($tally, false, "{:65}", v);
        case!($tally, false, "{:1$}", v, 5usize);
    }};
}

#[test]
fn lowered_integers_print_what_core_fmt_prints_for_every_width_and_spec() {
    let mut tally = Tally::default();
    macro_rules! each_type {
        ($($t:ty => $signed:expr),*) => {$(
            for v in values::<$t>(<$t>::MIN, <$t>::MAX) {
                int_specs!(tally, v, $signed);
            }
        )*};
    }
    each_type!(i8 => true, i16 => true, i32 => true, i64 => true, isize => true,
               u8 => false, u16 => false, u32 => false, u64 => false, usize => false);
    // Through references, as `{count}` and `&x` give them.
    let n = -5i16;
    case!(tally, true, "{}|{:4}", &n, &&n);
    std::eprintln!("integers: {} lines lowered, {} not", tally.lowered, tally.fell_back);
    assert!(tally.lowered > 2000 && tally.fell_back > 1000, "{} {}", tally.lowered, tally.fell_back);
}

#[test]
fn integers_printk_has_no_width_for_fall_back() {
    let mut tally = Tally::default();
    case!(tally, false, "{}", u128::MAX);
    case!(tally, false, "{}", i128::MIN);
    case!(tally, false, "{:x}", 1u128 << 100);
    case!(tally, false, "{} and {}", 1u8, 2u128);
    case!(tally, false, "{}", 1.5f64);
    case!(tally, false, "{}", true);
    assert_eq!(tally.fell_back, 6);
}

#[test]
fn lowered_strings_and_chars_print_what_core_fmt_prints() {
    let mut tally = Tally::default();
    let long = "x".repeat(200);
    let strings = ["", "a", "hello", "größe", "🦀x", "100%", "%s%d%n", "tab\there", "\x01" /* KERN_SOH */, &long];
    for s in strings {
        let owned = String::from(s);
        case!(tally, true, "{}", s);
        case!(tally, true, "<{}>", owned);
        case!(tally, true, "{:.0}|{:.1}|{:.3}|{:.10}", s, s, s, s);
        // Two of the 200-byte string may pass the capacity.
        case!(tally, 2 * s.len() < super::LINE_CAPACITY, "{:<}|{:>}", s, &owned);
        case!(tally, true, "{s}={}", s.len());
        // Widths count characters, left-aligned by default.
        case!(tally, true, "[{:5}]", s);
        case!(tally, true, "[{:<8}]", s);
        case!(tally, true, "[{:>8}]", s);
        case!(tally, true, "[{:>8.2}]", s);
        case!(tally, true, "[{: <3.4}]", s);
        case!(tally, false, "{:^8}", s);
        case!(tally, false, "{:_>8}", s);
        case!(tally, false, "{:08}", s);
        case!(tally, false, "{:?}", s);
    }
    for c in ['a', 'é', '🦀', '%', '\t'] {
        case!(tally, true, "{}", c);
        case!(tally, true, "[{c}] [{c:.0}] [{c:.1}]");
        case!(tally, true, "[{:3}|{:>3}]", c, c);
        case!(tally, false, "{:^3}", c);
    }
    // An empty String's pointer is dangling, which printk would show as
    // "(efault)": the model says so too, and the lowering passes "" instead.
    case!(tally, true, "[{}]", String::new());
    assert_eq!((tally.lowered, tally.fell_back), (10 * 10 - 1 + 5 * 3 + 1, 10 * 4 + 1 + 5));
}

#[test]
fn a_nul_or_newline_in_a_string_argument_takes_the_core_fmt_path() {
    let mut tally = Tally::default();
    case!(tally, false, "name={} id={}", "ab\0cd", 42);
    case!(tally, false, "{}", "two\nlines");
    case!(tally, false, "{}", '\0');
    case!(tally, false, "{}", '\n');
    case!(tally, false, "{}|{}", "ok", "\0");
    // Beyond the precision the NUL is not printed: lowered.
    case!(tally, true, "{:.2}", "ab\0cd");
    assert_eq!((tally.lowered, tally.fell_back), (1, 5));
}

#[test]
fn a_line_that_may_pass_the_capacity_takes_the_core_fmt_path() {
    let mut tally = Tally::default();
    // A u16 takes at most 5 bytes.
    let fits = "s".repeat(super::LINE_CAPACITY - 5);
    let over = "s".repeat(super::LINE_CAPACITY - 4);
    // An i16 takes at most 6 bytes: 250 + 6 fits, 251 + 6 may not.
    let text_fits = "t".repeat(super::LINE_CAPACITY - 6);
    case!(tally, true, "{}{}", fits, 1234u16);
    case!(tally, false, "{}{}", over, 1234u16);
    case!(tally, false, "{}", "y".repeat(1000));
    case!(tally, true, "{text_fits}{}", -1i16);
    // Known too long at compile time: 260 bytes of text.
    case!(
        tally,
        false,
        "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\
         0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\
         012345678901234567890123456789012345678901234567890123456789{}",
        1
    );
    assert_eq!((tally.lowered, tally.fell_back), (2, 3));
}

#[test]
fn newlines_in_the_text_keep_their_lines() {
    let mut tally = Tally::default();
    case!(tally, true, "done\n");
    case!(tally, true, "\n");
    case!(tally, true, "");
    case!(tally, true, "{}\n", 5);
    case!(tally, false, "a\nb");
    case!(tally, false, "{}\n\n", 5);
    case!(tally, false, "\0");
    assert_eq!((tally.lowered, tally.fell_back), (4, 3));
}

#[test]
fn many_conversions_or_a_debug_one_take_the_core_fmt_path() {
    let mut tally = Tally::default();
    case!(tally, true, "{}{}{}{}{}{}{}{}", 1, 2, 3, 4, 5, 6, 7, 8);
    case!(tally, true, "{}{}{}{}{}{}{}{}", "a", "b", "c", "d", "e", "f", "g", "h");
    case!(tally, false, "{}{}{}{}{}{}{}{}{}", 1, 2, 3, 4, 5, 6, 7, 8, 9);
    case!(tally, false, "{} {:?}", 1, "a");
    case!(tally, false, "{}", core::cell::Cell::new(3).get() as f32);
    assert_eq!((tally.lowered, tally.fell_back), (2, 3));
}

#[test]
fn a_lowered_format_names_the_level_module_and_c_types() {
    take_lowered();
    crate::pr_err!("value {} of {} {:5}|{:<3x}|{}|{}|{}% {}", 1u8, "bench", -2i16, 3u32, 4i64, 5usize, -6isize, 'c');
    let lowered = take_lowered();
    let fmt = &lowered[0].0;
    assert_eq!(String::from_utf8_lossy(fmt), "\u{1}3%s: value %hhu of %.*s %5hd|%-3x|%lld|%zu|%zd%% %.*s\n");
    let words = &lowered[0].1;
    assert_eq!((words[0], words[1], words[3]), (1, 5, (-2i64) as u64));
    take_printed();
}

#[test]
fn named_positional_and_captured_arguments_are_lowered_each_once() {
    let mut tally = Tally::default();
    let count = 3u8;
    let mut calls = 0u32;
    let mut next = || {
        calls += 1;
        calls
    };
    case!(tally, true, "{1} {0} {1:>4} {count}", "a", -2i64);
    take_printed();
    take_lowered();
    crate::pr_info!("{n} {n:03} {s:<3}| {}", next(), n = 7u16, s = "x");
    assert_eq!(take_printed(), [(6, String::from("7 007 x  | 1"))]);
    assert_eq!((take_lowered().len(), calls), (1, 1));
    assert_eq!(tally.lowered, 1);
}

#[test]
fn an_integer_whose_type_only_the_default_decides_is_lowered_as_an_i32() {
    take_printed();
    take_lowered();
    let mut n = 0;
    n -= 5;
    crate::pr_info!("{n} {} {:x}", 42, -1);
    assert_eq!(take_printed(), [(6, String::from("-5 42 ffffffff"))]);
    let lowered = take_lowered();
    assert_eq!(String::from_utf8_lossy(&lowered[0].0), "\u{1}6%s: %d %d %x\n");
}

#[test]
fn a_module_name_known_at_compile_time_is_part_of_the_format() {
    use super::lower::{Arg as _, Kind, Lowerable as _, Lowered, Spec};
    take_printed();
    take_lowered();
    let spec = Spec { align: 0, plus: false, alt: false, zero: false, width: 0, precision: -1, ty: b'd' };
    let int = Kind::Int { signed: true, bytes: 4, size_t: false };
    let line = Lowered::<32>::new(6, Some("hello"), &["count=", " of ", ""], &[spec, spec], &[int, Kind::Str]);
    assert!(line.ok);
    line.emit(&[5i32.lower().c_arg(-1, 0), "ten".lower().c_arg(-1, 0)]);
    assert_eq!(take_printed(), [(6, String::from("count=5 of ten"))]);
    let lowered = take_lowered();
    assert_eq!(String::from_utf8_lossy(&lowered[0].0), "\u{1}6hello: count=%d of %.*s\n");
}
