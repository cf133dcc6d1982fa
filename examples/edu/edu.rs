// SPDX-License-Identifier: GPL-2.0
//! rust_edu: a PCI driver for QEMU's `edu` device (`-device edu`, vendor
//! 0x1234, device 0x11e8), a device made for teaching driver writing. It
//! maps the device's registers, takes its interrupts (MSI, or INTx with
//! `intx=1`), and moves data with its DMA engine; user space drives it
//! through `/dev/rust_edu`:
//!
//! ```text
//! # modinfo -F alias rust_edu
//! pci:v00001234d000011E8sv*sd*bc*sc*i*
//! # modprobe $(cat /sys/bus/pci/devices/0000:00:02.0/modalias)
//! rust_edu: 0000:00:02.0: edu version 1.0, liveness ok, MSI, IRQ 24
//! rust_edu: driver registered
//! # ls /sys/bus/pci/drivers/rust_edu/
//! 0000:00:02.0  module        remove_id     unbind
//! bind          new_id        uevent
//! # /edu_ctl id live:0x12345678 fact:10 irqs   # examples/edu/edu_ctl.c
//! id=0x010000ed
//! live=0xedcba987
//! fact=3628800
//! irqs=1
//! # head -c 4095 /dev/urandom >/tmp/a; cat /tmp/a >/dev/rust_edu; cmp /tmp/a /dev/rust_edu
//! # grep rust_edu /proc/interrupts
//!  24:          0          3   PCI-MSI 32768-edge      rust_edu
//! ```
//!
//! The device (QEMU's `docs/specs/edu.rst`, `hw/misc/edu.c`) has, in BAR 0:
//! an identification register (0x00, `0xRRrr00ed`: major, minor version), a
//! liveness register that reads back the bitwise inverse of what was written
//! (0x04), a factorial unit (write n to 0x08, read n! there when it is done;
//! bit 7 of the status register 0x20 asks for interrupt 0x1 then), interrupt
//! status (0x24), raise (0x60) and acknowledge (0x64) registers, and a DMA
//! engine (source 0x80, destination 0x88, count 0x90, command 0x98) that
//! copies between memory and a 4 KiB buffer inside the device at 0x40000,
//! raising interrupt 0x100 when done. It addresses 28 bits of memory.
//!
//! What user space sees:
//!
//! - `ioctl(EDU_IOC_ID)`: the identification register; `EDU_IOC_LIVENESS`:
//!   writes a value to the liveness register and returns what it reads back;
//!   `EDU_IOC_FACTORIAL`: n! as the device computes it (32 bits, wrapping),
//!   the caller asleep until the device's interrupt says it is done;
//!   `EDU_IOC_IRQS`: how many interrupts the driver has handled.
//! - `write(2)` at offset o (below 4095): the bytes go into a coherent DMA
//!   buffer and the device copies them into its own buffer at o; `read(2)`
//!   has the device copy its buffer into a kernel buffer lent to it for the
//!   transfer (a streaming mapping), then copies that to the caller. The file is 4095 bytes
//!   long (see `BUFFER_SIZE`): writing at its end fails with `ENOSPC`,
//!   reading there returns end of file.
//! - One factorial and one DMA run at a time (a mutex each); a signal while
//!   waiting returns `EINTR` (the system call is restarted), a device that
//!   does not answer within 5 s `ETIMEDOUT`. After the device is unbound,
//!   files still open get `ENODEV`.

#![no_std]

use core::mem::size_of;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use kernel::completion::{WaitQueue, WaitResult};
use kernel::dma::{CoherentBuffer, DeviceBuffer, Direction, StreamingMapping};
use kernel::ioctl::{ior, iowr};
use kernel::irq::{self, HardIrq, IrqReturn};
use kernel::miscdev::{File, FileOperations, MiscDevice, SeekFrom};
use kernel::pci::{self, Bar, IrqKinds};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::uaccess::{IoctlArg, UserSliceReader, UserSliceWriter};

module! {
    type: EduModule,
    author: "Rust kernel module template",
    description: "PCI driver for QEMU's edu device: MMIO, MSI/INTx interrupts and DMA",
    params: {
        intx: bool = false, 0o444, "Use the legacy INTx interrupt instead of MSI",
    },
}

/// The registers this driver uses: the first 256 bytes of BAR 0.
const REGS_SIZE: usize = 0x100;
type Regs = Bar<REGS_SIZE>;

const ID: usize = 0x00;
const LIVENESS: usize = 0x04;
const FACTORIAL: usize = 0x08;
const STATUS: usize = 0x20;
const IRQ_STATUS: usize = 0x24;
const IRQ_ACK: usize = 0x64;
const DMA_SRC: usize = 0x80;
const DMA_DST: usize = 0x88;
const DMA_COUNT: usize = 0x90;
const DMA_CMD: usize = 0x98;

/// STATUS: the factorial unit is busy; raise `IRQ_FACTORIAL` when done.
const STATUS_COMPUTING: u32 = 0x01;
const STATUS_IRQ_FACTORIAL: u32 = 0x80;
/// Interrupt status bits: the factorial is done, the DMA is done.
const IRQ_FACTORIAL: u32 = 0x001;
const IRQ_DMA: u32 = 0x100;
/// DMA_CMD: start (reads 1 while running), device to memory, interrupt.
const DMA_START: u32 = 0x1;
const DMA_FROM_DEVICE: u32 = 0x2;
const DMA_IRQ: u32 = 0x4;
/// The device's DMA buffer: its address on the device side, and how much
/// of its 4096 bytes this driver uses. QEMU 7.2's edu (Debian 12's) refuses
/// a transfer that ends at the buffer's last byte (an off-by-one in
/// edu_check_range(), fixed in QEMU 8.0), and refusing means hw_error():
/// the whole virtual machine aborts. So the last byte is left alone.
const DEVICE_BUFFER: u32 = 0x40000;
const BUFFER_SIZE: usize = 4095;
/// The device drives 28 address bits.
const DMA_MASK_BITS: u32 = 28;
/// How long to wait for the device, in milliseconds (TCG is slow).
const TIMEOUT_MS: u32 = 5000;

/// The ioctl commands, as C's `_IOR('E', 1, __u32)` etc. give them.
const EDU_IOC_ID: u32 = ior(b'E', 1, size_of::<u32>());
const EDU_IOC_LIVENESS: u32 = iowr(b'E', 2, size_of::<u32>());
const EDU_IOC_FACTORIAL: u32 = iowr(b'E', 3, size_of::<u32>());
const EDU_IOC_IRQS: u32 = ior(b'E', 4, size_of::<u64>());

/// What the hard-IRQ half may touch: the registers, the interrupt bits it
/// acknowledged and not yet handed on, and the count of interrupts.
type HardState = (Arc<Regs>, Arc<AtomicU32>, Arc<AtomicU64>);

/// The memory DMA transfers go through, under `Shared::dma`'s lock.
struct Dma {
    /// Writes go through this coherent buffer.
    coherent: CoherentBuffer,
    /// A read's streaming mapping whose transfer a signal interrupted: kept
    /// until the transfer is over, so the device never writes freed memory.
    in_flight: Option<StreamingMapping<DeviceBuffer>>,
}

/// The device's state, shared by the driver, the threaded interrupt
/// handler and every open file.
struct Shared {
    regs: Arc<Regs>,
    /// Set by the hard half, taken by the threaded half.
    raised: Arc<AtomicU32>,
    /// Interrupts handled by the hard half.
    irqs: Arc<AtomicU64>,
    /// Interrupt bits the threaded half has seen and waiters not yet taken.
    done: AtomicU32,
    /// Woken by the threaded half.
    waiters: WaitQueue,
    /// One factorial at a time: the device has one unit.
    factorial: Mutex<()>,
    /// One DMA transfer at a time. Emptied by remove: DMA memory must be
    /// freed while the driver is bound, not when the last open file goes
    /// (an unbind takes down the device's DMA setup: on 6.1's arm64, behind
    /// an IOMMU, a later free goes to the direct-mapping code and oopses).
    dma: Mutex<Option<Dma>>,
    /// For the streaming mappings.
    dev: pci::Device,
    /// Set by remove: the files still open fail with ENODEV.
    removed: AtomicBool,
}

impl Shared {
    fn check_present(&self) -> Result {
        if self.removed.load(Ordering::Acquire) {
            return Err(ENODEV);
        }
        Ok(())
    }

    /// Sleeps until `ready()`, woken by the interrupt thread: no polling.
    fn wait_for(&self, ready: impl FnMut() -> bool) -> Result {
        match self.waiters.wait_interruptible_timeout(TIMEOUT_MS, ready)? {
            WaitResult::Ready => Ok(()),
            WaitResult::TimedOut => Err(ETIMEDOUT),
        }
    }

    fn factorial(&self, n: u32) -> Result<u32> {
        self.check_present()?;
        let _unit = self.factorial.lock_interruptible()?;
        // A computation left running by a caller a signal interrupted
        // would swallow this one's write: let it finish (its interrupt
        // wakes us).
        self.wait_for(|| self.regs.read32::<STATUS>() & STATUS_COMPUTING == 0)?;
        self.done.fetch_and(!IRQ_FACTORIAL, Ordering::AcqRel);
        self.regs.write32::<STATUS>(STATUS_IRQ_FACTORIAL);
        self.regs.write32::<FACTORIAL>(n);
        self.wait_for(|| {
            self.done.load(Ordering::Acquire) & IRQ_FACTORIAL != 0
                && self.regs.read32::<STATUS>() & STATUS_COMPUTING == 0
        })?;
        Ok(self.regs.read32::<FACTORIAL>())
    }

    /// One DMA transfer of `len` bytes between memory at DMA address `ram`
    /// and the device's buffer at `offset`; the caller holds `dma`'s lock.
    fn dma(&self, dma: &mut Dma, ram: u64, offset: usize, len: usize, from_device: bool) -> Result {
        // A transfer left running (its caller got a signal) ignores new
        // commands: let it finish, then free its memory.
        self.wait_for(|| self.regs.read32::<DMA_CMD>() & DMA_START == 0)?;
        dma.in_flight = None;
        // The mask is 28 bits, so the bus address fits the 32-bit write
        // (edu stores a 32-bit write to 0x80/0x88 as the whole address).
        let ram = u32::try_from(ram).map_err(|_| EIO)?;
        let device = DEVICE_BUFFER + offset as u32;
        let (src, dst) = if from_device { (device, ram) } else { (ram, device) };
        self.done.fetch_and(!IRQ_DMA, Ordering::AcqRel);
        self.regs.write32::<DMA_SRC>(src);
        self.regs.write32::<DMA_DST>(dst);
        self.regs.write32::<DMA_COUNT>(len as u32);
        let direction = if from_device { DMA_FROM_DEVICE } else { 0 };
        self.regs.write32::<DMA_CMD>(DMA_START | direction | DMA_IRQ);
        self.wait_for(|| {
            self.done.load(Ordering::Acquire) & IRQ_DMA != 0 && self.regs.read32::<DMA_CMD>() & DMA_START == 0
        })
    }
}

/// The interrupt handler: the hard half acknowledges, the thread wakes.
struct EduIrq {
    shared: Arc<Shared>,
}

impl irq::Handler for EduIrq {
    type Hard = HardState;

    fn handle_irq(ctx: &HardIrq<'_, HardState>) -> IrqReturn {
        let (regs, raised, irqs) = ctx.state();
        let status = regs.read32::<IRQ_STATUS>();
        if status == 0 {
            return IrqReturn::None; // not ours (a shared INTx line)
        }
        regs.write32::<IRQ_ACK>(status);
        raised.fetch_or(status, Ordering::AcqRel);
        irqs.fetch_add(1, Ordering::Relaxed);
        IrqReturn::WakeThread
    }

    fn handle_threaded(&self, _irq: u32) -> IrqReturn {
        let bits = self.shared.raised.swap(0, Ordering::AcqRel);
        self.shared.done.fetch_or(bits, Ordering::AcqRel);
        self.shared.waiters.wake_up_all();
        IrqReturn::Handled
    }
}

/// `/dev/rust_edu`'s state.
struct EduFile {
    shared: Arc<Shared>,
}

/// A file offset as an offset into the device's buffer.
fn buffer_offset(offset: i64) -> Result<usize> {
    usize::try_from(offset).map_err(|_| EINVAL)
}

kernel::file_operations! {
    impl FileOperations for EduFile {
        fn read(&self, _file: &File<'_>, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
            let shared = &self.shared;
            shared.check_present()?;
            let start = buffer_offset(*offset)?;
            if start >= BUFFER_SIZE || out.is_empty() {
                return Ok(0);
            }
            let count = out.len().min(BUFFER_SIZE - start);
            // A streaming mapping of a buffer of the right size, for the device
            // to write into.
            let bytes = {
                let mut guard = shared.dma.lock_interruptible()?;
                let dma = guard.as_mut().ok_or(ENODEV)?;
                let buffer = DeviceBuffer::alloc(&shared.dev, count)?;
                let mapping = StreamingMapping::new(&shared.dev, buffer, Direction::FromDevice)?;
                if let Err(err) = shared.dma(dma, mapping.dma_handle(), start, count, true) {
                    dma.in_flight = Some(mapping);
                    return Err(err);
                }
                mapping.unmap()
            };
            out.write_slice(&bytes)?;
            *offset += count as i64;
            Ok(count)
        }

        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, offset: &mut i64) -> Result<usize> {
            let shared = &self.shared;
            shared.check_present()?;
            if input.is_empty() {
                return Ok(0);
            }
            let start = buffer_offset(*offset)?;
            if start >= BUFFER_SIZE {
                return Err(ENOSPC);
            }
            let count = input.len().min(BUFFER_SIZE - start);
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(count)?;
            bytes.resize(count, 0);
            input.read_slice(&mut bytes)?;
            let mut guard = shared.dma.lock_interruptible()?;
            let dma = guard.as_mut().ok_or(ENODEV)?;
            dma.coherent.write(0, &bytes)?;
            let ram = dma.coherent.dma_handle();
            shared.dma(dma, ram, start, count, false)?;
            *offset += count as i64;
            Ok(count)
        }

        fn seek(&self, _file: &File<'_>, current: i64, from: SeekFrom) -> Result<i64> {
            from.resolve(current, BUFFER_SIZE as i64)
        }

        fn ioctl(&self, _file: &File<'_>, cmd: u32, arg: &mut IoctlArg<'_>) -> Result<isize> {
            let shared = &self.shared;
            shared.check_present()?;
            match cmd {
                EDU_IOC_ID => arg.write(&shared.regs.read32::<ID>())?,
                EDU_IOC_LIVENESS => {
                    let value: u32 = arg.read()?;
                    shared.regs.write32::<LIVENESS>(value);
                    arg.write(&shared.regs.read32::<LIVENESS>())?;
                }
                EDU_IOC_FACTORIAL => {
                    let n: u32 = arg.read()?;
                    arg.write(&shared.factorial(n)?)?;
                }
                EDU_IOC_IRQS => arg.write(&shared.irqs.load(Ordering::Relaxed))?,
                _ => return Err(ENOTTY),
            }
            Ok(0)
        }
    }
}

/// One bound edu device: what its probe acquired, declared in the order it
/// is released (the reverse of the order of acquisition).
struct EduDriver {
    shared: Arc<Shared>,
    _file: MiscDevice<EduFile>,
    _irq: irq::Registration<EduIrq>,
    _vectors: pci::IrqVectors,
    _master: pci::BusMaster,
    _regions: pci::Regions,
    _enabled: pci::Enabled,
}

kernel::pci_device_table!(EduDriver, [(0x1234, 0x11e8)]);

impl pci::Driver for EduDriver {
    fn probe(dev: &pci::Device, _id: &pci::DeviceId) -> Result<Self> {
        let enabled = dev.enable()?;
        let regions = dev.request_regions()?;
        let regs = try_arc(dev.iomap::<REGS_SIZE>(0)?)?;

        let id = regs.read32::<ID>();
        if id & 0xff != 0xed {
            pr_err!("{}: not an edu device: identification {:#010x}", dev.name(), id);
            return Err(ENODEV);
        }
        regs.write32::<LIVENESS>(0x1234_5678);
        let echo = regs.read32::<LIVENESS>();
        if echo != !0x1234_5678 {
            pr_err!("{}: liveness check failed: wrote 0x12345678, read {:#010x}", dev.name(), echo);
            return Err(EIO);
        }

        dev.dma_set_mask_and_coherent(DMA_MASK_BITS)?;
        let master = dev.set_master();
        let buffer = CoherentBuffer::alloc(dev, BUFFER_SIZE)?;

        let kinds = if params::intx.get() { IrqKinds::INTX } else { IrqKinds::MSI_OR_INTX };
        let vectors = dev.alloc_irq_vectors(1, 1, kinds)?;
        let raised = try_arc(AtomicU32::new(0))?;
        let irqs = try_arc(AtomicU64::new(0))?;
        let shared = try_arc(Shared {
            regs: regs.clone(),
            raised: raised.clone(),
            irqs: irqs.clone(),
            done: AtomicU32::new(0),
            waiters: WaitQueue::new()?,
            factorial: Mutex::new(())?,
            dma: Mutex::new(Some(Dma { coherent: buffer, in_flight: None }))?,
            dev: dev.clone(),
            removed: AtomicBool::new(false),
        })?;
        let handler = EduIrq { shared: shared.clone() };
        let irq = irq::Registration::new(&vectors, 0, c"rust_edu", (regs, raised, irqs), handler)?;
        let file = MiscDevice::register(c"rust_edu", EduFile { shared: shared.clone() })?;

        pr_info!(
            "{}: edu version {}.{}, liveness ok, {}, IRQ {}",
            dev.name(),
            id >> 24,
            (id >> 16) & 0xff,
            if vectors.is_msi() { "MSI" } else { "INTx" },
            irq.irq()
        );
        Ok(EduDriver {
            shared,
            _file: file,
            _irq: irq,
            _vectors: vectors,
            _master: master,
            _regions: regions,
            _enabled: enabled,
        })
    }

    fn remove(&self, dev: &pci::Device) {
        let shared = &self.shared;
        shared.removed.store(true, Ordering::Release);
        // A transfer still running would write into the buffer after it is
        // freed: wait for it (its interrupt is still handled until the
        // fields are dropped, after this).
        let idle = shared.wait_for(|| shared.regs.read32::<DMA_CMD>() & DMA_START == 0);
        if idle.is_err() {
            pr_warn!("{}: a DMA transfer is still running at remove", dev.name());
        }
        // The DMA memory goes now, while the device's DMA operations are
        // still there; files still open find none (ENODEV).
        if let Ok(mut dma) = shared.dma.lock() {
            *dma = None;
        }
        pr_info!("{}: removed after {} interrupts", dev.name(), shared.irqs.load(Ordering::Relaxed));
    }
}

struct EduModule {
    _driver: pci::Registration<EduDriver>,
}

impl Module for EduModule {
    fn init() -> Result<Self> {
        let driver = pci::Registration::new()?;
        pr_info!("driver registered");
        Ok(EduModule { _driver: driver })
    }
}

impl Drop for EduModule {
    fn drop(&mut self) {
        pr_info!("unloading");
    }
}
