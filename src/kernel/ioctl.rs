// SPDX-License-Identifier: GPL-2.0
//! `ioctl` command numbers: Rust's `_IO`, `_IOR`, `_IOW` and `_IOWR`.
//!
//! An `ioctl(2)` command is a 32-bit number that packs four fields, as the
//! kernel's `include/uapi/asm-generic/ioctl.h` lays them out on x86:
//!
//! ```text
//!  31 30 | 29 ........... 16 | 15 ..... 8 | 7 ....... 0
//!   dir  |       size        |    type    |     nr
//! ```
//!
//! - `dir`: which way the argument's data goes, seen from user space:
//!   [`WRITE`] (the process passes data in), [`READ`] (it gets data back),
//!   both, or [`NONE`] (the argument is a plain number, or unused);
//! - `size`: the size of the argument's data, at most 16383 bytes;
//! - `type`: a byte naming the driver (`Documentation/userspace-api/ioctl/
//!   ioctl-number.rst` lists who uses which);
//! - `nr`: the command's number within the driver.
//!
//! The `const fn`s here build command numbers at compile time, so a Rust
//! driver and a C program that uses the same `_IOWR('r', 3, struct ...)`
//! agree on the number:
//!
//! ```ignore
//! const RUST_IOCTL_ADD: u32 = ioctl::iowr(b'r', 3, size_of::<AddArgs>());
//! ```
//!
//! Pure arithmetic: the unit tests below compare with numbers from the
//! kernel's user-space headers, and the module builds for the host too.

/// No data: `_IOC_NONE`.
pub const NONE: u32 = 0;
/// User space writes, the driver reads: `_IOC_WRITE`.
pub const WRITE: u32 = 1;
/// The driver writes, user space reads: `_IOC_READ`.
pub const READ: u32 = 2;

const NR_BITS: u32 = 8;
const TYPE_BITS: u32 = 8;
const SIZE_BITS: u32 = 14;
const DIR_BITS: u32 = 2;

const NR_SHIFT: u32 = 0;
const TYPE_SHIFT: u32 = NR_SHIFT + NR_BITS;
const SIZE_SHIFT: u32 = TYPE_SHIFT + TYPE_BITS;
const DIR_SHIFT: u32 = SIZE_SHIFT + SIZE_BITS;

/// The largest argument size a command number can carry (16383 bytes).
pub const MAX_SIZE: usize = (1 << SIZE_BITS) - 1;

/// `_IOC(dir, type, nr, size)`: the command number with these fields.
///
/// Panics if `dir` or `size` do not fit their fields; in a `const`, that is
/// a compile-time error.
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    assert!(dir < (1 << DIR_BITS), "ioctl direction out of range");
    assert!(size <= MAX_SIZE, "ioctl argument larger than 16383 bytes");
    (dir << DIR_SHIFT) | ((size as u32) << SIZE_SHIFT) | ((ty as u32) << TYPE_SHIFT) | ((nr as u32) << NR_SHIFT)
}

/// `_IO(type, nr)`: a command without data (the argument, if any, is a
/// plain number).
pub const fn io(ty: u8, nr: u8) -> u32 {
    ioc(NONE, ty, nr, 0)
}

/// `_IOR(type, nr, size)`: the driver writes `size` bytes for user space to
/// read.
pub const fn ior(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(READ, ty, nr, size)
}

/// `_IOW(type, nr, size)`: user space writes `size` bytes for the driver to
/// read.
pub const fn iow(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(WRITE, ty, nr, size)
}

/// `_IOWR(type, nr, size)`: `size` bytes go both ways.
pub const fn iowr(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(READ | WRITE, ty, nr, size)
}

/// `_IOC_DIR(cmd)`: [`NONE`], [`READ`], [`WRITE`] or `READ | WRITE`.
pub const fn dir(cmd: u32) -> u32 {
    (cmd >> DIR_SHIFT) & ((1 << DIR_BITS) - 1)
}

/// `_IOC_TYPE(cmd)`: the driver's type byte.
pub const fn ty(cmd: u32) -> u8 {
    (cmd >> TYPE_SHIFT) as u8
}

/// `_IOC_NR(cmd)`: the command's number within the driver.
pub const fn nr(cmd: u32) -> u8 {
    (cmd >> NR_SHIFT) as u8
}

/// `_IOC_SIZE(cmd)`: the size of the argument's data.
pub const fn size(cmd: u32) -> usize {
    ((cmd >> SIZE_SHIFT) & ((1 << SIZE_BITS) - 1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    // Numbers printed by a C program that includes the uapi headers
    // (<linux/random.h>, <linux/fs.h>, <linux/if_tun.h>,
    // <linux/usbdevice_fs.h>) on x86_64.

    #[test]
    fn io_matches_the_kernel_headers() {
        // RNDZAPENTCNT = _IO('R', 0x04)
        assert_eq!(io(b'R', 0x04), 0x5204);
    }

    #[test]
    fn ior_matches_the_kernel_headers() {
        // RNDGETENTCNT = _IOR('R', 0x00, int)
        assert_eq!(ior(b'R', 0x00, 4), 0x8004_5200);
        // FS_IOC_GETFLAGS = _IOR('f', 1, long)
        assert_eq!(ior(b'f', 1, 8), 0x8008_6601);
        // BLKGETSIZE64 = _IOR(0x12, 114, size_t)
        assert_eq!(ior(0x12, 114, 8), 0x8008_1272);
    }

    #[test]
    fn iow_matches_the_kernel_headers() {
        // RNDADDTOENTCNT = _IOW('R', 0x01, int)
        assert_eq!(iow(b'R', 0x01, 4), 0x4004_5201);
        // TUNSETIFF = _IOW('T', 202, int)
        assert_eq!(iow(b'T', 202, 4), 0x4004_54ca);
        // FICLONERANGE = _IOW(0x94, 13, struct file_clone_range), 32 bytes
        assert_eq!(iow(0x94, 13, 32), 0x4020_940d);
    }

    #[test]
    fn iowr_matches_the_kernel_headers() {
        // USBDEVFS_CONTROL = _IOWR('U', 0, struct usbdevfs_ctrltransfer), 24 bytes
        assert_eq!(iowr(b'U', 0, 24), 0xc018_5500);
        // FIFREEZE = _IOWR('X', 119, int)
        assert_eq!(iowr(b'X', 119, 4), 0xc004_5877);
    }

    #[test]
    fn the_largest_command_sets_every_bit() {
        assert_eq!(iowr(0xff, 0xff, MAX_SIZE), 0xffff_ffff);
    }

    #[test]
    fn fields_come_back_out() {
        let cmd = iowr(b'r', 3, 16);
        assert_eq!(dir(cmd), READ | WRITE);
        assert_eq!(ty(cmd), b'r');
        assert_eq!(nr(cmd), 3);
        assert_eq!(size(cmd), 16);
        assert_eq!(dir(io(b'r', 0)), NONE);
        assert_eq!(size(io(b'r', 0)), 0);
    }

    #[test]
    #[should_panic(expected = "larger than 16383")]
    fn a_too_large_size_is_refused() {
        let too_big = MAX_SIZE + 1;
        iow(b'r', 1, too_big);
    }
}
