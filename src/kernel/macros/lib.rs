// SPDX-License-Identifier: GPL-2.0
//! The kernel crate's procedural macro: `pr_*!` format strings lowered to
//! `printk` formats at compile time.
//!
//! `kernel::pr_info!("value {} of {}", i, what)` expands to
//! `__lower_pr!([$crate] Info, "value {} of {}", i, what)`, which this crate
//! turns into code that, when every argument's type and format spec have an
//! exact `printk` equivalent, logs the line with ONE call to
//! `rust_helper_printf` and the format `"\x016hello: value %d of %.*s\n"`
//! (the module's name as the build gives it, see `expand_lowered`; `%s: `
//! where it has none); the `%d` or `%u`, its length modifier (`hh`, `h`,
//! none, `ll`, `z`) and `%.*s` are picked from the argument types by the
//! kernel crate (`kernel::print::lower`) in a `const` block, as a macro
//! cannot see types. A line that fails a run-time check (a string argument
//! holding a NUL or a newline, a line that may pass 256 bytes) is rendered
//! from the same format by the kernel crate. Every case decided at compile
//! time (a spec `printk` cannot express, a type it does not know) goes
//! through the `core::fmt` path, `kernel::print::print`, exactly as before.
//!
//! The crate depends on nothing but the compiler's `proc_macro`; it runs on
//! the host, as every procedural macro does, also when the kernel crate is
//! built for the kernel target.

use proc_macro::{Delimiter, Group, Ident, Literal, Spacing, TokenStream, TokenTree};
use std::fmt::Write;

/// The most conversions a lowered line may have: each takes one to three of
/// the sixteen words `rust_helper_printf` passes on (module.c); a line that
/// needs more than sixteen is rendered by the kernel crate instead.
const MAX_CONVERSIONS: usize = 8;

/// The widest width lowered (`{:64}`); wider ones go through `core::fmt`.
const MAX_WIDTH: usize = 64;

/// `__lower_pr!([$crate] Level, "format", args...)`: see the crate docs.
#[proc_macro]
pub fn __lower_pr(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let krate = match tokens.next() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => g.stream(),
        _ => return compile_error("__lower_pr!: expected [$crate] first"),
    };
    let level = match tokens.next() {
        Some(TokenTree::Ident(level)) => level,
        _ => return compile_error("__lower_pr!: expected a level"),
    };
    match tokens.next() {
        Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
        _ => return compile_error("__lower_pr!: expected a comma after the level"),
    }
    let rest: TokenStream = tokens.collect();
    let Some(digit) = level_digit(&level.to_string()) else {
        return compile_error("__lower_pr!: unknown level");
    };
    match lower(&rest) {
        Some(line) => expand_lowered(&krate, &level, digit, &rest, &line),
        None => expand_fallback(&krate, &level, &rest),
    }
}

fn level_digit(level: &str) -> Option<u8> {
    let levels = ["Emerg", "Alert", "Crit", "Err", "Warning", "Notice", "Info", "Debug"];
    levels.iter().position(|l| *l == level).map(|i| i as u8)
}

fn compile_error(message: &str) -> TokenStream {
    format!("::core::compile_error!({message:?})").parse().unwrap()
}

/// One argument given to the macro: `expr` or `name = expr`.
struct Arg {
    name: Option<String>,
    expr: TokenStream,
}

/// What a conversion refers to: an argument slot (explicit arguments first,
/// in order, then the identifiers captured from the format string).
struct Conversion {
    slot: usize,
    spec: Spec,
}

/// The parts of a format spec that `printk` can express.
#[derive(Default)]
struct Spec {
    /// b'<' (left), b'>' (right) or 0 (the type's default).
    align: u8,
    plus: bool,
    /// `#`: the `0x` or `0o` prefix.
    alt: bool,
    zero: bool,
    width: usize,
    /// -1: none.
    precision: i64,
    /// b'd' (`Display`), b'x', b'X' or b'o'.
    ty: u8,
}

/// A format string and arguments that may be lowered.
struct Line {
    /// The literal text around the conversions, unescaped (`{{` is `{`);
    /// one more than there are conversions.
    pieces: Vec<String>,
    conversions: Vec<Conversion>,
    /// Explicit arguments.
    args: Vec<Arg>,
    /// Identifiers captured from the format string (`{count}`).
    captured: Vec<String>,
    /// The format string literal (its span resolves captured identifiers).
    literal: Literal,
}

/// The line, if its format string and arguments can be lowered as far as
/// the macro can tell (the types are checked later, by the kernel crate).
fn lower(rest: &TokenStream) -> Option<Line> {
    let mut parts = split_commas(rest)?;
    if parts.is_empty() {
        return None;
    }
    let first = parts.remove(0);
    let literal = match first.as_slice() {
        [TokenTree::Literal(lit)] => lit.clone(),
        // A literal forwarded by a macro_rules macro (`$fmt:literal`) comes
        // in an invisible group.
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::None => {
            match g.stream().into_iter().collect::<Vec<_>>()[..] {
                [TokenTree::Literal(ref lit)] => lit.clone(),
                _ => return None,
            }
        }
        _ => return None,
    };
    let text = unescape(&literal.to_string())?;
    let mut args = Vec::new();
    for part in parts {
        // `name = expr` (a lone `=`, not `==`).
        let named = match part.as_slice() {
            [TokenTree::Ident(name), TokenTree::Punct(eq), _, ..]
                if eq.as_char() == '=' && eq.spacing() == Spacing::Alone =>
            {
                Some(name.to_string())
            }
            _ => None,
        };
        let expr: Vec<TokenTree> = part.into_iter().skip(if named.is_some() { 2 } else { 0 }).collect();
        args.push(Arg { name: named, expr: expr.into_iter().collect() });
    }
    let (pieces, refs) = parse_format(&text)?;
    if refs.len() > MAX_CONVERSIONS {
        return None;
    }
    // Newlines: only one, ending the text, which adds no line.
    let mut pieces = pieces;
    let last = pieces.last_mut()?;
    if last.ends_with('\n') {
        last.pop();
    }
    if pieces.iter().any(|p| p.contains('\n') || p.contains('\0')) {
        return None;
    }
    let mut captured: Vec<String> = Vec::new();
    let mut conversions = Vec::new();
    let mut next = 0;
    for (arg, spec) in refs {
        let slot = match arg {
            ArgRef::Next => {
                next += 1;
                next - 1
            }
            ArgRef::Index(i) => i,
            ArgRef::Name(name) => match args.iter().position(|a| a.name.as_deref() == Some(&name)) {
                Some(i) => i,
                None => {
                    let i = match captured.iter().position(|c| *c == name) {
                        Some(i) => i,
                        None => {
                            captured.push(name);
                            captured.len() - 1
                        }
                    };
                    args.len() + i
                }
            },
        };
        // An argument that does not exist is format_args!'s error to report.
        if slot >= args.len() + captured.len() {
            return None;
        }
        conversions.push(Conversion { slot, spec });
    }
    Some(Line { pieces, conversions, args, captured, literal })
}

/// Splits at top-level commas. None when an argument holds `<` or `|` (a
/// generic argument list or a closure may hold a comma of its own).
fn split_commas(stream: &TokenStream) -> Option<Vec<Vec<TokenTree>>> {
    let mut parts = vec![Vec::new()];
    for tree in stream.clone() {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(Vec::new()),
            TokenTree::Punct(p) if p.as_char() == '<' || p.as_char() == '|' => return None,
            _ => parts.last_mut().unwrap().push(tree),
        }
    }
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(parts)
}

/// The value of a string literal token, or None for anything else (byte
/// strings, C strings, an escape this does not know).
fn unescape(token: &str) -> Option<String> {
    if let Some(raw) = token.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes..raw.len() - hashes)?;
        return Some(body.strip_prefix('"')?.strip_suffix('"')?.to_string());
    }
    let body = token.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '0' => out.push('\0'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'x' => {
                let hex: String = [chars.next()?, chars.next()?].iter().collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let mut hex = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        '_' => {}
                        h => hex.push(h),
                    }
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            '\n' => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

enum ArgRef {
    Next,
    Index(usize),
    Name(String),
}

/// Splits a format string into literal pieces and conversions; None for a
/// spec `printk` cannot express exactly (or a malformed string, which
/// format_args! then reports).
/// Literal pieces, and each conversion's argument and spec.
type Parsed = (Vec<String>, Vec<(ArgRef, Spec)>);

fn parse_format(text: &str) -> Option<Parsed> {
    let mut pieces = vec![String::new()];
    let mut refs = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                pieces.last_mut().unwrap().push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                pieces.last_mut().unwrap().push('}');
            }
            '}' => return None,
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => inner.push(c),
                    }
                }
                let (arg, spec) = match inner.split_once(':') {
                    Some((arg, spec)) => (arg, parse_spec(spec)?),
                    None => (inner.as_str(), Spec { precision: -1, ty: b'd', ..Spec::default() }),
                };
                let arg = arg.trim();
                let arg = if arg.is_empty() {
                    ArgRef::Next
                } else if let Ok(i) = arg.parse() {
                    ArgRef::Index(i)
                } else if arg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    ArgRef::Name(arg.to_string())
                } else {
                    return None;
                };
                refs.push((arg, spec));
                pieces.push(String::new());
            }
            c => pieces.last_mut().unwrap().push(c),
        }
    }
    Some((pieces, refs))
}

/// `[[fill]align][sign]['#']['0'][width]['.' precision][type]`, for the
/// subset that `printk` formats byte for byte as `core::fmt` does.
fn parse_spec(spec: &str) -> Option<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut out = Spec { precision: -1, ty: b'd', ..Spec::default() };
    let is_align = |c: char| matches!(c, '<' | '^' | '>');
    if chars.len() >= 2 && is_align(chars[1]) {
        // An explicit fill: only a space is what printk pads with.
        if chars[0] != ' ' {
            return None;
        }
        i = 1;
    }
    if i < chars.len() && is_align(chars[i]) {
        match chars[i] {
            '<' => out.align = b'<',
            '>' => out.align = b'>',
            _ => return None, // centred: printk has no such thing
        }
        i += 1;
    }
    match chars.get(i) {
        Some('+') => {
            out.plus = true;
            i += 1;
        }
        Some('-') => return None,
        _ => {}
    }
    if chars.get(i) == Some(&'#') {
        out.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        out.zero = true;
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    if i > start {
        out.width = chars[start..i].iter().collect::<String>().parse().ok()?;
        if out.width > MAX_WIDTH || chars.get(i) == Some(&'$') {
            return None;
        }
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start || chars.get(i) == Some(&'$') {
            return None; // `.*`, `.name$`
        }
        out.precision = chars[start..i].iter().collect::<String>().parse().ok()?;
    }
    out.ty = match &chars[i..] {
        [] => b'd',
        ['x'] => b'x',
        ['X'] => b'X',
        ['o'] => b'o',
        _ => return None,
    };
    Some(out)
}

/// `print::print(level, format_args!(...))`: today's path, untouched.
fn expand_fallback(krate: &TokenStream, level: &Ident, rest: &TokenStream) -> TokenStream {
    let code = format!("__KRATE__::print::print(__KRATE__::print::Level::{level}, ::core::format_args!(__REST__))");
    substitute(code.parse().unwrap(), krate, &[], rest, None)
}

/// The most bytes the printk conversion for `spec` takes in the format: a
/// `0x` prefix, `%`, two flags, the width (or `*`), `.*`, a length modifier
/// of two and the letter.
fn conversion_room(spec: &Spec) -> usize {
    2 + 1 + 2 + spec.width.to_string().len() + 2 + 2 + 1
}

fn expand_lowered(krate: &TokenStream, level: &Ident, digit: u8, rest: &TokenStream, line: &Line) -> TokenStream {
    let slots = line.args.len() + line.captured.len();
    // The format: "\x01" level, "%s: ", the text with '%' doubled and the
    // conversions, "\n", NUL.
    let text: usize = line.pieces.iter().map(|p| p.len() + p.matches('%').count()).sum();
    let room = 2 + 4 + text + line.conversions.iter().map(|c| conversion_room(&c.spec)).sum::<usize>() + 2;
    let mut code = String::new();
    let tuple_exprs: Vec<String> = (0..slots).map(|s| format!("&(__ARG{s}__)")).collect();
    let bindings: Vec<String> = (0..slots).map(|s| format!("__a{s}")).collect();
    // `(a,)`: a one-element tuple; `()` when there is no argument.
    let tuple = |items: &[String]| if items.is_empty() { "()".to_string() } else { format!("({},)", items.join(", ")) };
    let _ = write!(code, "match {} {{ {} => {{", tuple(&tuple_exprs), tuple(&bindings));
    code.push_str("#[allow(unused_imports)] use __KRATE__::print::lower::{ViaLower as _, ViaFmt as _};");
    for s in 0..slots {
        let _ = write!(code, "let __k{s} = (&__KRATE__::print::lower::Probe(__a{s})).__lower();");
    }
    let generics: Vec<String> = (0..slots).map(|s| format!("__K{s}: __KRATE__::print::lower::Arg")).collect();
    let params: Vec<String> = (0..slots).map(|s| format!("_: &__K{s}")).collect();
    let pieces: Vec<String> = line.pieces.iter().map(|p| format!("{p:?}")).collect();
    let specs: Vec<String> = line.conversions.iter().map(|c| spec_code(&c.spec)).collect();
    let kinds: Vec<String> = line.conversions.iter().map(|c| format!("__K{}::KIND", c.slot)).collect();
    // The module's name goes into the format as C's pr_fmt() puts it there,
    // in the module's own crate: the Makefile sets RUST_KMOD_MODNAME to
    // KBUILD_MODNAME and RUST_KMOD_CRATE to the crate it builds the module
    // from. Elsewhere (the crates it depends on, which other modules share;
    // host tests) the C side passes the name for a `%s`. Whether this crate
    // is the module's is decided here, once per crate and build; the name
    // itself is read by `option_env!`, which makes cargo rebuild the crate
    // when it changes. The format's room grows by the name's length.
    let own = std::env::var("RUST_KMOD_CRATE").ok();
    let modname = if own.is_some() && std::env::var("CARGO_CRATE_NAME").ok() == own {
        "::core::option_env!(\"RUST_KMOD_MODNAME\")"
    } else {
        "::core::option::Option::None"
    };
    let _ = write!(
        code,
        "const __MODNAME: ::core::option::Option<&str> = {modname}; \
         const __ROOM: usize = {room} + match __MODNAME {{ ::core::option::Option::Some(name) => name.len(), ::core::option::Option::None => 0 }};"
    );
    let _ = write!(
        code,
        "#[inline(always)] #[allow(clippy::too_many_arguments)] fn __lowered<{}>({}) -> &'static __KRATE__::print::lower::Lowered<__ROOM> {{ \
         const {{ &__KRATE__::print::lower::Lowered::<__ROOM>::new({digit}, __MODNAME, &[{}], &[{}], &[{}]) }} }}",
        generics.join(", "),
        params.join(", "),
        pieces.join(", "),
        specs.join(", "),
        kinds.join(", "),
    );
    let refs: Vec<String> = (0..slots).map(|s| format!("&__k{s}")).collect();
    let _ = write!(code, "let __l = __lowered({});", refs.join(", "));
    let c_args: Vec<String> = line
        .conversions
        .iter()
        // Called as a path, not a method: `__k`'s type may still be an
        // integer whose type only the default (`i32`) decides, which a
        // method call would need to know now ("type annotations needed").
        .map(|c| format!("__KRATE__::print::lower::Arg::c_arg(&__k{}, {}, {})", c.slot, c.spec.precision, c.spec.width))
        .collect();
    let _ = write!(code, "if __l.ok {{ __l.emit(&[{}]) }} else {{", c_args.join(", "));
    // The fallback: the literal and the explicit arguments, each evaluated
    // once above; captured identifiers format_args! captures itself.
    let mut fmt_args = String::from("__LITERAL__");
    for (s, arg) in line.args.iter().enumerate() {
        match &arg.name {
            Some(name) => {
                let _ = write!(fmt_args, ", {name} = *__a{s}");
            }
            None => {
                let _ = write!(fmt_args, ", *__a{s}");
            }
        }
    }
    let _ = write!(
        code,
        "__KRATE__::print::print(__KRATE__::print::Level::{level}, ::core::format_args!({fmt_args})); }} }} }}"
    );
    let mut exprs: Vec<TokenStream> = line.args.iter().map(|a| a.expr.clone()).collect();
    for name in &line.captured {
        exprs.push(TokenStream::from(TokenTree::Ident(Ident::new(name, line.literal.span()))));
    }
    substitute(code.parse().unwrap(), krate, &exprs, rest, Some(&line.literal))
}

fn spec_code(spec: &Spec) -> String {
    format!(
        "__KRATE__::print::lower::Spec {{ align: {}, plus: {}, alt: {}, zero: {}, width: {}, precision: {}, ty: {} }}",
        spec.align, spec.plus, spec.alt, spec.zero, spec.width, spec.precision, spec.ty
    )
}

/// Replaces the placeholders of generated code: `__KRATE__` by the kernel
/// crate's path, `__ARG<n>__` by the n-th argument expression, `__REST__` by
/// the macro's arguments and `__LITERAL__` by the format string literal, all
/// with their own spans.
fn substitute(
    code: TokenStream,
    krate: &TokenStream,
    exprs: &[TokenStream],
    rest: &TokenStream,
    literal: Option<&Literal>,
) -> TokenStream {
    let mut out = TokenStream::new();
    for tree in code {
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                if name == "__KRATE__" {
                    out.extend(krate.clone());
                } else if name == "__REST__" {
                    out.extend(rest.clone());
                } else if name == "__LITERAL__" {
                    out.extend([TokenTree::Literal(literal.unwrap().clone())]);
                } else if let Some(n) = name.strip_prefix("__ARG").and_then(|n| n.strip_suffix("__")) {
                    let expr = exprs[n.parse::<usize>().unwrap()].clone();
                    out.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, expr))]);
                } else {
                    out.extend([TokenTree::Ident(ident)]);
                }
            }
            TokenTree::Group(group) => {
                let inner = substitute(group.stream(), krate, exprs, rest, literal);
                let mut new = Group::new(group.delimiter(), inner);
                new.set_span(group.span());
                out.extend([TokenTree::Group(new)]);
            }
            other => out.extend([other]),
        }
    }
    out
}
