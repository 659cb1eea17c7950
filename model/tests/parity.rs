//! Burn logits match the ONNX Runtime reference logits in `fixtures/parity.json` within 1e-4.

use serde_json::Value;
use trazo_model::{
    Classifier,
    model::{MODEL_SHA256, argmax},
    preprocess::normalise,
};

const TOLERANCE: f32 = 1e-4;

fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number") as f32)
        .collect()
}

#[test]
fn burn_matches_onnx_runtime() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/parity.json"))
            .expect("read fixtures/parity.json");
    let fixture: Value = serde_json::from_str(&text).expect("parse parity.json");
    assert_eq!(
        fixture["model_sha256"].as_str(),
        Some(MODEL_SHA256),
        "the fixture was made for a different model file"
    );
    let classifier = Classifier::load().expect("load model");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());

    let mut worst = 0.0f32;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let input: [f32; 784] = floats(&case["input"]).try_into().expect("784 inputs");
        // Where the case was made from pixels, our normalisation must reproduce its input.
        if let Some(pixels) = case["pixels"].as_array() {
            let pixels: [u8; 784] = pixels
                .iter()
                .map(|p| p.as_u64().expect("pixel") as u8)
                .collect::<Vec<_>>()
                .try_into()
                .expect("784 pixels");
            let ours = normalise(&pixels);
            for (a, b) in ours.iter().zip(input.iter()) {
                assert!((a - b).abs() <= 1e-6, "{name}: normalisation {a} vs {b}");
            }
        }
        let expected = floats(&case["logits"]);
        let logits = classifier.logits(&[input]).expect("forward")[0];
        for (i, (a, b)) in logits.iter().zip(expected.iter()).enumerate() {
            let diff = (a - b).abs();
            worst = worst.max(diff);
            assert!(
                diff <= TOLERANCE,
                "{name}: logit {i} is {a}, ONNX Runtime {b}"
            );
        }
        assert_eq!(
            u64::from(argmax(&logits)),
            case["argmax"].as_u64().expect("argmax"),
            "{name}"
        );
    }

    // The same inputs as one batch give the same logits (batching must not change results).
    let batch: Vec<[f32; 784]> = cases
        .iter()
        .map(|c| floats(&c["input"]).try_into().expect("784 inputs"))
        .collect();
    for (case, logits) in cases
        .iter()
        .zip(classifier.logits(&batch).expect("forward"))
    {
        for (a, b) in logits.iter().zip(floats(&case["logits"]).iter()) {
            assert!((a - b).abs() <= TOLERANCE, "batched {}", case["name"]);
        }
    }
    println!(
        "parity: {} cases, max |burn - ort| = {worst:.2e}",
        cases.len()
    );
}
