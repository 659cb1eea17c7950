//! The GEMM path (`Classifier::logits`) gives the generated model's logits
//! (`Classifier::reference_logits`) within 1e-5 on every input of `fixtures/parity.json`, one
//! image at a time and as one batch.

use serde_json::Value;
use trazo_model::{Classifier, model::Input};

const TOLERANCE: f32 = 1e-5;

fn fixture_inputs() -> Vec<(String, Input)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/parity.json"))
            .expect("read fixtures/parity.json");
    let fixture: Value = serde_json::from_str(&text).expect("parse parity.json");
    fixture["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            let input: Vec<f32> = case["input"]
                .as_array()
                .expect("input")
                .iter()
                .map(|v| v.as_f64().expect("number") as f32)
                .collect();
            let name = case["name"].as_str().expect("name").to_owned();
            (name, input.try_into().expect("784 inputs"))
        })
        .collect()
}

#[test]
fn gemm_path_matches_the_generated_model() {
    let classifier = Classifier::load().expect("load model");
    let cases = fixture_inputs();
    assert!(!cases.is_empty());

    let mut worst = 0.0f32;
    for (name, input) in &cases {
        let ours = classifier.logits(&[*input]).expect("gemm forward")[0];
        let reference = classifier.reference_logits(&[*input]).expect("reference")[0];
        for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
            worst = worst.max((a - b).abs());
            assert!(
                (a - b).abs() <= TOLERANCE,
                "{name}: logit {i} is {a}, generated {b}"
            );
        }
    }

    let batch: Vec<Input> = cases.iter().map(|(_, input)| *input).collect();
    let ours = classifier.logits(&batch).expect("gemm forward");
    let reference = classifier.reference_logits(&batch).expect("reference");
    assert_eq!(ours.len(), cases.len());
    for ((name, _), (a, b)) in cases.iter().zip(ours.iter().zip(&reference)) {
        for (x, y) in a.iter().zip(b) {
            worst = worst.max((x - y).abs());
            assert!(
                (x - y).abs() <= TOLERANCE,
                "batched {name}: {x} vs generated {y}"
            );
        }
    }
    println!(
        "gemm: {} cases, max |gemm - generated| = {worst:.2e}",
        cases.len()
    );
}
