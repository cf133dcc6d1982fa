// SPDX-License-Identifier: GPL-2.0
//! `pr_*!` lines lowered to `printk` formats at compile time.
//!
//! The `pr_*!` macros hand their format string and arguments to the
//! procedural macro `__lower_pr!` (`src/kernel/macros/`). When every spec in
//! the string is one `printk` formats byte for byte as `core::fmt` does
//! (`{}`, width, `0`, `<` and `>` with a space fill, `+`, `x`, `X`, `o`,
//! `#` but before spaces, and a width and precision on strings, passed as `*`
//! arguments in bytes), it expands to code that
//!
//! 1. asks each argument's type, through [`Probe`], for its [`Arg`]: an
//!    integer of 8 to 64 bits, `usize` or `isize`, a `str` (or `String`) or
//!    a `char`; any other type (`u128`, floats, `Debug`, a type's own
//!    `Display`) is [`NoArg`];
//! 2. builds, in a `const` block, the line's `printk` format from the text
//!    and the types ([`Lowered::new`]): `pr_info!("value {} of {}", i, what)`
//!    with an `i32` and a `&str` becomes `"\x016hello: value %d of
//!    %.*s\n"`, with the module name the build gives the module's crate
//!    (`RUST_KMOD_MODNAME`, see the Makefile), as C's `pr_fmt` puts it; where
//!    there is none (the kernel crate, host tests) `%s: `, for which module.c
//!    passes `KBUILD_MODNAME`; a `%` of the text becomes `%%`;
//!    with a [`NoArg`], or a spec `printk` cannot express for that type, the
//!    format is not built (`ok` is false, known at compile time);
//! 3. at run time ([`Lowered::emit`]), checks what only the run time knows:
//!    no string argument holds a NUL byte or a newline (which
//!    [`print`](super::print) shows as `\x00` or splits into lines), and the
//!    line cannot pass [`LINE_CAPACITY`] bytes (the integers' widest text
//!    plus the strings' lengths), where [`print`](super::print) would cut it
//!    with `[...]`; then calls `rust_helper_printf`, which is one `printk`.
//!    When a check fails, `render` writes the line from the same format
//!    into the line writer of [`print`](super::print), which deals with
//!    those cases as for any text: no `core::fmt` either way.
//!
//! Anything else goes through [`print`](super::print) and `core::fmt`, as
//! every line did before, so the log is the same byte for byte either way
//! (`print/lower_tests.rs` prints a table of values and specs both ways).
//!
//! Integers keep their C type: `hh` for 8 bits, `h` for 16, none for 32,
//! `ll` for 64, `z` for `usize` and `isize` (the sizes are checked at compile
//! time below). Each argument is passed to C as a 64-bit word, sign- or
//! zero-extended, and `printk` reads it with `va_arg` of its own type: on
//! x86-64 and arm64 every variadic integer argument takes a 64-bit register
//! or stack slot, and a narrower type is read from its low bits.

use super::LINE_CAPACITY;
use core::ffi::{c_int, c_longlong, c_schar, c_short, c_uint, c_void};
use core::mem::size_of;

// The C types the length modifiers stand for, and `size_t`, as the Rust
// types this file passes for them.
const _: () = assert!(size_of::<c_schar>() == 1 && size_of::<c_short>() == 2);
const _: () = assert!(size_of::<c_int>() == 4 && size_of::<c_longlong>() == 8);
const _: () = assert!(size_of::<usize>() == size_of::<*const c_void>() && size_of::<usize>() <= size_of::<u64>());

/// The most words one lowered line passes to `printk` (module name aside).
pub const MAX_WORDS: usize = 16;

/// What an argument's type is to `printk`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer of `bytes` bytes (`size_t` and `ssize_t` for `usize`, `isize`).
    Int { signed: bool, bytes: u8, size_t: bool },
    /// A `str`, passed as `%.*s`.
    Str,
    /// Not lowered: the line goes through `core::fmt`.
    No,
}

/// A format spec the macro found lowerable (see `src/kernel/macros/`).
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// b'<', b'>' or 0 (none).
    pub align: u8,
    pub plus: bool,
    /// `#`: the `0x` (`0o`) prefix.
    pub alt: bool,
    pub zero: bool,
    /// 0: none.
    pub width: usize,
    /// -1: none.
    pub precision: i64,
    /// b'd' (`Display`), b'x', b'X' or b'o'.
    pub ty: u8,
}

/// One line's `printk` format, built at compile time.
pub struct Lowered<const N: usize> {
    /// Every conversion of the line has a `printk` form: the line may be
    /// lowered (still subject to the run-time checks of [`Lowered::emit`]).
    pub ok: bool,
    /// The module name is in the format (`"\x016hello: ..."`), not a `%s`.
    named: bool,
    /// The bytes before the line's text: `"\x01"`, the level, the prefix.
    header: usize,
    /// The most bytes the line takes without its string arguments.
    static_len: usize,
    /// NUL-terminated (the bytes after the NUL are unused room).
    fmt: [u8; N],
}

/// Writes a format into a fixed array at compile time.
struct Writer<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Writer<N> {
    const fn byte(&mut self, b: u8) {
        // Out of room is a bug in the macro's arithmetic: a compile error.
        assert!(self.len < N, "lowered format longer than its room");
        self.buf[self.len] = b;
        self.len += 1;
    }

    const fn bytes(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.byte(s[i]);
            i += 1;
        }
    }

    const fn number(&mut self, n: usize) {
        if n >= 10 {
            self.number(n / 10);
        }
        self.byte(b'0' + (n % 10) as u8);
    }
}

/// The most characters `core::fmt` (and `printk`) write for an integer of
/// `bytes` bytes in base `ty`, sign included.
const fn int_digits(bytes: u8, signed: bool, ty: u8) -> usize {
    let bits = bytes as usize * 8;
    match ty {
        b'x' | b'X' => bits / 4,
        b'o' => bits.div_ceil(3),
        _ => match (bytes, signed) {
            (1, true) => 4,   // -128
            (1, false) => 3,  // 255
            (2, true) => 6,   // -32768
            (2, false) => 5,  // 65535
            (4, true) => 11,  // -2147483648
            (4, false) => 10, // 4294967295
            _ => 20,          // -9223372036854775808, 18446744073709551615
        },
    }
}

/// Writes the conversion for `spec` on a `kind`; returns the most bytes it
/// prints (strings: 0, counted at run time), or None when `printk` cannot
/// print it exactly as `core::fmt` does.
const fn conversion<const N: usize>(out: &mut Writer<N>, spec: &Spec, kind: Kind) -> Option<usize> {
    match kind {
        Kind::Int { signed, bytes, size_t } => {
            // printk pads digits to a precision; core::fmt ignores it on integers.
            if spec.precision >= 0 {
                return None;
            }
            // core::fmt gives '+' to every non-negative number, printk only
            // to signed decimal conversions.
            if spec.plus && !(signed && spec.ty == b'd') {
                return None;
            }
            // `#`: core::fmt writes "0x" (also for `X`) or "0o", then pads
            // the digits with zeros up to the width, or spaces after them
            // with '<'; that is the prefix as text, then the conversion with
            // a width 2 less. The prefix before spaces has no printk form.
            // (printk's own '#' and glibc's differ on 0.)
            let mut width = spec.width;
            if spec.alt {
                match spec.ty {
                    b'x' | b'X' => out.bytes(b"0x"),
                    b'o' => out.bytes(b"0o"),
                    _ => return None,
                }
                if width > 0 && !spec.zero && spec.align != b'<' {
                    return None;
                }
                width = width.saturating_sub(2);
            }
            out.byte(b'%');
            // The '0' flag pads after the sign and overrides any alignment,
            // in core::fmt as in printk without '-'.
            if spec.zero && width > 0 {
                out.byte(b'0');
            } else if spec.align == b'<' && width > 0 {
                out.byte(b'-');
            }
            if spec.plus {
                out.byte(b'+');
            }
            if width > 0 {
                out.number(width);
            }
            if size_t {
                out.byte(b'z');
            } else {
                match bytes {
                    1 => out.bytes(b"hh"),
                    2 => out.byte(b'h'),
                    4 => {}
                    _ => out.bytes(b"ll"),
                }
            }
            out.byte(match spec.ty {
                b'd' if signed => b'd',
                b'd' => b'u',
                ty => ty,
            });
            let digits = int_digits(bytes, signed, spec.ty) + if spec.alt { 2 } else { 0 };
            Some(if spec.width > digits { spec.width } else { digits })
        }
        Kind::Str => {
            // Widths and precisions count characters in core::fmt and bytes
            // in printk: both are passed as `*` arguments, turned into bytes
            // at run time (CArg::str). core::fmt aligns strings left by
            // default, printk right.
            if spec.ty != b'd' || spec.plus || spec.zero || spec.alt {
                return None;
            }
            if spec.width == 0 {
                out.bytes(b"%.*s");
            } else if spec.align == b'>' {
                out.bytes(b"%*.*s");
            } else if spec.align == b'<' || spec.align == 0 {
                out.bytes(b"%-*.*s");
            } else {
                return None;
            }
            // The string's bytes are counted at run time; the padding is at
            // most the width.
            Some(spec.width)
        }
        Kind::No => None,
    }
}

impl<const N: usize> Lowered<N> {
    /// The format for a line at `level` (0-7) of the text `pieces` around
    /// conversions `specs` of arguments `kinds`, prefixed with the module's
    /// name (`KBUILD_MODNAME`) when it is known at compile time (`module`),
    /// else with a `%s` the C side fills in.
    pub const fn new(level: u8, module: Option<&str>, pieces: &[&str], specs: &[Spec], kinds: &[Kind]) -> Self {
        let not_lowered = Lowered { ok: false, named: false, header: 0, static_len: 0, fmt: [0; N] };
        let mut out = Writer { buf: [0; N], len: 0 };
        out.bytes(b"\x01");
        out.byte(b'0' + level);
        match module {
            Some(name) => {
                let mut j = 0;
                while j < name.len() {
                    // No '%' in a module name (kbuild makes it of a file
                    // name); should one come, the format stays sound.
                    if name.as_bytes()[j] == b'%' {
                        return not_lowered;
                    }
                    j += 1;
                }
                out.bytes(name.as_bytes());
                out.bytes(b": ");
            }
            None => out.bytes(b"%s: "),
        }
        let header = out.len;
        let mut static_len = 0;
        let mut i = 0;
        while i < pieces.len() {
            let text = pieces[i].as_bytes();
            static_len += text.len();
            let mut j = 0;
            while j < text.len() {
                if text[j] == b'%' {
                    out.byte(b'%');
                }
                out.byte(text[j]);
                j += 1;
            }
            if i < specs.len() {
                match conversion(&mut out, &specs[i], kinds[i]) {
                    Some(most) => static_len += most,
                    None => return not_lowered,
                }
            }
            i += 1;
        }
        out.byte(b'\n');
        out.byte(0);
        Lowered { ok: true, named: module.is_some(), header, static_len, fmt: out.buf }
    }

    /// Logs the line with `args` (one per conversion): through one `printk`
    /// with the format, or, when a run-time check fails, rendered from the
    /// same format by `render` through the line writer of
    /// [`print`](super::print), which escapes a NUL, splits at a newline and
    /// cuts a long line, as it does for text from `core::fmt`.
    #[inline(always)]
    pub fn emit(&self, args: &[CArg<'_>]) {
        emit(&self.fmt, self.header, self.named, self.static_len, args)
    }
}

/// The C words of one conversion, and what the run-time checks need.
#[derive(Clone, Copy)]
pub struct CArg<'a> {
    words: [u64; 3],
    count: usize,
    /// The string printed (empty for an integer).
    text: &'a str,
    /// A NUL or a newline in the string printed.
    bad: bool,
}

impl<'a> CArg<'a> {
    fn word(word: u64) -> Self {
        CArg { words: [word, 0, 0], count: 1, text: "", bad: false }
    }

    /// `%.*s` of `s`, at most `precision` characters of it (-1: all); with
    /// a `width` in characters, `%*.*s` with that width in bytes. Not
    /// inlined: its loops would be copied into every line with a string.
    #[inline(never)]
    fn str(s: &'a str, precision: i64, width: usize) -> Self {
        let take = match usize::try_from(precision) {
            Ok(p) => s.char_indices().nth(p).map_or(s.len(), |(at, _)| at),
            Err(_) => s.len(),
        };
        let text = &s[..take];
        let bad = text.bytes().any(|b| b == 0 || b == b'\n');
        // An empty str's pointer may be dangling (0x1): printk prints
        // "(efault)" for a pointer below PAGE_SIZE, even with a precision of 0.
        let ptr = if take == 0 { c"".as_ptr().cast() } else { text.as_ptr() };
        if width == 0 {
            return CArg { words: [take as u64, ptr as u64, 0], count: 2, text, bad };
        }
        // printk pads to the width in bytes: add the bytes that are not
        // first bytes of a character.
        let extra = text.bytes().filter(|&b| b & 0xc0 == 0x80).count();
        CArg { words: [(width + extra) as u64, take as u64, ptr as u64], count: 3, text, bad }
    }
}

/// The line's words for `printk`, then one `printk`; or, when a string holds
/// a NUL or a newline, or the line may be longer than [`LINE_CAPACITY`], the
/// line rendered in Rust (see [`Lowered::emit`]).
#[inline(never)]
fn emit(fmt: &[u8], header: usize, named: bool, static_len: usize, args: &[CArg<'_>]) {
    let mut words = [0u64; MAX_WORDS];
    let mut len = static_len;
    let mut at = 0;
    for arg in args {
        if arg.bad || at + arg.count > MAX_WORDS {
            return super::print_rendered(fmt, header, args);
        }
        len += arg.text.len();
        // Word by word: copy_from_slice of a length known only here is a
        // call of memcpy, whose `rep movsb` the emulated guest runs slowly
        // (make bench saw it: about 0.1 us a line).
        for (k, word) in arg.words.iter().enumerate().take(arg.count) {
            words[at + k] = *word;
        }
        at += arg.count;
    }
    if len > LINE_CAPACITY {
        return super::print_rendered(fmt, header, args);
    }
    // SAFETY: `fmt` is a NUL-terminated printk format built by Lowered::new,
    // whose conversions consume (after the module name when not `named`,
    // which the C side then passes) the `at` words filled in above, in
    // their order: each integer one word of its type (extended to 64 bits),
    // each `%.*s` a length that fits an int (at most LINE_CAPACITY, checked
    // above) and a pointer to that many readable bytes, borrowed by `args`
    // for this call. The C side only reads them.
    unsafe { crate::bindings::rust_helper_printf(fmt.as_ptr().cast(), words.as_ptr(), at as c_uint, named) };
}

/// One conversion of a lowered format, as lib/vsprintf.c's `format_decode`
/// reads it: `%` `[-+0]*` `[width]` `[.*]` `[hh|h|ll|z]` `[duxXos]`.
pub(crate) struct Conversion {
    pub left: bool,
    pub plus: bool,
    pub zero: bool,
    pub width: usize,
    /// The width is a `*` argument (`%*.*s`).
    pub star_width: bool,
    /// b'd', b'u', b'x', b'X', b'o' or b's' (`%.*s`).
    pub conv: u8,
    /// The integer's size in bytes (8 for `z`).
    pub bytes: u8,
}

impl Conversion {
    /// The conversion after the `%` at `fmt[i - 1]`, and where it ends.
    #[inline(never)]
    pub(crate) fn parse(fmt: &[u8], mut i: usize) -> (Self, usize) {
        let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
        let mut c =
            Conversion { left: false, plus: false, zero: false, width: 0, star_width: false, conv: 0, bytes: 4 };
        loop {
            match at(i) {
                b'-' => c.left = true,
                b'+' => c.plus = true,
                b'0' => c.zero = true,
                _ => break,
            }
            i += 1;
        }
        if at(i) == b'*' {
            c.star_width = true;
            i += 1;
        }
        while at(i).is_ascii_digit() {
            c.width = c.width * 10 + usize::from(at(i) - b'0');
            i += 1;
        }
        if at(i) == b'.' && at(i + 1) == b'*' {
            i += 2;
        }
        match (at(i), at(i + 1)) {
            (b'h', b'h') => (c.bytes, i) = (1, i + 2),
            (b'h', _) => (c.bytes, i) = (2, i + 1),
            (b'l', b'l') => (c.bytes, i) = (8, i + 2),
            (b'z', _) => (c.bytes, i) = (8, i + 1),
            _ => {}
        }
        c.conv = at(i);
        (c, i + 1)
    }

    /// vsnprintf's argument for this integer conversion: the word cut to the
    /// conversion's type and extended to 64 bits, with its sign.
    pub(crate) fn value(&self, word: u64) -> (u64, bool) {
        let signed = self.conv == b'd';
        let value = match (self.bytes, signed) {
            (1, true) => word as i8 as u64,
            (1, false) => word as u8 as u64,
            (2, true) => word as i16 as u64,
            (2, false) => word as u16 as u64,
            (4, true) => word as i32 as u64,
            (4, false) => word as u32 as u64,
            _ => word,
        };
        (value, signed && (value as i64) < 0)
    }

    /// lib/vsprintf.c's `number()` for this conversion of `word`, into
    /// `buf`; returns the length (at most [`NUMBER_ROOM`]).
    #[inline(never)]
    pub(crate) fn number(&self, word: u64, buf: &mut [u8; NUMBER_ROOM]) -> usize {
        let (mut num, negative) = self.value(word);
        let base = match self.conv {
            b'x' | b'X' => 16,
            b'o' => 8,
            _ => 10,
        };
        let sign = if negative {
            num = (num as i64).unsigned_abs();
            b"-" as &[u8]
        } else if self.plus && self.conv == b'd' {
            b"+" as &[u8]
        } else {
            b"" as &[u8]
        };
        let mut digits = [0u8; 22];
        let mut n = 0;
        loop {
            let d = (num % base) as u8;
            digits[n] = match d {
                0..=9 => b'0' + d,
                _ if self.conv == b'X' => b'A' + d - 10,
                _ => b'a' + d - 10,
            };
            n += 1;
            num /= base;
            if num == 0 {
                break;
            }
        }
        let pad = self.width.min(MAX_PAD).saturating_sub(sign.len() + n);
        let mut len = 0;
        let mut put = |b: u8| {
            buf[len] = b;
            len += 1;
        };
        // Spaces before the sign, or zeros after it; '-' pads after.
        let zero = self.zero && !self.left;
        if !self.left && !zero {
            (0..pad).for_each(|_| put(b' '));
        }
        sign.iter().for_each(|&b| put(b));
        if zero {
            (0..pad).for_each(|_| put(b'0'));
        }
        digits[..n].iter().rev().for_each(|&b| put(b));
        if self.left {
            (0..pad).for_each(|_| put(b' '));
        }
        len
    }
}

/// The widest padding [`Conversion::number`] gives (the lowering's widest width).
const MAX_PAD: usize = 64;

/// Room for a number: padding, sign and 22 octal digits.
pub(crate) const NUMBER_ROOM: usize = MAX_PAD + 23;

/// Writes the line of the lowered format `fmt` with `args`, as `printk`
/// would print it but each string whole (a NUL included), without the
/// header and the final newline, into `out`. The text between conversions
/// is the str pieces [`Lowered::new`] copied, cut only at ASCII `%`: UTF-8.
pub(super) fn render<F: FnMut(&[u8])>(fmt: &[u8], header: usize, args: &[CArg<'_>], out: &mut super::LineWriter<F>) {
    let mut args = args.iter();
    let mut i = header;
    let mut text = i;
    let mut buf = [0u8; NUMBER_ROOM];
    while i < fmt.len() && fmt[i] != b'\n' && fmt[i] != 0 {
        if fmt[i] != b'%' {
            i += 1;
            continue;
        }
        // The text before the '%': whole characters, as the format is made
        // of str pieces and ASCII conversions.
        out.write_bytes(&fmt[text..i]);
        if fmt.get(i + 1) == Some(&b'%') {
            text = i + 1;
            i += 2;
            continue;
        }
        let (conversion, next) = Conversion::parse(fmt, i + 1);
        let Some(arg) = args.next() else { return };
        if conversion.conv == b's' {
            // printk's padding: the width in bytes less the bytes printed.
            let pad = if conversion.star_width { (arg.words[0] as usize).saturating_sub(arg.text.len()) } else { 0 };
            let spaces = [b' '; MAX_PAD];
            let spaces = &spaces[..pad.min(spaces.len())];
            if !conversion.left {
                out.write_bytes(spaces);
            }
            out.write_bytes(arg.text.as_bytes());
            if conversion.left {
                out.write_bytes(spaces);
            }
        } else {
            let len = conversion.number(arg.words[0], &mut buf);
            out.write_bytes(&buf[..len]);
        }
        (i, text) = (next, next);
    }
    out.write_bytes(&fmt[text..i]);
}

/// An argument as `printk` takes it (see the module docs).
pub trait Arg {
    /// What the type is to `printk`, for the format built at compile time.
    const KIND: Kind;
    /// The C words for a conversion with `precision` (-1: none).
    fn c_arg(&self, precision: i64, width: usize) -> CArg<'_>;
}

/// Types `printk` formats: the integers up to 64 bits, `str`, `String`, `char`.
pub trait Lowerable {
    type Arg<'a>: Arg
    where
        Self: 'a;
    fn lower(&self) -> Self::Arg<'_>;
}

/// An integer, as a word sign- or zero-extended to 64 bits.
pub struct IntArg<const KIND_SIGNED: bool, const BYTES: u8, const SIZE_T: bool>(u64);

impl<const SIGNED: bool, const BYTES: u8, const SIZE_T: bool> Arg for IntArg<SIGNED, BYTES, SIZE_T> {
    const KIND: Kind = Kind::Int { signed: SIGNED, bytes: BYTES, size_t: SIZE_T };
    fn c_arg(&self, _precision: i64, _width: usize) -> CArg<'_> {
        CArg::word(self.0)
    }
}

macro_rules! lowerable_int {
    ($($t:ty => $signed:literal, $size_t:literal, $wide:ty;)*) => {$(
        impl Lowerable for $t {
            type Arg<'a> = IntArg<$signed, { size_of::<$t>() as u8 }, $size_t>;
            fn lower(&self) -> Self::Arg<'_> {
                IntArg(*self as $wide as u64)
            }
        }
    )*};
}

lowerable_int! {
    i8 => true, false, i64;
    i16 => true, false, i64;
    i32 => true, false, i64;
    i64 => true, false, i64;
    isize => true, true, i64;
    u8 => false, false, u64;
    u16 => false, false, u64;
    u32 => false, false, u64;
    u64 => false, false, u64;
    usize => false, true, u64;
}

/// A string, printed with `%.*s`.
pub struct StrArg<'a>(&'a str);

impl Arg for StrArg<'_> {
    const KIND: Kind = Kind::Str;
    fn c_arg(&self, precision: i64, width: usize) -> CArg<'_> {
        CArg::str(self.0, precision, width)
    }
}

impl Lowerable for str {
    type Arg<'a> = StrArg<'a>;
    fn lower(&self) -> StrArg<'_> {
        StrArg(self)
    }
}

impl Lowerable for alloc::string::String {
    type Arg<'a> = StrArg<'a>;
    fn lower(&self) -> StrArg<'_> {
        StrArg(self)
    }
}

/// A `char`, in UTF-8, printed with `%.*s` (`%c` prints one byte).
pub struct CharArg {
    utf8: [u8; 4],
    len: usize,
}

impl Arg for CharArg {
    const KIND: Kind = Kind::Str;
    fn c_arg(&self, precision: i64, width: usize) -> CArg<'_> {
        // The bytes are a char's encode_utf8 output, always valid UTF-8.
        let s = core::str::from_utf8(&self.utf8[..self.len]).unwrap_or_default();
        CArg::str(s, precision, width)
    }
}

impl Lowerable for char {
    type Arg<'a> = CharArg;
    fn lower(&self) -> CharArg {
        let mut utf8 = [0; 4];
        let len = self.encode_utf8(&mut utf8).len();
        CharArg { utf8, len }
    }
}

impl<T: Lowerable + ?Sized> Lowerable for &T {
    type Arg<'a>
        = T::Arg<'a>
    where
        Self: 'a;
    fn lower(&self) -> Self::Arg<'_> {
        (**self).lower()
    }
}

/// A type `printk` does not format: the line goes through `core::fmt`.
pub struct NoArg;

impl Arg for NoArg {
    const KIND: Kind = Kind::No;
    fn c_arg(&self, _precision: i64, _width: usize) -> CArg<'_> {
        CArg::word(0)
    }
}

/// An argument whose type is being asked about: `(&Probe(&x)).__lower()`
/// finds [`ViaLower`] when `x`'s type is [`Lowerable`] and [`ViaFmt`]
/// otherwise, as method lookup tries `&Probe` before `&&Probe` ("autoref
/// specialisation").
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// The lookup's first choice: the type's own [`Arg`].
pub trait ViaLower {
    type Out: Arg;
    fn __lower(&self) -> Self::Out;
}

impl<'a, T: Lowerable + ?Sized> ViaLower for Probe<'a, T> {
    type Out = T::Arg<'a>;
    fn __lower(&self) -> T::Arg<'a> {
        self.0.lower()
    }
}

/// The lookup's fallback: [`NoArg`].
pub trait ViaFmt {
    fn __lower(&self) -> NoArg;
}

impl<T: ?Sized> ViaFmt for &Probe<'_, T> {
    fn __lower(&self) -> NoArg {
        NoArg
    }
}
