//! The live guess's WebAssembly module (`scripts/build-live.sh` builds it into
//! `target/site/live/`): the server's own model crate, the same preprocessing and the same
//! network, for the browser.
//!
//! It is a module of its own rather than part of the page's bundle so that a first visit pays
//! nothing for it: the drawing page imports it once it is live (app/src/pages/draw/live.rs).
//! Inside the page bundle, even as a lazily loaded chunk, its data (Burn's tables and messages)
//! and the code it shares would stay in the main module that every page downloads.
//!
//! The page fetches the weights itself (`GET /api/model/{model_version()}.bpk`, cached for
//! good) and hands them to [`load`]; then [`guess`] reads the canvas.

use std::cell::RefCell;

use serde::Serialize;
use trazo_model::{
    Classifier, MODEL_VERSION, PREPROCESS_VERSION, PreprocessError,
    preprocess::{self, Plane},
};
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static CLASSIFIER: RefCell<Option<Classifier>> = const { RefCell::new(None) };
}

/// A greyscale picture, white ink on black, row-major.
#[derive(Debug, Serialize)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Picture {
    fn of(plane: &Plane) -> Self {
        Self {
            width: plane.width,
            height: plane.height,
            pixels: plane
                .data
                .iter()
                .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
                .collect(),
        }
    }
}

/// What [`guess`] answers, as JSON: the page's `Guess` reads these fields by name.
#[derive(Debug, Serialize)]
pub struct Guess {
    pub digit: u8,
    pub probabilities: [f32; 10],
    pub logits: [f32; 10],
    /// The ink's bounding box, cut out.
    pub crop: Picture,
    /// The crop with its longer side scaled to 20 pixels.
    pub fitted: Picture,
    /// The 28 × 28 input, centred by its centre of mass.
    pub input: Picture,
    pub model_version: &'static str,
    pub preprocess_version: u32,
}

/// The version of the model this module was built with: the weights it needs are
/// `/api/model/{model_version}.bpk`.
#[wasm_bindgen]
pub fn model_version() -> String {
    MODEL_VERSION.to_owned()
}

/// Builds the classifier from the weights (a Burnpack file). Damaged weights, or weights of
/// another model, are refused and leave any classifier loaded before in place.
#[wasm_bindgen]
pub fn load(weights: Vec<u8>) -> Result<(), String> {
    let classifier = Classifier::from_weights(weights).map_err(|e| e.to_string())?;
    CLASSIFIER.with(|cell| *cell.borrow_mut() = Some(classifier));
    Ok(())
}

/// Reads a canvas (RGBA pixels, `width` × `height`): the guess as JSON ([`Guess`]), or nothing
/// when there is no digit to read.
#[wasm_bindgen]
pub fn guess(rgba: Vec<u8>, width: u32, height: u32) -> Result<Option<String>, String> {
    let (input, steps) = match preprocess::from_rgba(rgba, width, height) {
        Ok(done) => done,
        Err(PreprocessError::NoDigit) => return Ok(None),
        Err(other) => return Err(other.to_string()),
    };
    let prediction = with_classifier(|classifier| {
        classifier
            .predict(&[input.input])
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
            .ok_or_else(|| "the model gave no answer".to_owned())
    })?;
    let guess = Guess {
        digit: prediction.digit,
        probabilities: prediction.probabilities,
        logits: prediction.logits,
        crop: Picture::of(&steps.crop),
        fitted: Picture::of(&steps.fitted),
        input: Picture {
            width: preprocess::SIDE,
            height: preprocess::SIDE,
            pixels: input.image.to_vec(),
        },
        model_version: MODEL_VERSION,
        preprocess_version: PREPROCESS_VERSION,
    };
    serde_json::to_string(&guess)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The network's raw scores for one model input (784 normalised values, as
/// `trazo_model::preprocess::normalise` makes them): what the parity test compares with the
/// server's model on fixed inputs.
#[wasm_bindgen]
pub fn logits(input: Vec<f32>) -> Result<Vec<f32>, String> {
    let input: [f32; preprocess::SIDE * preprocess::SIDE] = input
        .try_into()
        .map_err(|given: Vec<f32>| format!("784 inputs expected, {} given", given.len()))?;
    with_classifier(|classifier| {
        classifier
            .logits(&[input])
            .map_err(|e| e.to_string())?
            .first()
            .map(|logits| logits.to_vec())
            .ok_or_else(|| "the model gave no answer".to_owned())
    })
}

fn with_classifier<T>(run: impl FnOnce(&Classifier) -> Result<T, String>) -> Result<T, String> {
    CLASSIFIER.with(|cell| match cell.borrow().as_ref() {
        Some(classifier) => run(classifier),
        None => Err("the model is not loaded".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 140 × 140 white canvas with a black vertical bar, as the drawing pad exports it.
    fn canvas_with_a_one() -> Vec<u8> {
        let side = 140;
        let mut rgba = vec![255u8; side * side * 4];
        for y in 20..120 {
            for x in 64..76 {
                let at = (y * side + x) * 4;
                rgba[at..at + 3].fill(0);
            }
        }
        rgba
    }

    #[test]
    fn guesses_need_the_weights_first_and_refuse_damaged_ones() {
        assert_eq!(
            guess(canvas_with_a_one(), 140, 140),
            Err("the model is not loaded".to_owned())
        );
        let weights = trazo_model::weights();
        assert!(load(weights[..weights.len() / 2].to_vec()).is_err());
        assert!(load(b"not a burnpack".to_vec()).is_err());
        assert!(logits(vec![0.0; 784]).is_err());
    }

    #[test]
    fn a_guess_names_the_fields_the_page_reads() {
        load(trazo_model::weights().to_vec()).expect("the server's weights");
        let json = guess(canvas_with_a_one(), 140, 140)
            .expect("a guess")
            .expect("a digit");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["digit"], 1);
        assert_eq!(value["probabilities"].as_array().map(Vec::len), Some(10));
        assert_eq!(value["input"]["width"], 28);
        assert_eq!(value["input"]["pixels"].as_array().map(Vec::len), Some(784));
        assert_eq!(value["fitted"]["height"], 20);
        assert_eq!(value["model_version"], MODEL_VERSION);
        assert_eq!(value["preprocess_version"], PREPROCESS_VERSION);
        // The same input through `logits` gives the guess's logits.
        let direct = logits(
            preprocess::normalise(
                &value["input"]["pixels"]
                    .as_array()
                    .expect("pixels")
                    .iter()
                    .map(|p| p.as_u64().expect("pixel") as u8)
                    .collect::<Vec<_>>()
                    .try_into()
                    .expect("784 pixels"),
            )
            .to_vec(),
        )
        .expect("logits");
        for (a, b) in direct
            .iter()
            .zip(value["logits"].as_array().expect("logits"))
        {
            assert!((f64::from(*a) - b.as_f64().expect("number")).abs() < 1e-5);
        }
        // A blank canvas holds no digit; logits need exactly 784 inputs.
        assert_eq!(guess(vec![255; 140 * 140 * 4], 140, 140), Ok(None));
        assert!(logits(vec![0.0; 10]).is_err());
    }
}
