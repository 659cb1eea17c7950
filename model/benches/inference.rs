//! Latency and throughput of the Burn model, and of the full bytes -> prediction path.
//!
//! `single_image` and `batch/*` run `Classifier::logits` (the convolutions as GEMMs on Burn's
//! `matmul`); `single_image_reference` runs the `forward` that burn-onnx generated (Burn's own
//! direct convolution) on the same input, for the ratio between the two.
//!
//! `cargo bench -p trazo-model --profile server-release --bench inference` (see `BENCHMARKS.md`).
//! Burn is built without rayon, so every number here is single-threaded.

use std::{hint::black_box, io::Cursor, time::Duration};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use image::{DynamicImage, GrayImage, ImageFormat, Luma};
use trazo_model::{Classifier, Engine, model::Input, preprocess};

/// Seeded standard-normal inputs, like `training/bench_onnxruntime.py` (the cost of this
/// network does not depend on the values).
fn normal_inputs(n: usize, seed: u64) -> Vec<Input> {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    };
    (0..n)
        .map(|_| {
            std::array::from_fn(|_| {
                let (u, v) = (uniform(), uniform());
                (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
            })
        })
        .collect()
}

/// A 224x224 PNG of a hand-drawn-looking "7": dark anti-aliased strokes on white (synthetic).
fn seven_png() -> Vec<u8> {
    let segments = [
        ((60.0, 50.0), (170.0, 45.0)),
        ((170.0, 45.0), (95.0, 185.0)),
    ];
    let image = GrayImage::from_fn(224, 224, |x, y| {
        let p = (x as f32 + 0.5, y as f32 + 0.5);
        let distance = segments
            .iter()
            .map(|&(a, b)| distance_to_segment(p, a, b))
            .fold(f32::INFINITY, f32::min);
        let ink = (9.0 - distance).clamp(0.0, 1.0);
        Luma([(255.0 * (1.0 - ink)) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(image)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

fn distance_to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
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

/// The GEMM path against the generated `forward` on one image, in CPU time rather than wall
/// time (so other processes on a busy machine do not count), alternating five rounds of each;
/// printed, not recorded by criterion.
fn cpu_time_comparison(classifier: &Classifier, one: &[Input]) {
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let gemm = cpu_time_per_call(1000, || {
            black_box(classifier.logits(black_box(one)).expect("forward"));
        });
        let reference = cpu_time_per_call(200, || {
            black_box(
                classifier
                    .reference_logits(black_box(one))
                    .expect("forward"),
            );
        });
        let (Some(gemm), Some(reference)) = (gemm, reference) else {
            println!("cpu time: /proc/thread-self/schedstat unavailable, skipped");
            return;
        };
        rounds.push((gemm, reference));
    }
    for (gemm, reference) in &rounds {
        println!(
            "cpu time per image: gemm {:.1} µs, reference {:.1} µs, reference / gemm {:.2}",
            gemm.as_secs_f64() * 1e6,
            reference.as_secs_f64() * 1e6,
            reference.as_secs_f64() / gemm.as_secs_f64()
        );
    }
}

fn model(c: &mut Criterion) {
    let classifier = Classifier::load().expect("load model");
    let one = normal_inputs(1, 0);
    cpu_time_comparison(&classifier, &one);
    c.bench_function("single_image", |b| {
        b.iter(|| classifier.logits(black_box(&one)).expect("forward"))
    });
    c.bench_function("single_image_reference", |b| {
        b.iter(|| {
            classifier
                .reference_logits(black_box(&one))
                .expect("forward")
        })
    });

    let mut group = c.benchmark_group("batch");
    for size in [1usize, 16, 64, 256] {
        let inputs = normal_inputs(size, size as u64);
        group.throughput(Throughput::Elements(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &inputs, |b, inputs| {
            b.iter(|| classifier.logits(black_box(inputs)).expect("forward"))
        });
    }
    group.finish();
}

fn full_path(c: &mut Criterion) {
    let classifier = Classifier::load().expect("load model");
    let png = seven_png();
    let digit = preprocess(&png).expect("digit");
    assert_eq!(
        classifier.predict(&[digit.input]).expect("forward")[0].digit,
        7,
        "the synthetic 7 should be read as a 7"
    );
    let mut group = c.benchmark_group("png_224");
    group.bench_function("preprocess", |b| {
        b.iter(|| preprocess(black_box(&png)).expect("digit"))
    });
    group.bench_function("bytes_to_prediction", |b| {
        b.iter(|| {
            let input = preprocess(black_box(&png)).expect("digit").input;
            classifier.predict(&[input]).expect("forward")
        })
    });
    group.finish();

    // Queue hand-off and thread wake-up cost on top of the forward pass.
    let engine = Engine::new(1, 64).expect("engine");
    let input = normal_inputs(1, 1)[0];
    c.bench_function("engine_submit_wait", |b| {
        b.iter(|| {
            engine
                .submit(black_box(input))
                .expect("queued")
                .wait()
                .expect("prediction")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = model, full_path
}
criterion_main!(benches);
