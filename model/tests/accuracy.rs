//! The Burn model on the full 10,000-image MNIST test set (normalised directly, no
//! preprocessing) must reach at least 99.0 % accuracy.

mod common;

use std::time::Instant;

use trazo_model::{Classifier, preprocess::normalise};

#[test]
fn mnist_test_set_accuracy() {
    let (images, labels) = common::test_set();
    assert_eq!(images.len(), 10_000);
    let classifier = Classifier::load().expect("load model");
    let started = Instant::now();
    let inputs: Vec<[f32; 784]> = images.iter().map(normalise).collect();
    let correct = common::count_correct(&classifier, &inputs, &labels);
    let accuracy = 100.0 * correct as f64 / images.len() as f64;
    println!(
        "MNIST test accuracy (all 10,000): {accuracy:.2} % ({correct}/10000) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(accuracy >= 99.0, "accuracy {accuracy:.2} % is below 99.0 %");
}
