// SPDX-License-Identifier: GPL-2.0
//! `ffi-check ROOT [HEADER...]`: writes to stdout the C file that checks the
//! functions the crate at ROOT shares with C against their C declarations,
//! which HEADER... (paths as the C file includes them) and the kernel's
//! headers give. The `#[cfg]` options are read from stdin, one a line, as
//! `rustc --print cfg` writes them. (The Makefile runs it; src/lib.rs says how
//! the check works.)

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((root, headers)) = args.split_first() else {
        eprintln!("usage: ffi-check ROOT [HEADER...] <cfgs");
        return ExitCode::from(2);
    };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("ffi-check: cannot read the cfg options: {e}");
        return ExitCode::FAILURE;
    }
    let mut cfgs = ffi_check::Cfgs::default();
    input.lines().filter(|l| !l.trim().is_empty()).for_each(|l| cfgs.add(l));
    match ffi_check::read_crate(Path::new(root), &cfgs) {
        Ok(shared) => {
            print!("{}", ffi_check::generate(&shared, headers));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
