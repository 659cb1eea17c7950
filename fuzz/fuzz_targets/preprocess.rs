//! Every byte string through `preprocess` and `memory_needed`: an error or a digit comes out,
//! never a panic, and never more memory than the limits.
//!
//! The code under test is the model's own `model/src/preprocess.rs`, included as a module so
//! the fuzz build needs only the `image` crate and not Burn.
//!
//! Environment (read once):
//! - `TRAZO_FUZZ_VERBOSE=1`: print what each input gave (for replaying a few files).
//! - `TRAZO_FUZZ_STRICT_MEMORY=1`: also fail when `preprocess` holds more heap than
//!   `memory_needed` said plus [`FIXED_OVERHEAD`]. Off by default: today some JPEG and GIF
//!   headers make the decoder allocate more than `memory_needed` counts (see BENCHMARKS.md,
//!   "Fuzzing"). Without it such inputs are only reported: the worst so far of each format on
//!   stderr and, with `TRAZO_FUZZ_OVERSHOOT_DIR` set, written there as `<format>-<bytes over>`.

#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;

#[path = "../../model/src/preprocess.rs"]
#[allow(dead_code)]
mod preprocess;

use preprocess::{ImageKind, MAX_SIDE, PreprocessError, memory_needed, preprocess};

/// The most `memory_needed` may ever answer: 8 bytes a pixel of a `MAX_SIDE` square (128 MiB).
const MEMORY_CAP: u64 = 8 * MAX_SIDE as u64 * MAX_SIDE as u64;

/// Heap no input may ever make `preprocess` hold, whatever `memory_needed` said: twice the cap.
/// The worst known decoder overshoot (a progressive CMYK JPEG at the largest accepted size) is
/// about 176 MiB, so this catches an allocation that escapes the limits altogether.
const HARD_CAP: u64 = 2 * MEMORY_CAP;

/// Decoder state and small buffers that `memory_needed`'s per-pixel count leaves out (inflate
/// window and tables, Huffman tables, LZW tables, resampling weights): ~40 KiB measured.
const FIXED_OVERHEAD: u64 = 1 << 20;

/// Counts the bytes the process holds on the heap and the most it held since the last reset,
/// so the target can check what one call of `preprocess` really allocates.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    fn shrank(size: usize) {
        LIVE.fetch_sub(size, Ordering::Relaxed);
    }

    /// Starts a measurement; returns the bytes already held.
    fn reset() -> usize {
        let live = LIVE.load(Ordering::Relaxed);
        PEAK.store(live, Ordering::Relaxed);
        live
    }

    /// The most bytes held above `base` since [`Counting::reset`].
    fn peak_above(base: usize) -> u64 {
        PEAK.load(Ordering::Relaxed).saturating_sub(base) as u64
    }
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is the system allocator's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Self::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Self::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        Self::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // Counted as growth in place: whether old and new briefly coexist depends on the
            // allocator (glibc remaps large blocks), so only the change in size is counted.
            if new_size >= layout.size() {
                Self::grew(new_size - layout.size());
            } else {
                Self::shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct Settings {
    verbose: bool,
    strict_memory: bool,
    overshoot_dir: Option<PathBuf>,
}

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let on = |name| std::env::var_os(name).is_some_and(|v| v != "0" && !v.is_empty());
        Settings {
            verbose: on("TRAZO_FUZZ_VERBOSE"),
            strict_memory: on("TRAZO_FUZZ_STRICT_MEMORY"),
            overshoot_dir: std::env::var_os("TRAZO_FUZZ_OVERSHOOT_DIR").map(PathBuf::from),
        }
    })
}

/// The largest heap overshoot over `memory_needed` seen so far in this process, per format.
static WORST_OVERSHOOT: [AtomicU64; 3] = [
    AtomicU64::new(FIXED_OVERHEAD),
    AtomicU64::new(FIXED_OVERHEAD),
    AtomicU64::new(FIXED_OVERHEAD),
];

fn report_overshoot(bytes: &[u8], needed: u64, peak: u64) {
    let (slot, format) = match preprocess::sniff(bytes) {
        Some(ImageKind::Png) => (0, "png"),
        Some(ImageKind::Jpeg) => (1, "jpeg"),
        Some(ImageKind::Gif) => (2, "gif"),
        None => return,
    };
    let over = peak - needed;
    if over <= WORST_OVERSHOOT[slot].fetch_max(over, Ordering::Relaxed) {
        return;
    }
    eprintln!(
        "heap overshoot ({format}): preprocess held {peak} B, {over} B over memory_needed \
         {needed} (input of {} bytes)",
        bytes.len()
    );
    if let Some(dir) = &settings().overshoot_dir {
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(dir.join(format!("{format}-{over}")), bytes);
    }
}

fuzz_target!(|bytes: &[u8]| {
    let settings = settings();
    let needed = memory_needed(bytes);
    let base = Counting::reset();
    let result = preprocess(bytes);
    let peak = Counting::peak_above(base);

    if settings.verbose {
        eprintln!("memory_needed {needed:?}, heap peak {peak} B, preprocess {result:?}");
    }

    match &needed {
        Ok(n) => {
            assert!(*n <= MEMORY_CAP, "memory_needed {n} over {MEMORY_CAP}");
            // A supported type was recognised and its header accepted.
            assert!(
                !matches!(result, Err(PreprocessError::UnsupportedType)),
                "memory_needed Ok({n}) but preprocess {result:?}"
            );
            if peak > n + FIXED_OVERHEAD {
                assert!(
                    !settings.strict_memory,
                    "preprocess held {peak} B on the heap, memory_needed said {n}"
                );
                report_overshoot(bytes, *n, peak);
            }
        }
        // Both run `sniff` and then `open_decoder` on the same bytes, and `memory_needed` has
        // no other way to fail, so `preprocess` must fail in exactly the same way.
        Err(e) => assert_eq!(
            result.as_ref().err(),
            Some(e),
            "memory_needed {needed:?} but preprocess {result:?}"
        ),
    }

    assert!(
        peak <= HARD_CAP,
        "preprocess held {peak} B on the heap, over {HARD_CAP} (memory_needed {needed:?})"
    );

    if let Ok(out) = &result {
        assert!(
            out.image.iter().any(|&p| p != 0),
            "a digit with no ink: {out:?}"
        );
        assert!(
            out.input.iter().all(|v| v.is_finite()),
            "non-finite model input: {out:?}"
        );
    }
});
