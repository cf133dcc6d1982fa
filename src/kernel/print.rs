// SPDX-License-Identifier: GPL-2.0
//! Kernel logging with Rust formatting: `pr_info!("{} + {} = {}", 1, 2, 3)`.
//!
//! The macros (`pr_emerg!` ... `pr_debug!`) take the arguments of `format!`.
//! The text is formatted by `core::fmt` into a buffer on the stack, so printing
//! never allocates and works in atomic context. Each line becomes one `printk`
//! at the macro's level, prefixed with the module name by the C side, for
//! example `hello: 1 + 2 = 3`. A `%` in the text is printed as it is.
//!
//! A line longer than [`LINE_CAPACITY`] bytes is cut at a character boundary
//! and ends with [`TRUNCATION_MARKER`]; the rest of that line is dropped.
//!
//! A NUL byte in the text (a `str` may hold one) is logged as [`NUL_ESCAPE`],
//! the four characters `\x00`, the way `/dev/kmsg` shows control bytes: the
//! C side passes the line with `"%.*s"`, which would end it at the NUL. The
//! rest of the line follows. (A `\x00` in the text itself looks the same.)
//!
//! A line whose specs and argument types `printk` formats exactly is lowered
//! to a `printk` format at compile time ([`lower`]), with the same output.
//! An integer whose type only Rust's default decides (`let mut n = 0;`,
//! a literal `42`) is an `i32`, as in `format!`.
//!
//! Unlike C's `pr_debug`, `pr_debug!` is never compiled out: it always logs at
//! `KERN_DEBUG`, which `dmesg` shows and the console does not by default.

use core::fmt;

pub mod lower;
#[cfg(test)]
mod lower_tests;
#[cfg(not(target_os = "none"))]
pub mod vsnprintf;

/// The most bytes of one line passed to `printk` (the prefix not counted).
pub const LINE_CAPACITY: usize = 256;

/// What ends a line that was cut short.
pub const TRUNCATION_MARKER: &str = "[...]";

/// What a NUL byte in the text is logged as.
pub const NUL_ESCAPE: &str = "\\x00";

/// A `printk` log level, `KERN_EMERG` (0) to `KERN_DEBUG` (7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// Splits formatted text into lines of at most [`LINE_CAPACITY`] bytes and
/// hands each finished line to `emit`.
pub struct LineWriter<F: FnMut(&[u8])> {
    buf: [u8; LINE_CAPACITY],
    len: usize,
    /// Part of the current line did not fit.
    truncated: bool,
    /// The current line has content that has not been emitted yet.
    pending: bool,
    lines: usize,
    emit: F,
}

impl<F: FnMut(&[u8])> LineWriter<F> {
    pub fn new(emit: F) -> Self {
        LineWriter { buf: [0; LINE_CAPACITY], len: 0, truncated: false, pending: false, lines: 0, emit }
    }

    /// Emits the last line. Text without a final newline is a line too; so is
    /// empty text, like `pr_info!("")` in C. (By reference, not by value:
    /// moving the 256-byte buffer would cost a copy on every line.)
    pub fn finish(&mut self) {
        if self.pending || self.lines == 0 {
            self.end_line();
        }
    }

    /// Appends text: each newline ends a line. `text` is UTF-8 (a `str`'s
    /// bytes, or pieces of one cut between characters). Not inlined: the
    /// renderer of lowered lines calls it for each piece.
    #[inline(never)]
    pub(crate) fn write_bytes(&mut self, mut text: &[u8]) {
        while let Some(newline) = text.iter().position(|&b| b == b'\n') {
            self.push(&text[..newline]);
            self.end_line();
            text = &text[newline + 1..];
        }
        self.push(text);
    }

    /// Appends text that contains no newline to the current line, each NUL
    /// byte in it as [`NUL_ESCAPE`].
    fn push(&mut self, mut text: &[u8]) {
        while let Some(nul) = text.iter().position(|&b| b == 0) {
            self.push_text(&text[..nul], false);
            self.push_text(NUL_ESCAPE.as_bytes(), true);
            text = &text[nul + 1..];
        }
        self.push_text(text, false);
    }

    /// Appends text without newline or NUL; `whole`: all of it or nothing
    /// (an escape is not cut in two). A cut falls between characters.
    fn push_text(&mut self, text: &[u8], whole: bool) {
        if text.is_empty() {
            return;
        }
        self.pending = true;
        if self.truncated {
            return;
        }
        let room = LINE_CAPACITY - self.len;
        let mut take = text.len().min(room);
        if take < text.len() {
            self.truncated = true;
            if whole {
                take = 0;
            }
            // Not on a UTF-8 continuation byte.
            while take > 0 && text[take] & 0xc0 == 0x80 {
                take -= 1;
            }
        }
        self.buf[self.len..self.len + take].copy_from_slice(&text[..take]);
        self.len += take;
    }

    fn end_line(&mut self) {
        if self.truncated {
            // Make room for the marker without splitting a UTF-8 sequence:
            // step back while the cut would land on a continuation byte.
            let mut cut = self.len.min(LINE_CAPACITY - TRUNCATION_MARKER.len());
            while cut > 0 && cut < self.len && self.buf[cut] & 0xc0 == 0x80 {
                cut -= 1;
            }
            self.buf[cut..cut + TRUNCATION_MARKER.len()].copy_from_slice(TRUNCATION_MARKER.as_bytes());
            self.len = cut + TRUNCATION_MARKER.len();
        }
        (self.emit)(&self.buf[..self.len]);
        self.len = 0;
        self.truncated = false;
        self.pending = false;
        self.lines += 1;
    }
}

impl<F: FnMut(&[u8])> fmt::Write for LineWriter<F> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.write_bytes(text.as_bytes());
        Ok(())
    }
}

/// What a [`LineWriter`] of [`print`] and [`print_rendered`] hands each line
/// to: one `printk` at `level`, with the module-name prefix (module.c).
#[inline(always)]
fn printk_line(level: Level) -> impl FnMut(&[u8]) {
    move |line: &[u8]| {
        // SAFETY: `line` is a valid slice of at most LINE_CAPACITY bytes, so its
        // length fits in a C int; the C side only reads it, during the call.
        unsafe { crate::bindings::rust_helper_printk(level as i32, line.as_ptr().cast(), line.len() as i32) }
    }
}

/// Formats `args` and logs it at `level`, one `printk` per line. Used by the
/// `pr_*!` macros for lines not lowered to a `printk` format ([`lower`]).
pub fn print(level: Level, args: fmt::Arguments<'_>) {
    let mut writer = LineWriter::new(printk_line(level));
    // Writing into a LineWriter cannot fail; a formatting trait implementation
    // that returns an error only cuts its own output short.
    let _ = fmt::Write::write_fmt(&mut writer, args);
    writer.finish();
}

/// Logs a lowered line that `printk` must not be given as it is (a string
/// with a NUL or a newline, a line that may be too long): rendered from its
/// format by [`lower::render`] into the line writer [`print`] uses, which
/// deals with those as for any text.
#[inline(never)]
fn print_rendered(fmt: &[u8], header: usize, args: &[lower::CArg<'_>]) {
    use Level::*;
    let levels = [Emerg, Alert, Crit, Err, Warning, Notice, Info, Debug];
    let level = levels[usize::from(fmt.get(1).map_or(0, |digit| digit & 7))];
    let mut writer = LineWriter::new(printk_line(level));
    lower::render(fmt, header, args, &mut writer);
    writer.finish();
}

#[doc(hidden)]
#[macro_export]
macro_rules! __pr {
    ($level:ident, $($arg:tt)*) => {
        $crate::__lower_pr!([$crate] $level, $($arg)*)
    };
}

/// Logs at `KERN_EMERG`: the system is unusable.
#[macro_export]
macro_rules! pr_emerg { ($($arg:tt)*) => { $crate::__pr!(Emerg, $($arg)*) }; }
/// Logs at `KERN_ALERT`: action must be taken immediately.
#[macro_export]
macro_rules! pr_alert { ($($arg:tt)*) => { $crate::__pr!(Alert, $($arg)*) }; }
/// Logs at `KERN_CRIT`: critical conditions.
#[macro_export]
macro_rules! pr_crit { ($($arg:tt)*) => { $crate::__pr!(Crit, $($arg)*) }; }
/// Logs at `KERN_ERR`: error conditions.
#[macro_export]
macro_rules! pr_err { ($($arg:tt)*) => { $crate::__pr!(Err, $($arg)*) }; }
/// Logs at `KERN_WARNING`: warning conditions.
#[macro_export]
macro_rules! pr_warn { ($($arg:tt)*) => { $crate::__pr!(Warning, $($arg)*) }; }
/// Logs at `KERN_NOTICE`: normal but significant.
#[macro_export]
macro_rules! pr_notice { ($($arg:tt)*) => { $crate::__pr!(Notice, $($arg)*) }; }
/// Logs at `KERN_INFO`: informational.
#[macro_export]
macro_rules! pr_info { ($($arg:tt)*) => { $crate::__pr!(Info, $($arg)*) }; }
/// Logs at `KERN_DEBUG`: debug messages (never compiled out; see above).
#[macro_export]
macro_rules! pr_debug { ($($arg:tt)*) => { $crate::__pr!(Debug, $($arg)*) }; }

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::take_printed;
    use core::fmt::Write;
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// Feeds `pieces` through a LineWriter, as separate write_str calls, and
    /// returns the emitted lines.
    fn lines_of(pieces: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut writer = LineWriter::new(|line: &[u8]| out.push(String::from_utf8(line.to_vec()).unwrap()));
        for piece in pieces {
            writer.write_str(piece).unwrap();
        }
        writer.finish();
        out
    }

    #[test]
    fn text_without_newline_is_one_line() {
        assert_eq!(lines_of(&["hello"]), ["hello"]);
    }

    #[test]
    fn pieces_join_into_one_line() {
        assert_eq!(lines_of(&["a = ", "42", ", b = ", "x"]), ["a = 42, b = x"]);
    }

    #[test]
    fn each_newline_ends_a_line() {
        assert_eq!(lines_of(&["one\ntwo\n", "three"]), ["one", "two", "three"]);
    }

    #[test]
    fn trailing_newline_adds_no_empty_line() {
        assert_eq!(lines_of(&["done\n"]), ["done"]);
    }

    #[test]
    fn blank_lines_are_kept() {
        assert_eq!(lines_of(&["a\n\nb"]), ["a", "", "b"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(lines_of(&[]), [""]);
        assert_eq!(lines_of(&[""]), [""]);
    }

    #[test]
    fn line_of_exactly_capacity_is_not_truncated() {
        let text = "x".repeat(LINE_CAPACITY);
        assert_eq!(lines_of(&[&text]), [text]);
    }

    #[test]
    fn over_long_line_ends_with_marker_and_fits_capacity() {
        let text = "y".repeat(LINE_CAPACITY + 1);
        let lines = lines_of(&[&text]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), LINE_CAPACITY);
        assert!(lines[0].ends_with(TRUNCATION_MARKER));
        assert_eq!(lines[0], "y".repeat(LINE_CAPACITY - TRUNCATION_MARKER.len()) + TRUNCATION_MARKER);
    }

    #[test]
    fn truncation_drops_rest_of_line_only() {
        let long = "z".repeat(LINE_CAPACITY * 3);
        let lines = lines_of(&[&long, "more of the same line", "\nnext line"]);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with(TRUNCATION_MARKER));
        assert_eq!(lines[1], "next line");
    }

    #[test]
    fn truncation_never_splits_a_character() {
        // 'é' is two bytes, '€' three: try every alignment of the cut.
        for pad in 0..4 {
            for ch in ["é", "€", "🦀"] {
                let text = "a".repeat(pad) + &ch.repeat(LINE_CAPACITY);
                let lines = lines_of(&[&text]);
                assert!(lines[0].len() <= LINE_CAPACITY);
                assert!(lines[0].ends_with(TRUNCATION_MARKER), "{pad} {ch}");
            }
        }
    }

    #[test]
    fn pr_info_prints_each_line_at_info_level() {
        take_printed();
        crate::pr_info!("{} + {} = {}\nsecond line", 1, 2, 3);
        assert_eq!(take_printed(), [(6, "1 + 2 = 3".to_string()), (6, "second line".to_string())]);
    }

    #[test]
    fn each_macro_uses_its_level() {
        take_printed();
        crate::pr_emerg!("e");
        crate::pr_alert!("a");
        crate::pr_crit!("c");
        crate::pr_err!("r");
        crate::pr_warn!("w");
        crate::pr_notice!("n");
        crate::pr_info!("i");
        crate::pr_debug!("d");
        let levels: Vec<i32> = take_printed().into_iter().map(|(level, _)| level).collect();
        assert_eq!(levels, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn a_nul_byte_is_logged_as_an_escape_and_the_line_goes_on() {
        take_printed();
        let name = "ab\0cd";
        crate::pr_info!("name={name} id={}", 42);
        assert_eq!(take_printed(), [(6, "name=ab\\x00cd id=42".to_string())]);
    }

    #[test]
    fn nul_bytes_at_the_ends_and_in_a_row_are_each_escaped() {
        assert_eq!(lines_of(&["\0a\0\0b\0", "\0\nc"]), ["\\x00a\\x00\\x00b\\x00\\x00", "c"]);
    }

    #[test]
    fn a_nul_escape_that_does_not_fit_is_not_cut_in_two() {
        // Room for 2 of the escape's 4 bytes: it is left out, and the line
        // ends with the truncation marker, within capacity.
        let text = "x".repeat(LINE_CAPACITY - 2) + "\0";
        let lines = lines_of(&[&text]);
        assert_eq!(lines[0], "x".repeat(LINE_CAPACITY - TRUNCATION_MARKER.len()) + TRUNCATION_MARKER);
        let text = "x".repeat(LINE_CAPACITY - NUL_ESCAPE.len()) + "\0";
        assert_eq!(lines_of(&[&text]), ["x".repeat(LINE_CAPACITY - NUL_ESCAPE.len()) + NUL_ESCAPE]);
    }

    #[test]
    fn percent_signs_are_passed_through_verbatim() {
        take_printed();
        crate::pr_info!("100% sure, %s %d %n");
        assert_eq!(take_printed(), [(6, "100% sure, %s %d %n".to_string())]);
    }
}
