// SPDX-License-Identifier: GPL-2.0
//! rust_safety: the edges where Rust hands names, text and code to C and to
//! the kernel, each exercised once, for the safety tests (tests/safety/).
//!
//! - Parameter names: upper case, mixed case, a leading `_`, digits, a name
//!   that is `get_` and another's name, and one of 255 bytes, the longest a
//!   sysfs file name can be. Init logs every value it reads.
//! - Metadata: an author, a description and a parameter description with
//!   quotes, backslashes (one of them last), `%`, `*/`, trigraphs, a tab, `|`
//!   and UTF-8, which `modinfo` must show byte for byte.
//! - Code that pulls in compiler_builtins (u128 division, float math), which
//!   must build without a warning and link cleanly.
//! - A NUL byte in a printed line, which must not end the line.
//! - Lines lowered to `printk` formats at compile time (`kernel::print::lower`):
//!   every integer width, hex, octal, widths, `0`, `+`, `<`, text with `%`,
//!   UTF-8 and a precision, a `char`; and lowered lines whose string argument
//!   sends them back to `core::fmt` at run time (a newline, a line too long).
//! - With `panic_in_fmt=1`, a panic in init whose message panics when it is
//!   formatted: one oops, with both locations, and the kernel stays up.
//!
//! ```text
//! $ insmod rust_safety.ko MAX_DEVICES=5 N=-1 GREETING=hi
//! rust_safety: params: N=-1 MAX_DEVICES=5 camelCase=7 _leading=false x9=9 x=1 get_x=2 GREETING=hi long=255
//! rust_safety: u128::MAX / 3 = 113427455640312821154458202477256070485, 1.0 / 3.0 = 0.333333
//! rust_safety: name=ab\x00cd id=42
//! rust_safety: lowered integers: -128 255 -32768 65535 -2147483648 4294967295 ...
//! ...
//! ```
//!
//! With `--cfg safety_reject --cfg safety_reject="<case>"` (a host `cargo check` in
//! tests/safety/checks.sh), `module!` is given a name it must refuse at
//! compile time instead.

#![no_std]

use core::fmt;
use kernel::prelude::*;

struct Safety;

/// A `Display` that panics with a message that formats itself: formatting
/// the panic message panics again, and again.
struct PanicsWhenFormatted;

impl fmt::Display for PanicsWhenFormatted {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("formatting panics: {self}")
    }
}

#[cfg(not(safety_reject))]
impl Module for Safety {
    fn init() -> Result<Self> {
        if params::panic_in_fmt.get() {
            panic!("a panic whose message panics: {}", PanicsWhenFormatted);
        }
        pr_info!(
            "params: N={} MAX_DEVICES={} camelCase={} _leading={} x9={} x={} get_x={} GREETING={} long={}",
            params::N.get(),
            params::MAX_DEVICES.get(),
            params::camelCase.get(),
            params::_leading.get(),
            params::x9.get(),
            params::x.get(),
            params::get_x.get(),
            params::GREETING.get()?,
            params::LONG_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij.get(),
        );
        // Code that needs compiler_builtins: 128-bit division and float math
        // (soft-float: the kernel target has no SSE).
        let quotient = core::hint::black_box(u128::MAX) / core::hint::black_box(3u128);
        let ratio = core::hint::black_box(1.0f64) / core::hint::black_box(3.0f64);
        pr_info!("u128::MAX / 3 = {quotient}, 1.0 / 3.0 = {ratio:.6}");
        // A NUL inside a line: the whole line reaches the log.
        let name = "ab\0cd";
        pr_info!("name={name} id={}", 42);
        print_lowered_lines();
        Ok(Safety)
    }
}

/// Lines `pr_info!` hands to `printk` as formats (guest.sh has their text,
/// which is `core::fmt`'s), and two that go back to `core::fmt` at run time.
#[cfg(not(safety_reject))]
fn print_lowered_lines() {
    use core::hint::black_box;
    let (a, b, c, d, e) = black_box((i8::MIN, u8::MAX, i16::MIN, u16::MAX, i32::MIN));
    let (f, g, h, i, j) = black_box((u32::MAX, i64::MIN, u64::MAX, isize::MIN, usize::MAX));
    pr_info!("lowered integers: {} {} {} {} {} {} {} {} {} {}", a, b, c, d, e, f, g, h, i, j);
    pr_info!("lowered hex and octal: {:x} {:X} {:08x} {:o} {:x} {:X} {:o}", a, d, 255u32, e, -1i64, j, i);
    pr_info!(
        "lowered widths: [{:5}] [{:<5}] [{:05}] [{:+}] [{:+06}] [{:<+6}] [{:<4x}]",
        42,
        42,
        -42,
        7i32,
        -7i64,
        3i8,
        10u8
    );
    let name = black_box("größe");
    pr_info!("lowered text: {name} {:.3} [{}] {} {}% %d %s", name, "", '🦀', 100);
    let two = black_box("one\ntwo");
    pr_info!("split: {two}");
    let zs = [b'z'; 300];
    let long = core::str::from_utf8(&zs).unwrap_or_default();
    pr_info!("long: {long}");
}

#[cfg(not(safety_reject))]
module! {
    type: Safety,
    author: "Jane \"JD\" O'Doe <jd@example.org> \\",
    description: "Paths like C:\\temp, back\\slash, 100% %s, */ /*, ??/ ??=, \ttab, a|b, größe 🦀",
    params: {
        N: i32 = 1, 0o444, "One upper-case letter",
        MAX_DEVICES: i32 = 8, 0o644, "Upper case with an underscore",
        camelCase: u32 = 7, 0o444, "Mixed case",
        _leading: bool = true, 0o444, "A leading underscore",
        x9: u64 = 9, 0o444, "A digit",
        x: i32 = 1, 0o444, "Whose getter was once rust_param_get_x",
        get_x: i32 = 2, 0o444, "Whose storage was once rust_param_get_x",
        GREETING: str = "hello", 0o444, "An upper-case string parameter: \"%d\" \\n */ ??/ ü \\",
        LONG_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij: i32 = 255, 0o444, "A 255-byte name",
        panic_in_fmt: bool = false, 0o444, "Panic in init with a message whose formatting panics",
    },
}

// Names (and a type) module! must refuse, one per case, each with its message.
#[cfg(safety_reject)]
impl Module for Safety {
    fn init() -> Result<Self> {
        Ok(Safety)
    }
}

#[cfg(safety_reject = "raw")]
module! {
    type: Safety, author: "a", description: "d",
    params: { r#type: i32 = 1, 0o444, "A raw identifier" },
}

#[cfg(safety_reject = "non_ascii")]
module! {
    type: Safety, author: "a", description: "d",
    params: { größe: i32 = 1, 0o444, "A non-ASCII name" },
}

#[cfg(safety_reject = "too_long")]
module! {
    type: Safety, author: "a", description: "d",
    params: { LONG_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijx: i32 = 1, 0o444, "256 bytes" },
}

#[cfg(safety_reject = "type")]
module! {
    type: Safety, author: "a", description: "d",
    params: { small: u8 = 1, 0o444, "A type module_param has not" },
}

#[cfg(safety_reject = "str_prefix")]
module! {
    type: Safety, author: "a", description: "d",
    params: { x: i32 = 1, 0o444, "x", str_x: i32 = 2, 0o444, "__param_str_x twice" },
}
