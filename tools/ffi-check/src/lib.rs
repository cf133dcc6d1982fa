// SPDX-License-Identifier: GPL-2.0
//! ffi-check: the declarations a module's Rust shares with C, checked by the
//! C compiler against the C ones, on the kernel the module is built for.
//!
//! The Makefile runs it (`src/main.rs`) on the module's crate root. It reads
//! the crate's sources, following `mod` declarations, and collects:
//!
//! - every function of an `extern "C"` block: a kernel function, or one of the
//!   module's own C functions (`c/*.c`), that Rust calls;
//! - every `#[no_mangle] extern "C" fn`: a Rust function the module's own C
//!   calls.
//!
//! For each it writes two lines of C, which kbuild compiles with the kernel's
//! headers and the module's own (`c/*.h`) and the kernel's flags:
//!
//! ```c
//! _Static_assert(__builtin_types_compatible_p(__typeof__(&f), u32 (*)(u32)), "src/lib.rs:12: ...");
//! u32 f(u32); /* src/lib.rs:12 */
//! ```
//!
//! The assertion fails, naming the Rust declaration, when the C declaration
//! has another type; the redeclaration then makes gcc show the C declaration
//! and where it is. A function no header declares is an error too ("'f'
//! undeclared"), on the line that names the Rust declaration.
//!
//! Rust types are mapped to C by name (`u32` is `u32`, `c_ulong` is `unsigned
//! long`, `*mut T` is `T *`, a struct `foo` is `struct foo`): see [`c_type`].
//! Items under `#[cfg(...)]` are kept or dropped as rustc would, given the
//! `--cfg` options the module is built with.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, ForeignItem, Item, Meta, ReturnType, Type};

/// Which side defines the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Declared in an `extern "C"` block: defined in C (the kernel, or the
    /// module's own C), called from Rust.
    C,
    /// A `#[no_mangle] extern "C" fn`: defined in Rust, called from C.
    Rust,
}

/// One function both languages name, with its type in C's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// The symbol: the Rust name, or its `link_name` / `export_name`.
    pub name: String,
    /// Where Rust declares it: `path:line`.
    pub at: String,
    pub side: Side,
    /// The C return type (`void` for none).
    pub ret: String,
    /// The C parameter types.
    pub params: Vec<String>,
    /// Ends in `...` (a C variadic function).
    pub variadic: bool,
}

impl Decl {
    /// The function's type as a C pointer type: `u32 (*)(u32, ...)`.
    pub fn pointer_type(&self) -> String {
        format!("{} (*)({})", self.ret, self.param_list())
    }

    /// The function's type as C writes it: `u32 (u32, ...)`.
    pub fn function_type(&self) -> String {
        format!("{} ({})", self.ret, self.param_list())
    }

    fn param_list(&self) -> String {
        let mut list = self.params.join(", ");
        if self.variadic {
            list.push_str(if list.is_empty() { "..." } else { ", ..." });
        }
        if list.is_empty() {
            list.push_str("void");
        }
        list
    }
}

/// A `#[repr(C)]` struct of the crate that a shared function's type names
/// (through pointers too): Rust's view of the C struct of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The C struct's tag, the Rust type's name.
    pub name: String,
    /// Where Rust defines it: `path:line`.
    pub at: String,
    /// Each field: its name, its C type, and where Rust declares it.
    pub fields: Vec<(String, String, String)>,
}

/// What the crate shares with C.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shared {
    pub decls: Vec<Decl>,
    pub layouts: Vec<Layout>,
}

/// An error, with the place in the Rust sources it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The configuration options rustc builds the module with, for `#[cfg]`:
/// `name` or `name="value"`, as in `rustc --print cfg` and `--cfg`.
#[derive(Debug, Clone, Default)]
pub struct Cfgs(BTreeSet<(String, Option<String>)>);

impl Cfgs {
    /// Adds one option, written as rustc prints it: `unix`, `target_os="none"`.
    pub fn add(&mut self, spec: &str) {
        let spec = spec.trim();
        match spec.split_once('=') {
            Some((name, value)) => {
                let value = value.trim().trim_matches('"').to_string();
                self.0.insert((name.trim().to_string(), Some(value)));
            }
            None => {
                self.0.insert((spec.to_string(), None));
            }
        }
    }

    fn has(&self, name: &str, value: Option<&str>) -> bool {
        self.0.contains(&(name.to_string(), value.map(str::to_string)))
    }

    /// Evaluates a `cfg(...)` predicate.
    fn eval(&self, meta: &Meta) -> Result<bool, String> {
        match meta {
            Meta::Path(path) => Ok(self.has(&path_name(path), None)),
            Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => {
                    Ok(self.has(&path_name(&nv.path), Some(&s.value())))
                }
                _ => Err("a cfg value that is not a string".into()),
            },
            Meta::List(list) => {
                let args = list
                    .parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)
                    .map_err(|e| e.to_string())?;
                let values = args.iter().map(|m| self.eval(m)).collect::<Result<Vec<_>, _>>()?;
                match path_name(&list.path).as_str() {
                    "all" => Ok(values.iter().all(|v| *v)),
                    "any" => Ok(values.iter().any(|v| *v)),
                    "not" if values.len() == 1 => Ok(!values[0]),
                    other => Err(format!("unknown cfg predicate `{other}`")),
                }
            }
        }
    }
}

fn path_name(path: &syn::Path) -> String {
    path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::")
}

/// The crate's sources, read from its root on.
struct Reader<'a> {
    cfgs: &'a Cfgs,
    decls: Vec<Decl>,
    /// `type Name = T;` anywhere in the crate, by name (for [`c_type`]).
    aliases: BTreeMap<String, Type>,
    /// Functions whose types wait for the aliases: (file, item, side).
    pending: Vec<(PathBuf, Pending)>,
    /// `#[repr(C)]` structs with named fields, by name.
    structs: BTreeMap<String, (PathBuf, syn::ItemStruct)>,
}

enum Pending {
    Foreign(syn::ForeignItemFn),
    Export(String, syn::Signature),
}

/// Reads the crate whose root is `root` (`src/lib.rs`) and returns the
/// functions it shares with C, in the order of the sources, and the layouts
/// of the structs their types name.
pub fn read_crate(root: &Path, cfgs: &Cfgs) -> Result<Shared, Error> {
    let mut reader =
        Reader { cfgs, decls: Vec::new(), aliases: BTreeMap::new(), pending: Vec::new(), structs: BTreeMap::new() };
    let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
    reader.file(root, &dir)?;
    let pending = std::mem::take(&mut reader.pending);
    for (file, item) in pending {
        let decl = match item {
            Pending::Foreign(f) => {
                let name = attr_string(&f.attrs, "link_name").unwrap_or_else(|| f.sig.ident.to_string());
                reader.decl(&file, name, Side::C, &f.sig)?
            }
            Pending::Export(name, sig) => reader.decl(&file, name, Side::Rust, &sig)?,
        };
        reader.decls.push(decl);
    }
    // The structs the functions' types name, and those their fields name.
    let mut names: Vec<String> = Vec::new();
    for d in &reader.decls {
        for ty in d.params.iter().chain([&d.ret]) {
            struct_names(ty, &mut names);
        }
    }
    let mut layouts = Vec::new();
    let mut done = BTreeSet::new();
    while let Some(name) = names.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(layout) = reader.layout(&name)? {
            for (_, ty, _) in &layout.fields {
                struct_names(ty, &mut names);
            }
            layouts.push(layout);
        }
    }
    layouts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Shared { decls: reader.decls, layouts })
}

/// Adds the tags of the `struct <tag>` in a C type to `names`.
fn struct_names(ty: &str, names: &mut Vec<String>) {
    let mut rest = ty;
    while let Some(i) = rest.find("struct ") {
        rest = &rest[i + "struct ".len()..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        names.push(rest[..end].to_string());
        rest = &rest[end..];
    }
}

fn at(file: &Path, span: Span) -> String {
    format!("{}:{}", file.display(), span.start().line)
}

impl Reader<'_> {
    /// One source file; `dir` is where the files of its `mod x;` are.
    fn file(&mut self, path: &Path, dir: &Path) -> Result<(), Error> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error(format!("{}: cannot read it: {e}", path.display())))?;
        let file =
            syn::parse_file(&text).map_err(|e| Error(format!("{}: cannot parse it: {e}", at(path, e.span()))))?;
        self.items(path, dir, &file.items)
    }

    fn enabled(&self, file: &Path, attrs: &[Attribute]) -> Result<bool, Error> {
        for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
            let meta: Meta = attr
                .parse_args()
                .map_err(|e| Error(format!("{}: cannot read this cfg: {e}", at(file, attr.span()))))?;
            if !self.cfgs.eval(&meta).map_err(|e| Error(format!("{}: {e}", at(file, attr.span()))))? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn items(&mut self, file: &Path, dir: &Path, items: &[Item]) -> Result<(), Error> {
        for item in items {
            match item {
                Item::ForeignMod(block) if self.enabled(file, &block.attrs)? => {
                    let abi = block.abi.name.as_ref().map(|n| n.value());
                    if !matches!(abi.as_deref(), None | Some("C")) {
                        continue;
                    }
                    for item in &block.items {
                        if let ForeignItem::Fn(f) = item {
                            if self.enabled(file, &f.attrs)? {
                                self.pending.push((file.to_path_buf(), Pending::Foreign(f.clone())));
                            }
                        }
                    }
                }
                Item::Fn(f) if self.enabled(file, &f.attrs)? => {
                    let c_abi =
                        f.sig.abi.as_ref().is_some_and(|abi| {
                            matches!(abi.name.as_ref().map(|n| n.value()).as_deref(), None | Some("C"))
                        });
                    let name = if has_attr(&f.attrs, "no_mangle") {
                        Some(f.sig.ident.to_string())
                    } else {
                        attr_string(&f.attrs, "export_name")
                    };
                    if let (true, Some(name)) = (c_abi, name) {
                        self.pending.push((file.to_path_buf(), Pending::Export(name, f.sig.clone())));
                    }
                }
                Item::Struct(st) if self.enabled(file, &st.attrs)? && is_repr_c(&st.attrs) => {
                    if let syn::Fields::Named(_) = st.fields {
                        self.structs.insert(st.ident.to_string(), (file.to_path_buf(), st.clone()));
                    }
                }
                Item::Type(t) if self.enabled(file, &t.attrs)? => {
                    self.aliases.insert(t.ident.to_string(), (*t.ty).clone());
                }
                Item::Mod(m) if self.enabled(file, &m.attrs)? => {
                    let name = m.ident.to_string();
                    match &m.content {
                        Some((_, items)) => self.items(file, &dir.join(&name), items)?,
                        None => {
                            let (path, sub) = match attr_string(&m.attrs, "path") {
                                Some(p) => {
                                    let base = file.parent().unwrap_or(Path::new("."));
                                    let path = base.join(p);
                                    let sub = path.with_extension("");
                                    (path, sub)
                                }
                                None => {
                                    let flat = dir.join(format!("{name}.rs"));
                                    if flat.exists() {
                                        (flat, dir.join(&name))
                                    } else {
                                        (dir.join(&name).join("mod.rs"), dir.join(&name))
                                    }
                                }
                            };
                            self.file(&path, &sub)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The layout of the crate's `#[repr(C)]` struct `name`; none for a
    /// struct defined elsewhere, or opaque (a field `[T; 0]`, as in
    /// `struct foo { _data: [u8; 0] }`), which C checks only by its name.
    fn layout(&self, name: &str) -> Result<Option<Layout>, Error> {
        let Some((file, st)) = self.structs.get(name) else { return Ok(None) };
        let mut fields = Vec::new();
        for field in &st.fields {
            if let Type::Array(a) = &field.ty {
                if matches!(&a.len, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) if n.base10_digits() == "0")
                {
                    return Ok(None);
                }
            }
            let at = at(file, field.span());
            let field_name = field.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
            let ty = c_type(&field.ty, &self.aliases)
                .map_err(|e| Error(format!("{at}: struct {name}, field {field_name}: {e}")))?;
            fields.push((field_name, ty, at));
        }
        Ok(Some(Layout { name: name.to_string(), at: at(file, st.ident.span()), fields }))
    }

    fn decl(&self, file: &Path, name: String, side: Side, sig: &syn::Signature) -> Result<Decl, Error> {
        let at = at(file, sig.ident.span());
        let ty = |t: &Type| c_type(t, &self.aliases).map_err(|e| Error(format!("{at}: {name}: {e}")));
        let ret = match &sig.output {
            ReturnType::Default => "void".to_string(),
            ReturnType::Type(_, t) => ty(t)?,
        };
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                FnArg::Typed(p) => params.push(ty(&p.ty)?),
                FnArg::Receiver(_) => return Err(Error(format!("{at}: {name}: a method has no C type"))),
            }
        }
        Ok(Decl { name, at, side, ret, params, variadic: sig.variadic.is_some() })
    }
}

/// `#[repr(C)]`, alone or with others (`#[repr(C, align(8))]`).
fn is_repr_c(attrs: &[Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("repr")).any(|a| {
        a.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)
            .is_ok_and(|list| list.iter().any(|m| m.path().is_ident("C")))
    })
}

/// `#[name]` or `#[unsafe(name)]`.
fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident(name)
            || (a.path().is_ident("unsafe") && a.parse_args::<syn::Path>().is_ok_and(|p| p.is_ident(name)))
    })
}

/// The string of `#[name = "..."]` or `#[unsafe(name = "...")]`.
fn attr_string(attrs: &[Attribute], name: &str) -> Option<String> {
    attrs.iter().find_map(|a| {
        let nv = match &a.meta {
            Meta::NameValue(nv) => nv.clone(),
            Meta::List(list) if list.path.is_ident("unsafe") => list.parse_args().ok()?,
            _ => return None,
        };
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if nv.path.is_ident(name) => Some(s.value()),
            _ => None,
        }
    })
}

/// The C type a Rust type of an `extern "C"` signature stands for:
///
/// | Rust | C |
/// | --- | --- |
/// | `u8` ... `u64`, `i8` ... `i64` | `u8` ... `u64`, `s8` ... `s64` (`<linux/types.h>`) |
/// | `usize`, `isize` | `size_t`, `ssize_t` |
/// | `bool` | `bool` |
/// | `c_char`, `c_int`, `c_ulong`... (`core::ffi`) | `char`, `int`, `unsigned long`... |
/// | `*mut T`, `&mut T`, `NonNull<T>` | `T *` |
/// | `*const T`, `&T` | `const T *` |
/// | `*mut c_void` | `void *` |
/// | `extern "C" fn(A) -> R`, or in an `Option` | `R (*)(A)` |
/// | `Option<&T>`, `Option<NonNull<T>>` ... | `T *` ... |
/// | another name `foo` | `struct foo` (the Rust type is named as the C struct) |
/// | a `type` alias of the crate | what it stands for |
///
/// `u64` is `unsigned long long` and `c_ulong` `unsigned long`: the same size,
/// but different types in C, so a declaration must say which one C has.
pub fn c_type(ty: &Type, aliases: &BTreeMap<String, Type>) -> Result<String, String> {
    c_type_depth(ty, aliases, 0)
}

fn c_type_depth(ty: &Type, aliases: &BTreeMap<String, Type>, depth: usize) -> Result<String, String> {
    if depth > 32 {
        return Err("a type alias that refers to itself".into());
    }
    let inner = |t: &Type| c_type_depth(t, aliases, depth + 1);
    // "const T *", or "T * const *" where T is itself a pointer.
    let pointer = |t: &Type, constant: bool| -> Result<String, String> {
        let pointee = inner(t)?;
        Ok(match (constant, pointee.ends_with('*')) {
            (false, _) => format!("{pointee} *"),
            (true, true) => format!("{pointee} const *"),
            (true, false) => format!("const {pointee} *"),
        })
    };
    match ty {
        Type::Paren(p) => inner(&p.elem),
        Type::Group(g) => inner(&g.elem),
        Type::Ptr(p) => pointer(&p.elem, p.const_token.is_some()),
        Type::Reference(r) => pointer(&r.elem, r.mutability.is_none()),
        Type::Tuple(t) if t.elems.is_empty() => Ok("void".into()),
        Type::Array(a) => match &a.len {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => {
                Ok(format!("__typeof__({}[{}])", inner(&a.elem)?, n.base10_digits()))
            }
            _ => Err("an array whose length is not a number has no C type here".into()),
        },
        Type::Never(_) => Ok("void".into()),
        Type::BareFn(f) => {
            if !matches!(f.abi.as_ref().and_then(|a| a.name.as_ref()).map(|n| n.value()).as_deref(), Some("C")) {
                return Err("a function pointer that is not extern \"C\"".into());
            }
            let ret = match &f.output {
                ReturnType::Default => "void".to_string(),
                ReturnType::Type(_, t) => inner(t)?,
            };
            let mut params = f.inputs.iter().map(|a| inner(&a.ty)).collect::<Result<Vec<_>, _>>()?;
            if f.variadic.is_some() {
                params.push("...".into());
            }
            let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
            Ok(format!("__typeof__({ret} (*)({params}))"))
        }
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last().ok_or("an empty path")?;
            let name = last.ident.to_string();
            let generic = match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                },
                syn::PathArguments::None => None,
                _ => return Err(format!("`{name}` with these arguments has no C type")),
            };
            if let Some(arg) = generic {
                return match name.as_str() {
                    // Option<fn>, Option<&T>, Option<NonNull<T>>: a pointer that may be NULL.
                    "Option" => match arg {
                        Type::BareFn(_) | Type::Reference(_) => inner(arg),
                        Type::Path(q) if q.path.segments.last().is_some_and(|s| s.ident == "NonNull") => inner(arg),
                        _ => Err("an Option of anything but a pointer, a reference or a function has no C type".into()),
                    },
                    "NonNull" => pointer(arg, false),
                    _ => Err(format!("the generic type `{name}<...>` has no C type")),
                };
            }
            if p.path.segments.len() == 1 {
                if let Some(t) = aliases.get(&name) {
                    return inner(t);
                }
            }
            Ok(match name.as_str() {
                "u8" | "u16" | "u32" | "u64" => name,
                "i8" | "i16" | "i32" | "i64" => format!("s{}", &name[1..]),
                "usize" | "c_size_t" => "size_t".into(),
                "isize" | "c_ssize_t" | "c_ptrdiff_t" => "ssize_t".into(),
                "bool" => "bool".into(),
                "c_void" => "void".into(),
                "c_char" => "char".into(),
                "c_schar" => "signed char".into(),
                "c_uchar" => "unsigned char".into(),
                "c_short" => "short".into(),
                "c_ushort" => "unsigned short".into(),
                "c_int" => "int".into(),
                "c_uint" => "unsigned int".into(),
                "c_long" => "long".into(),
                "c_ulong" => "unsigned long".into(),
                "c_longlong" => "long long".into(),
                "c_ulonglong" => "unsigned long long".into(),
                "f32" | "f64" | "c_float" | "c_double" => {
                    return Err(format!("`{name}`: kernel code does not pass floating point"))
                }
                "u128" | "i128" | "char" | "str" | "Self" => return Err(format!("`{name}` has no C type")),
                _ => format!("struct {name}"),
            })
        }
        _ => Err("this type has no C type (write a pointer, an integer or a C type of core::ffi)".into()),
    }
}

/// The C file that checks what the crate shares with C against the C
/// declarations in `headers` (included in that order, after `<linux/types.h>`).
pub fn generate(shared: &Shared, headers: &[String]) -> String {
    let decls = &shared.decls;
    let mut out = String::new();
    out.push_str(
        "// SPDX-License-Identifier: GPL-2.0\n\
         /*\n \
         * Written by tools/ffi-check from the module's Rust sources: each function\n \
         * Rust shares with C, checked against its C declaration (docs/build.md,\n \
         * \"Your own C\"). Nothing here ends up in the module's code.\n \
         */\n\
         #include <linux/types.h>\n",
    );
    for h in headers {
        let _ = writeln!(out, "#include \"{h}\"");
    }
    // The Makefile reads this line: the symbols the Rust object must keep global.
    let exports: String = decls.iter().filter(|d| d.side == Side::Rust).map(|d| format!(" {}", d.name)).collect();
    let _ = writeln!(out, "/* Rust exports:{exports} */");
    // A struct: the same size as one with Rust's fields, and each field of the
    // same type at the same offset.
    for l in &shared.layouts {
        let fields: String = l.fields.iter().map(|(f, ty, _)| format!(" __typeof__({ty}) {f};")).collect();
        let rust = format!("struct {{{fields} }}");
        let _ = writeln!(
            out,
            "\n_Static_assert(sizeof(struct {name}) == sizeof({rust}), \
             \"{at}: the Rust struct {name} does not have the size of the C struct\");",
            name = l.name,
            at = quoted(&l.at),
        );
        for (f, ty, at) in &l.fields {
            let _ = writeln!(
                out,
                "_Static_assert(__builtin_types_compatible_p(__typeof__(((struct {name} *)0)->{f}), {ty}) && \
                 __builtin_offsetof(struct {name}, {f}) == __builtin_offsetof({rust}, {f}), \
                 \"{at}: field {f} of the Rust struct {name}, {ty}, does not match the C field\");",
                name = l.name,
                at = quoted(at),
            );
        }
    }
    for d in decls {
        let (what, whose) = match d.side {
            Side::C => ("Rust declaration of", "its C declaration (c/*.h, and the kernel headers they include)"),
            Side::Rust => ("Rust function", "its C declaration (c/*.h)"),
        };
        let _ = writeln!(
            out,
            "\n_Static_assert(__builtin_types_compatible_p(__typeof__(&{name}), {ptr}), \
             \"{at}: the {what} {name}, {ty}, does not match {whose}\");\n\
             {ret} {name}({params}); /* {at} */",
            name = d.name,
            ptr = d.pointer_type(),
            at = quoted(&d.at),
            ty = d.function_type(),
            ret = d.ret,
            params = d.param_list(),
        );
    }
    out
}

/// A path, fit for a C string.
fn quoted(at: &str) -> String {
    at.replace('\\', "/").replace('"', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Result<String, String> {
        c_type(&syn::parse_str(src).unwrap(), &BTreeMap::new())
    }

    /// Each Rust type of `pairs` maps to its C type.
    fn assert_maps(pairs: &[(&str, &str)]) {
        for (rust, c) in pairs {
            assert_eq!(ty(rust).as_deref(), Ok(*c), "{rust}");
        }
    }

    #[test]
    fn integers_map_to_the_kernel_s_fixed_size_types_and_c_int_to_int() {
        assert_maps(&[
            ("u32", "u32"),
            ("i64", "s64"),
            ("usize", "size_t"),
            ("core::ffi::c_int", "int"),
            ("c_ulong", "unsigned long"),
        ]);
    }

    #[test]
    fn const_pointers_put_const_on_the_pointee_and_inner_pointers() {
        assert_maps(&[
            ("*const c_char", "const char *"),
            ("*mut c_void", "void *"),
            ("*const *mut c_char", "char * const *"),
            ("&mut timespec64", "struct timespec64 *"),
        ]);
    }

    #[test]
    fn function_pointers_and_nullable_pointers_map_to_c_pointers() {
        assert_maps(&[
            ("Option<unsafe extern \"C\" fn(*mut c_void) -> c_int>", "__typeof__(int (*)(void *))"),
            ("Option<NonNull<ctl_table>>", "struct ctl_table *"),
        ]);
    }

    #[test]
    fn types_c_cannot_carry_are_refused_with_a_reason() {
        assert!(ty("f64").unwrap_err().contains("floating point"));
        assert!(ty("Option<u32>").is_err());
        assert!(ty("&[u8]").is_err());
        assert!(ty("(u8, u32)").is_err());
        assert!(ty("fn(u32)").unwrap_err().contains("extern \"C\""));
    }

    fn shared(src: &str, cfgs: &[&str]) -> Result<Shared, Error> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ffi-check-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let root = dir.join("lib.rs");
        std::fs::write(&root, src).unwrap();
        let mut c = Cfgs::default();
        for s in cfgs {
            c.add(s);
        }
        let result = read_crate(&root, &c);
        std::fs::remove_dir_all(&dir).unwrap();
        result
    }

    #[test]
    fn reads_extern_blocks_exports_and_aliases_with_their_lines_and_skips_rust_abi_functions() {
        let d = shared(
            "type ktime_t = i64;\n\
             extern \"C\" {\n    fn crc32_le(crc: u32, p: *const u8, len: usize) -> u32;\n\
             #[link_name = \"_printk\"]\n    fn printk(fmt: *const c_char, ...) -> c_int;\n\
             fn ktime_get() -> ktime_t;\n}\n\
             #[no_mangle]\npub extern \"C\" fn rust_double(x: u32) -> u32 { x * 2 }\n\
             pub extern \"C\" fn not_exported() {}\n\
             #[unsafe(no_mangle)]\npub extern \"C\" fn unsafe_attr() {}\n\
             #[export_name = \"exported_as\"]\npub extern \"C\" fn renamed() {}\n\
             #[no_mangle]\npub fn rust_abi() {}\n\
             mod inner {\n    extern \"C\" { fn in_inline_mod(); }\n}\n",
            &[],
        )
        .unwrap()
        .decls;
        let names: Vec<_> = d.iter().map(|d| (d.name.as_str(), d.side)).collect();
        assert_eq!(
            names,
            [
                ("crc32_le", Side::C),
                ("_printk", Side::C),
                ("ktime_get", Side::C),
                ("rust_double", Side::Rust),
                ("unsafe_attr", Side::Rust),
                ("exported_as", Side::Rust),
                ("in_inline_mod", Side::C),
            ]
        );
        assert_eq!(d[0].pointer_type(), "u32 (*)(u32, const u8 *, size_t)");
        assert_eq!(d[1].pointer_type(), "int (*)(const char *, ...)");
        assert_eq!(d[2].pointer_type(), "s64 (*)(void)");
        assert!(d[0].at.ends_with("lib.rs:3"), "{}", d[0].at);
        assert!(d[3].at.ends_with("lib.rs:9"), "{}", d[3].at);
    }

    #[test]
    fn follows_mod_declarations_into_their_files_as_rustc_does() {
        let dir = std::env::temp_dir().join(format!("ffi-check-test-{}-mods", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join("other")).unwrap();
        std::fs::write(dir.join("lib.rs"), "mod sub;\nmod other;\n#[cfg(never)]\nmod missing;\n").unwrap();
        std::fs::write(dir.join("sub.rs"), "mod deeper;\n").unwrap();
        std::fs::write(dir.join("sub/deeper.rs"), "extern \"C\" { fn from_deeper(); }\n").unwrap();
        std::fs::write(dir.join("other/mod.rs"), "\nextern \"C\" { fn from_mod_rs(); }\n").unwrap();
        let result = read_crate(&dir.join("lib.rs"), &Cfgs::default());
        std::fs::remove_dir_all(&dir).unwrap();
        let d = result.unwrap().decls;
        let found: Vec<_> = d.iter().map(|d| (d.name.as_str(), d.at.rsplit_once('/').unwrap().1.to_string())).collect();
        assert_eq!(found, [("from_deeper", "deeper.rs:1".to_string()), ("from_mod_rs", "mod.rs:2".to_string())]);
    }

    #[test]
    fn items_under_a_false_cfg_are_left_out() {
        let src = "#[cfg(wrong)]\nextern \"C\" { fn a() -> u64; }\n\
                   #[cfg(not(wrong))]\nextern \"C\" { fn a() -> u32; }\n\
                   #[cfg(all(target_arch = \"x86_64\", any(wrong, test)))]\nextern \"C\" { fn b(); }\n";
        let d = shared(src, &["target_arch=\"x86_64\""]).unwrap().decls;
        assert_eq!(d.iter().map(|d| d.ret.as_str()).collect::<Vec<_>>(), ["u32"]);
        let d = shared(src, &["wrong", "target_arch=\"x86_64\""]).unwrap().decls;
        assert_eq!(
            d.iter().map(|d| (d.name.as_str(), d.ret.as_str())).collect::<Vec<_>>(),
            [("a", "u64"), ("b", "void")]
        );
    }

    #[test]
    fn repr_c_structs_a_function_names_are_checked_field_by_field_and_opaque_ones_are_not() {
        let s = shared(
            "#[repr(C)]\npub struct timespec64 {\n    tv_sec: i64,\n    tv_nsec: c_long,\n}\n\
             #[repr(C)]\npub struct wrapper { ts: timespec64, name: [u8; 16], opaque: *mut dev }\n\
             #[repr(C)]\npub struct dev { _data: [u8; 0] }\n\
             #[repr(C)]\npub struct unused { x: u32 }\n\
             extern \"C\" { fn f(w: *mut wrapper); }\n",
            &[],
        )
        .unwrap();
        let names: Vec<_> = s.layouts.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["timespec64", "wrapper"]);
        let ts = &s.layouts[0];
        assert_eq!(ts.fields[1].0, "tv_nsec");
        assert_eq!(ts.fields[1].1, "long");
        assert!(ts.fields[1].2.ends_with("lib.rs:4"), "{}", ts.fields[1].2);
        assert_eq!(s.layouts[1].fields[1].1, "__typeof__(u8[16])");
        let c = generate(&s, &[]);
        assert!(c.contains(
            "_Static_assert(sizeof(struct timespec64) == sizeof(struct { __typeof__(s64) tv_sec; __typeof__(long) tv_nsec; }),"
        ));
        assert!(c.contains("__builtin_offsetof(struct timespec64, tv_nsec) == "));
    }

    #[test]
    fn an_unmappable_parameter_is_an_error_naming_the_function_and_line() {
        let e = shared("extern \"C\" {\n    fn f(x: f64);\n}\n", &[]).unwrap_err();
        assert!(e.0.contains("lib.rs:2: f: `f64`"), "{e}");
    }

    #[test]
    fn generated_check_names_the_rust_declaration_in_its_message() {
        let d = Decl {
            name: "get_random_u32".into(),
            at: "src/lib.rs:7".into(),
            side: Side::C,
            ret: "u32".into(),
            params: vec![],
            variadic: false,
        };
        let c = generate(&Shared { decls: vec![d], layouts: vec![] }, &["c/my.h".into()]);
        assert!(c.contains("#include \"c/my.h\""));
        assert!(c.contains(
            "_Static_assert(__builtin_types_compatible_p(__typeof__(&get_random_u32), u32 (*)(void)), \
             \"src/lib.rs:7: the Rust declaration of get_random_u32, u32 (void), does not match its C declaration (c/*.h, and the kernel headers they include)\");"
        ));
        assert!(c.contains("u32 get_random_u32(void); /* src/lib.rs:7 */"));
        assert!(c.contains("/* Rust exports: */"));
    }
}
