//! Helpers shared by the integration tests: MNIST loading and in-memory image encoding.
#![allow(dead_code)]

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageFormat, RgbaImage, codecs::jpeg::JpegEncoder};
use trazo_model::{
    Classifier,
    idx::{self, Digit},
    model::argmax,
};

/// Digits per class in the fixed stratified subset (first N of each class in file order).
pub const PER_CLASS: usize = 200;

/// The MNIST test set from `MNIST_DIR` (default `../shared/mnist` beside the repository).
pub fn test_set() -> (Vec<Digit>, Vec<u8>) {
    let dir = idx::mnist_dir();
    idx::load_test_set(&dir).unwrap_or_else(|e| {
        panic!(
            "MNIST test files not found ({e}); set MNIST_DIR to a directory with \
             t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (see model/README.md)"
        )
    })
}

/// The fixed stratified subset: `PER_CLASS` digits of each class, in file order.
pub fn stratified_subset() -> (Vec<Digit>, Vec<u8>) {
    let (images, labels) = test_set();
    idx::stratified_indices(&labels, PER_CLASS)
        .into_iter()
        .map(|i| (images[i], labels[i]))
        .unzip()
}

pub fn gray(digit: &Digit) -> GrayImage {
    GrayImage::from_raw(28, 28, digit.to_vec()).expect("28x28")
}

pub fn png(image: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

pub fn jpeg(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("encode JPEG");
    out
}

pub fn rgba_png(image: RgbaImage) -> Vec<u8> {
    png(DynamicImage::ImageRgba8(image))
}

/// A small seeded generator (SplitMix64) so renderings are random but reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

/// Standard CRC-32 (PNG chunks).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// How many of `inputs` the classifier labels as `labels` says, classifying 250 at a time.
pub fn count_correct(classifier: &Classifier, inputs: &[[f32; 784]], labels: &[u8]) -> usize {
    inputs
        .chunks(250)
        .zip(labels.chunks(250))
        .map(|(chunk, chunk_labels)| {
            let logits = classifier.logits(chunk).expect("forward");
            logits
                .iter()
                .zip(chunk_labels)
                .filter(|(l, label)| argmax(l) == **label)
                .count()
        })
        .sum()
}
