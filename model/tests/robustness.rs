//! MNIST test digits re-rendered the way people upload them, each through the full
//! bytes -> preprocess -> model path, must score within 1 point of the plain 28x28 digits.
//!
//! Subset: the first 200 test digits of each class (2,000 images, fixed and stratified), the
//! same for every rendering. All renderings are encoded in memory; nothing is written to disk.

mod common;

use std::time::Instant;

use common::{Rng, gray, jpeg, png, rgba_png};
use image::{DynamicImage, GrayImage, Luma, Rgba, RgbaImage, imageops};
use trazo_model::{
    Classifier,
    idx::Digit,
    model::argmax,
    preprocess::{self, normalise},
};

/// Allowed drop, in percentage points, below the plain rendering's accuracy.
const MAX_DROP: f64 = 1.0;

fn upscale(digit: &Digit, factor: u32) -> GrayImage {
    imageops::resize(
        &gray(digit),
        28 * factor,
        28 * factor,
        imageops::FilterType::Triangle,
    )
}

fn invert(image: &GrayImage) -> GrayImage {
    let mut out = image.clone();
    imageops::invert(&mut out);
    out
}

/// One way of rendering a digit as an uploaded file.
struct Rendering {
    name: &'static str,
    render: fn(&Digit, &mut Rng) -> Vec<u8>,
}

const RENDERINGS: [Rendering; 6] = [
    Rendering {
        name: "original 28x28 PNG (white on black)",
        render: |d, _| png(DynamicImage::ImageLuma8(gray(d))),
    },
    Rendering {
        name: "(a) scaled x8 to 224x224 PNG",
        render: |d, _| png(DynamicImage::ImageLuma8(upscale(d, 8))),
    },
    Rendering {
        name: "(b) dark ink on white 28x28 PNG",
        render: |d, _| png(DynamicImage::ImageLuma8(invert(&gray(d)))),
    },
    Rendering {
        name: "(c) x4, dark on white, off-centre on 400x300 PNG",
        render: |d, rng| {
            let digit = invert(&upscale(d, 4));
            let mut canvas = GrayImage::from_pixel(400, 300, Luma([255]));
            let (x, y) = (rng.below(400 - 112 + 1), rng.below(300 - 112 + 1));
            imageops::replace(&mut canvas, &digit, i64::from(x), i64::from(y));
            png(DynamicImage::ImageLuma8(canvas))
        },
    },
    Rendering {
        name: "(d) x8, dark on white, JPEG quality 85",
        render: |d, _| jpeg(&DynamicImage::ImageLuma8(invert(&upscale(d, 8))), 85),
    },
    Rendering {
        name: "(e) x4, black ink on transparent PNG (alpha = ink)",
        render: |d, _| {
            let ink = upscale(d, 4);
            rgba_png(RgbaImage::from_fn(112, 112, |x, y| {
                Rgba([0, 0, 0, ink.get_pixel(x, y).0[0]])
            }))
        },
    },
];

/// Accuracy in percent, the number of images preprocessing refused, and seconds taken.
fn evaluate(
    classifier: &Classifier,
    rendering: &Rendering,
    digits: &[Digit],
    labels: &[u8],
) -> (f64, usize, f64) {
    let started = Instant::now();
    let mut rng = Rng(20251128);
    let mut inputs = Vec::with_capacity(digits.len());
    let mut keep = Vec::with_capacity(digits.len());
    let mut refused = 0;
    for (digit, &label) in digits.iter().zip(labels) {
        let bytes = (rendering.render)(digit, &mut rng);
        match preprocess::preprocess(&bytes) {
            Ok(p) => {
                inputs.push(p.input);
                keep.push(label);
            }
            // A refusal counts as a wrong answer.
            Err(_) => refused += 1,
        }
    }
    let correct = common::count_correct(classifier, &inputs, &keep);
    (
        100.0 * correct as f64 / digits.len() as f64,
        refused,
        started.elapsed().as_secs_f64(),
    )
}

#[test]
fn renderings_keep_accuracy() {
    let (digits, labels) = common::stratified_subset();
    assert_eq!(digits.len(), 10 * common::PER_CLASS);
    let classifier = Classifier::load().expect("load model");

    // Two cores: run the renderings on two threads.
    let started = Instant::now();
    let results: Vec<(f64, usize, f64)> = std::thread::scope(|s| {
        let handles: Vec<_> = [0, 1]
            .map(|part| {
                let (digits, labels, classifier) = (&digits, &labels, &classifier);
                s.spawn(move || {
                    RENDERINGS
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 2 == part)
                        .map(|(i, r)| (i, evaluate(classifier, r, digits, labels)))
                        .collect::<Vec<_>>()
                })
            })
            .into_iter()
            .collect();
        let mut all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });

    let baseline = results[0].0;
    // The same digits fed to the model directly: preprocessing must not cost accuracy either.
    let raw_inputs: Vec<[f32; 784]> = digits.iter().map(normalise).collect();
    let raw_correct = classifier
        .logits(&raw_inputs)
        .expect("forward")
        .iter()
        .zip(&labels)
        .filter(|(l, label)| argmax(l) == **label)
        .count();
    let raw = 100.0 * raw_correct as f64 / digits.len() as f64;
    println!(
        "robustness on {} stratified MNIST test digits ({:.1} s):",
        digits.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {:<52} {raw:6.2} %",
        "no preprocessing (normalised 28x28 as is)"
    );
    for (rendering, (accuracy, refused, secs)) in RENDERINGS.iter().zip(&results) {
        println!(
            "  {:<52} {accuracy:6.2} %  ({:+.2} points, {refused} refused, {secs:.1} s)",
            rendering.name,
            accuracy - baseline
        );
    }
    assert!(
        baseline >= raw - MAX_DROP,
        "preprocessing costs {:.2} points",
        raw - baseline
    );
    for (rendering, (accuracy, _, _)) in RENDERINGS.iter().zip(&results) {
        assert!(
            *accuracy >= baseline - MAX_DROP,
            "{}: {accuracy:.2} % vs {baseline:.2} %",
            rendering.name
        );
    }
}
