//! Cost of preprocessing (bytes -> 28x28 model input) on the uploads the server sees most, for
//! `preprocess` and for `preprocess::reference` (the pipeline before it was made fast) side by
//! side, so one run gives the ratio.
//!
//! `cargo bench -p trazo-model --profile server-release --bench preprocess` (see `BENCHMARKS.md`).
//!
//! Cases, all synthetic (nothing from MNIST):
//! - `canvas_280`: a drawing-pad export, 280x280 RGBA PNG, black anti-aliased strokes on white;
//! - `gray_28`: an MNIST-like 28x28 grey PNG, white on black;
//! - `gray_200`: a 200x200 grey PNG, dark ink on white;
//! - `pixels_280`: the drawing pad's pixels as the browser hands them to `from_rgba`.

use std::{hint::black_box, io::Cursor, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgba, RgbaImage};
use trazo_model::preprocess::{self, reference};

type Point = (f32, f32);

/// A "7" in a 280 x 280 drawing space.
const SEVEN: &[Point] = &[(70.0, 60.0), (210.0, 60.0), (120.0, 230.0)];
/// A "4".
const FOUR: &[Point] = &[(170.0, 235.0), (170.0, 45.0), (60.0, 170.0), (220.0, 170.0)];

fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (ex, ey) = (p.0 - a.0 - t * dx, p.1 - a.1 - t * dy);
    (ex * ex + ey * ey).sqrt()
}

/// Pen coverage in [0, 1] of a `side` x `side` picture of `line` (pen width in drawing units).
fn coverage(side: u32, line: &[Point], pen: f32) -> impl Fn(u32, u32) -> f32 {
    let scale = side as f32 / 280.0;
    let line = line.to_vec();
    move |x, y| {
        let p = ((x as f32 + 0.5) / scale, (y as f32 + 0.5) / scale);
        let d = line
            .windows(2)
            .map(|w| distance_to_segment(p, w[0], w[1]))
            .fold(f32::INFINITY, f32::min);
        (pen * scale / 2.0 + 0.5 - d * scale).clamp(0.0, 1.0)
    }
}

fn encode(image: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

fn canvas_pixels() -> RgbaImage {
    let ink = coverage(280, SEVEN, 18.0);
    RgbaImage::from_fn(280, 280, |x, y| {
        let v = (255.0 * (1.0 - ink(x, y)) + 0.5) as u8;
        Rgba([v, v, v, 255])
    })
}

fn gray(side: u32, line: &[Point], pen: f32, dark_on_light: bool) -> Vec<u8> {
    let ink = coverage(side, line, pen);
    encode(DynamicImage::ImageLuma8(GrayImage::from_fn(
        side,
        side,
        |x, y| {
            let v = (255.0 * ink(x, y) + 0.5) as u8;
            Luma([if dark_on_light { 255 - v } else { v }])
        },
    )))
}

/// The upload cases: name and PNG bytes.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "canvas_280",
            encode(DynamicImage::ImageRgba8(canvas_pixels())),
        ),
        ("gray_28", gray(28, SEVEN, 22.0, false)),
        ("gray_200", gray(200, FOUR, 16.0, true)),
    ]
}

/// CPU time this thread has run, from Linux's `/proc/thread-self/schedstat` (nanoseconds);
/// `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Mean CPU time of one call of `f`, over `calls` calls.
fn cpu_time_per_call(calls: u32, mut f: impl FnMut()) -> Option<Duration> {
    let start = thread_cpu_time()?;
    for _ in 0..calls {
        f();
    }
    Some((thread_cpu_time()? - start) / calls)
}

/// `preprocess` against the reference on every case, in CPU time rather than wall time (so other
/// processes on a busy machine count less), alternating five rounds of each; printed, not
/// recorded by criterion. Also checks that both give the same output.
fn cpu_time_comparison(cases: &[(&'static str, Vec<u8>)]) {
    let rgba = canvas_pixels();
    for (name, bytes) in cases {
        assert_eq!(
            preprocess::preprocess(bytes),
            reference::preprocess(bytes),
            "{name}"
        );
        // About 0.2 s of the reference per round.
        let calls = match *name {
            "gray_28" => 4000,
            _ => 300,
        };
        for _ in 0..5 {
            let fast = cpu_time_per_call(calls, || {
                black_box(preprocess::preprocess(black_box(bytes)).expect("digit"));
            });
            let slow = cpu_time_per_call(calls, || {
                black_box(reference::preprocess(black_box(bytes)).expect("digit"));
            });
            let (Some(fast), Some(slow)) = (fast, slow) else {
                println!("cpu time: /proc/thread-self/schedstat unavailable, skipped");
                return;
            };
            println!(
                "cpu time {name:<10}: preprocess {:7.1} µs, reference {:7.1} µs, reference / preprocess {:.2}",
                fast.as_secs_f64() * 1e6,
                slow.as_secs_f64() * 1e6,
                slow.as_secs_f64() / fast.as_secs_f64()
            );
        }
    }
    for _ in 0..5 {
        let (w, h) = rgba.dimensions();
        let fast = cpu_time_per_call(300, || {
            black_box(preprocess::from_rgba(rgba.as_raw().clone(), w, h).expect("digit"));
        });
        let slow = cpu_time_per_call(300, || {
            black_box(reference::from_rgba(rgba.as_raw().clone(), w, h).expect("digit"));
        });
        if let (Some(fast), Some(slow)) = (fast, slow) {
            println!(
                "cpu time pixels_280 : from_rgba  {:7.1} µs, reference {:7.1} µs, reference / from_rgba {:.2}",
                fast.as_secs_f64() * 1e6,
                slow.as_secs_f64() * 1e6,
                slow.as_secs_f64() / fast.as_secs_f64()
            );
        }
    }
}

fn preprocessing(c: &mut Criterion) {
    let cases = cases();
    for (name, bytes) in &cases {
        println!("{name}: {} bytes", bytes.len());
    }
    // Not when criterion is asked to profile one benchmark (`--profile-time`, for `perf`).
    if !std::env::args().any(|a| a == "--profile-time") {
        cpu_time_comparison(&cases);
    }
    for (name, bytes) in &cases {
        let mut group = c.benchmark_group(*name);
        group.bench_function("preprocess", |b| {
            b.iter(|| preprocess::preprocess(black_box(bytes)).expect("digit"))
        });
        group.bench_function("reference", |b| {
            b.iter(|| reference::preprocess(black_box(bytes)).expect("digit"))
        });
        group.finish();
    }
    let rgba = canvas_pixels();
    let (w, h) = rgba.dimensions();
    let mut group = c.benchmark_group("pixels_280");
    group.bench_function("from_rgba", |b| {
        b.iter(|| preprocess::from_rgba(black_box(rgba.as_raw().clone()), w, h).expect("digit"))
    });
    group.bench_function("reference", |b| {
        b.iter(|| reference::from_rgba(black_box(rgba.as_raw().clone()), w, h).expect("digit"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = preprocessing
}
criterion_main!(benches);
