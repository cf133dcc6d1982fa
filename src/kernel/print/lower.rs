// SPDX-License-Identifier: GPL-2.0
//! `pr_*!` lines lowered to `printk` formats at compile time.
//!
//! The `pr_*!` macros hand their format string and arguments to the
//! procedural macro `__lower_pr!` (`src/kernel/macros/`). When every spec in
//! the string is one `printk` formats byte for byte as `core::fmt` does
//! (`{}`, width, `0`, `<` and `>` with a space fill, `+`, `x`, `X`, `o`, and
//! a precision on strings), it expands to code that
//!
//! 1. asks each argument's type, through [`Probe`], for its [`Arg`]: an
//!    integer of 8 to 64 bits, `usize` or `isize`, a `str` (or `String`) or
//!    a `char`; any other type (`u128`, floats, `Debug`, a type's own
//!    `Display`) is [`NoArg`];
//! 2. builds, in a `const` block, the line's `printk` format from the text
//!    and the types ([`Lowered::new`]): `pr_info!("value {} of {}", i, what)`
//!    with an `i32` and a `&str` becomes `"\x016%s: value %d of %.*s\n"`,
//!    the `%s` being the module name (module.c passes `KBUILD_MODNAME`, as
//!    its `pr_fmt` does for [`print`](super::print)), a `%` of the text `%%`;
//!    with a [`NoArg`], or a spec `printk` cannot express for that type, the
//!    format is not built (`ok` is false, known at compile time);
//! 3. at run time ([`Lowered::emit`]), checks what only the run time knows:
//!    no string argument holds a NUL byte or a newline (which
//!    [`print`](super::print) shows as `\x00` or splits into lines), and the
//!    line cannot pass [`LINE_CAPACITY`] bytes (the integers' widest text
//!    plus the strings' lengths), where [`print`](super::print) would cut it
//!    with `[...]`; then calls `rust_helper_printf`, which is one `printk`.
//!
//! Anything else goes through [`print`](super::print) and `core::fmt`, as
//! every line did before, so the log is the same byte for byte either way
//! (`print::tests` formats a table of values and specs both ways).
//!
//! Integers keep their C type: `hh` for 8 bits, `h` for 16, none for 32,
//! `ll` for 64, `z` for `usize` and `isize` (the sizes are checked at compile
//! time below). Each argument is passed to C as a 64-bit word, sign- or
//! zero-extended, and `printk` reads it with `va_arg` of its own type: on
//! x86-64 and arm64 every variadic integer argument takes a 64-bit register
//! or stack slot, and a narrower type is read from its low bits.

use super::LINE_CAPACITY;
use core::ffi::{c_int, c_longlong, c_schar, c_short, c_void};
use core::mem::size_of;

// The C types the length modifiers stand for, and `size_t`, as the Rust
// types this file passes for them.
const _: () = assert!(size_of::<c_schar>() == 1 && size_of::<c_short>() == 2);
const _: () = assert!(size_of::<c_int>() == 4 && size_of::<c_longlong>() == 8);
const _: () = assert!(size_of::<usize>() == size_of::<*const c_void>() && size_of::<usize>() <= size_of::<u64>());

/// The words `rust_helper_printf` passes to `printk` after the module name.
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
            out.byte(b'%');
            // The '0' flag pads after the sign and overrides any alignment,
            // in core::fmt as in printk without '-'.
            if spec.zero && spec.width > 0 {
                out.byte(b'0');
            } else if spec.align == b'<' && spec.width > 0 {
                out.byte(b'-');
            }
            if spec.plus {
                out.byte(b'+');
            }
            if spec.width > 0 {
                out.number(spec.width);
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
            let digits = int_digits(bytes, signed, spec.ty);
            Some(if spec.width > digits { spec.width } else { digits })
        }
        Kind::Str => {
            // Widths count characters in core::fmt and bytes in printk; the
            // precision is turned into bytes at run time (StrArg::c_arg).
            if spec.ty != b'd' || spec.width > 0 || spec.plus || spec.zero {
                return None;
            }
            out.bytes(b"%.*s");
            Some(0)
        }
        Kind::No => None,
    }
}

impl<const N: usize> Lowered<N> {
    /// The format for a line at `level` (0-7) of the text `pieces` around
    /// conversions `specs` of arguments `kinds`.
    pub const fn new(level: u8, pieces: &[&str], specs: &[Spec], kinds: &[Kind]) -> Self {
        let not_lowered = Lowered { ok: false, static_len: 0, fmt: [0; N] };
        let mut out = Writer { buf: [0; N], len: 0 };
        out.bytes(b"\x01");
        out.byte(b'0' + level);
        out.bytes(b"%s: ");
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
        Lowered { ok: true, static_len, fmt: out.buf }
    }

    /// Logs the line with `args` (one per conversion) through one `printk`,
    /// unless a run-time check fails: then returns false, having printed
    /// nothing, and the caller formats the line with `core::fmt`.
    #[inline(always)]
    pub fn emit(&self, args: &[CArg]) -> bool {
        emit(&self.fmt, self.static_len, args)
    }
}

/// The C words of one conversion, and what the run-time checks need.
#[derive(Clone, Copy)]
pub struct CArg {
    words: [u64; 2],
    count: usize,
    /// Bytes of string printed.
    len: usize,
    /// A NUL or a newline in the string printed.
    bad: bool,
}

impl CArg {
    fn word(word: u64) -> Self {
        CArg { words: [word, 0], count: 1, len: 0, bad: false }
    }

    /// `%.*s` of `s`, at most `precision` characters of it (-1: all).
    fn str(s: &str, precision: i64) -> Self {
        let take = match usize::try_from(precision) {
            Ok(p) => s.char_indices().nth(p).map_or(s.len(), |(at, _)| at),
            Err(_) => s.len(),
        };
        let shown = &s.as_bytes()[..take];
        let bad = shown.iter().any(|&b| b == 0 || b == b'\n');
        // An empty str's pointer may be dangling (0x1): printk prints
        // "(efault)" for a pointer below PAGE_SIZE, even with a precision of 0.
        let ptr = if take == 0 { c"".as_ptr().cast() } else { shown.as_ptr() };
        CArg { words: [take as u64, ptr as u64], count: 2, len: take, bad }
    }
}

/// The line's words for `printk`, then one `printk`; false (nothing
/// printed) when a string holds a NUL or a newline, or the line may be
/// longer than [`LINE_CAPACITY`].
#[inline(never)]
fn emit(fmt: &[u8], static_len: usize, args: &[CArg]) -> bool {
    let mut words = [0u64; MAX_WORDS];
    let mut len = static_len;
    let mut at = 0;
    for arg in args {
        if arg.bad || at + arg.count > MAX_WORDS {
            return false;
        }
        len += arg.len;
        words[at..at + arg.count].copy_from_slice(&arg.words[..arg.count]);
        at += arg.count;
    }
    if len > LINE_CAPACITY {
        return false;
    }
    // SAFETY: `fmt` is a NUL-terminated printk format built by Lowered::new,
    // whose conversions consume, after the module name, the words filled in
    // above in their order: each integer one word of its type (extended to
    // 64 bits), each `%.*s` a length that fits an int (at most
    // LINE_CAPACITY, checked above) and a pointer to that many readable
    // bytes, borrowed by `args` for this call. The C side only reads them.
    unsafe { crate::bindings::rust_helper_printf(fmt.as_ptr().cast(), words.as_ptr()) };
    true
}

/// An argument as `printk` takes it (see the module docs).
pub trait Arg {
    /// What the type is to `printk`, for the format built at compile time.
    const KIND: Kind;
    /// The C words for a conversion with `precision` (-1: none).
    fn c_arg(&self, precision: i64) -> CArg;
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
    fn c_arg(&self, _precision: i64) -> CArg {
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
    fn c_arg(&self, precision: i64) -> CArg {
        CArg::str(self.0, precision)
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
    fn c_arg(&self, precision: i64) -> CArg {
        // The bytes are a char's encode_utf8 output, always valid UTF-8.
        let s = core::str::from_utf8(&self.utf8[..self.len]).unwrap_or_default();
        CArg::str(s, precision)
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
    fn c_arg(&self, _precision: i64) -> CArg {
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
