// SPDX-License-Identifier: GPL-2.0
//! Kernel error codes as a Rust `Result`.
//!
//! Inside Rust an error is a value of [`Error`], carried with `?`. It becomes
//! the kernel's negative-errno convention only at the C boundary, through
//! [`Error::to_errno`].

use core::ffi::c_int;
use core::fmt;

/// A kernel error code: a positive errno value such as `EINVAL`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(c_int);

/// The result type of fallible kernel code.
pub type Result<T = ()> = core::result::Result<T, Error>;

/// Errno values, from the kernel's `include/uapi/asm-generic/errno-base.h` and
/// `errno.h` (user-space ABI: they never change).
pub mod code {
    use super::Error;

    macro_rules! codes {
        ($($name:ident = $value:literal, $doc:literal;)*) => {
            $(#[doc = $doc] pub const $name: Error = Error($value);)*

            /// The name of a known code, such as `"EINVAL"`.
            pub(super) fn name(err: Error) -> Option<&'static str> {
                match err.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        };
    }

    codes! {
        EPERM = 1, "Operation not permitted.";
        ENOENT = 2, "No such file or directory.";
        EINTR = 4, "Interrupted system call.";
        EIO = 5, "I/O error.";
        E2BIG = 7, "Argument list too long.";
        EAGAIN = 11, "Try again.";
        ENOMEM = 12, "Out of memory.";
        EFAULT = 14, "Bad address.";
        EBUSY = 16, "Device or resource busy.";
        EEXIST = 17, "File exists.";
        ENODEV = 19, "No such device.";
        EINVAL = 22, "Invalid argument.";
        ENOTTY = 25, "Inappropriate ioctl for device.";
        ENOSPC = 28, "No space left on device.";
        ESPIPE = 29, "Illegal seek.";
        ERANGE = 34, "Result out of range.";
        EDEADLK = 35, "Resource deadlock would occur (here: a sleeping call in atomic context, refused).";
        ENOSYS = 38, "Invalid system call number.";
        EOVERFLOW = 75, "Value too large for defined data type.";
        EOPNOTSUPP = 95, "Operation not supported.";
        ETIMEDOUT = 110, "Connection timed out.";
        ERESTARTSYS = 512, "Interrupted by a signal; the system call restarts (kernel-internal).";
    }
}

impl Error {
    /// The error C reported as `-errno` (or `errno`). Anything that is not an
    /// errno value (0, or beyond the kernel's MAX_ERRNO of 4095) is reported as
    /// `EINVAL`, so an `Error` always holds a real code.
    pub fn from_errno(errno: c_int) -> Error {
        match errno.checked_abs() {
            Some(code @ 1..=4095) => Error(code),
            _ => code::EINVAL,
        }
    }

    /// The value C expects from a failing kernel function: `-errno`.
    pub fn to_errno(self) -> c_int {
        -self.0
    }
}

/// A C return value, as `Result`: negative is `-errno`, anything else success.
pub fn to_result(ret: c_int) -> Result<c_int> {
    if ret < 0 {
        Err(Error::from_errno(ret))
    } else {
        Ok(ret)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match code::name(*self) {
            Some(name) => f.write_str(name),
            None => write!(f, "Error({})", self.0),
        }
    }
}

/// A failed `try_reserve` (of `Vec`, `String`, ...) is out of memory.
impl From<alloc::collections::TryReserveError> for Error {
    fn from(_: alloc::collections::TryReserveError) -> Self {
        code::ENOMEM
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::vec::Vec;

    #[test]
    fn to_errno_is_negative_errno() {
        assert_eq!(code::EINVAL.to_errno(), -22);
        assert_eq!(code::ENOMEM.to_errno(), -12);
    }

    #[test]
    fn negative_c_returns_become_errors_and_others_success() {
        assert_eq!(to_result(-22), Err(code::EINVAL));
        assert_eq!(to_result(-12), Err(code::ENOMEM));
        assert_eq!(to_result(0), Ok(0));
        assert_eq!(to_result(7), Ok(7));
        assert_eq!(Error::from_errno(c_int::MIN), code::EINVAL);
        assert_eq!(Error::from_errno(-5000), code::EINVAL);
    }

    #[test]
    fn debug_names_known_codes_and_numbers_others() {
        assert_eq!(format!("{:?}", code::ENOTTY), "ENOTTY");
        assert_eq!(format!("{:?}", Error(200)), "Error(200)");
    }

    #[test]
    fn failed_try_reserve_is_enomem() {
        let err = Vec::<u64>::new().try_reserve(usize::MAX).unwrap_err();
        assert_eq!(Error::from(err), code::ENOMEM);
    }
}
