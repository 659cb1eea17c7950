//! The digit classifier: the CNN that burn-onnx generated from the ONNX file (`src/generated/`,
//! written by `make model`), with its weights embedded.

use burn::module::Module;
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use burn_store::{BurnpackStore, ModuleSnapshot};

use crate::gemm::{GemmNet, Op};
use crate::shapes::cpu_device;
pub use crate::shapes::{CLASSES, Input, Logits, ModelError, PIXELS};

/// First 12 hex digits of the SHA-256 of `model/trazo-mnist.onnx`; part of cache keys.
pub const MODEL_VERSION: &str = env!("TRAZO_MODEL_VERSION");
/// Full SHA-256 of `model/trazo-mnist.onnx`.
pub const MODEL_SHA256: &str = env!("TRAZO_MODEL_SHA256");

// The generated code is kept in its own module so that its style is not held to this crate's
// lints; `embedded_weights` and `layers` are added inside it because the weight bytes and the
// layers are private there.
#[allow(dead_code, clippy::all, missing_docs, unused_imports)]
mod generated {
    include!("generated/trazo-mnist.rs");

    pub(super) fn embedded_weights() -> &'static [u8] {
        EMBEDDED_STATES
    }

    // `layers(&Model)`: `forward`'s layers in order for the GEMM path, which build.rs reads
    // from the generated source (or the reason it cannot).
    include!(concat!(env!("OUT_DIR"), "/layers.rs"));
}

/// The model's weights as compiled into this crate (Burnpack), for serving them to browsers: the
/// live guess in the browser loads them with [`Classifier::from_weights`] rather than carry them
/// in its WebAssembly (data is not split into lazily loaded chunks, so embedded weights would
/// weigh on every page's first load).
pub fn weights() -> &'static [u8] {
    generated::embedded_weights()
}

/// Largest difference allowed at load between the GEMM path's logits and the generated
/// `forward`'s on the probe images, relative to the logit (plus one).
const SELF_CHECK_TOLERANCE: f32 = 1e-4;

/// The CNN on Burn's NdArray (default) or Flex CPU backend. Cloning is cheap enough to give each
/// worker its own copy.
///
/// [`Classifier::logits`] runs the convolutions as GEMMs (the crate's `gemm` module); the generated
/// `forward` is kept as the reference ([`Classifier::reference_logits`]). A forward pass runs on
/// the calling thread only (Burn is built without rayon).
#[derive(Debug, Clone)]
pub struct Classifier {
    model: generated::Model,
    gemm: GemmNet,
    device: Device,
}

impl Classifier {
    /// Builds the network and loads the weights that are compiled into the binary.
    pub fn load() -> Result<Self, ModelError> {
        Self::from_store(BurnpackStore::from_static(generated::embedded_weights()))
    }

    /// Builds the network with weights given as bytes: [`weights`] as a browser fetched them.
    /// Checked like [`Classifier::load`]: every tensor present, and the GEMM path agreeing with
    /// the generated `forward`.
    pub fn from_weights(bytes: Vec<u8>) -> Result<Self, ModelError> {
        Self::from_store(BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(
            bytes,
        ))))
    }

    fn from_store(mut store: BurnpackStore) -> Result<Self, ModelError> {
        let device = cpu_device();
        let mut model = generated::Model::new(&device);
        let applied = model
            .load_from(&mut store)
            .map_err(|e| ModelError::Load(e.to_string()))?;
        // A partial load would silently leave randomly initialised layers in the model.
        if !applied.errors.is_empty() || !applied.missing.is_empty() {
            return Err(ModelError::Load(format!(
                "{} tensors failed, {} missing",
                applied.errors.len(),
                applied.missing.len()
            )));
        }
        let layers = generated::layers(&model).map_err(|why| {
            ModelError::Load(format!("the GEMM path cannot run this model: {why}"))
        })?;
        let gemm = GemmNet::new(&layers, model.num_params(), &device)?;
        let classifier = Self {
            model,
            gemm,
            device,
        };
        classifier.self_check()?;
        Ok(classifier)
    }

    /// Refuses the model if the GEMM path and the generated `forward` disagree on two probe
    /// images (one batch), i.e. if the layer list no longer describes the model.
    fn self_check(&self) -> Result<(), ModelError> {
        let probes: [Input; 2] = [
            std::array::from_fn(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0),
            std::array::from_fn(|i| ((i % 28 + i / 28) % 7) as f32 * 0.5 - 1.0),
        ];
        let reference = self.reference_logits(&probes)?;
        let ours = self.logits(&probes)?;
        for (a, b) in ours.iter().flatten().zip(reference.iter().flatten()) {
            if (a - b).abs() > SELF_CHECK_TOLERANCE * (1.0 + b.abs()) {
                return Err(ModelError::Load(format!(
                    "the GEMM path gives logit {a} where the generated model gives {b}: \
                     its layer list does not match the model"
                )));
            }
        }
        Ok(())
    }

    /// Runs one forward pass over `images` as a single batch and returns their logits, with the
    /// convolutions as GEMMs (the crate's `gemm` module).
    pub fn logits(&self, images: &[Input]) -> Result<Vec<Logits>, ModelError> {
        self.gemm.logits(images)
    }

    /// The same as [`Classifier::logits`] through the `forward` that burn-onnx generated (Burn's
    /// direct convolution): the reference for tests and benchmarks, several times slower.
    pub fn reference_logits(&self, images: &[Input]) -> Result<Vec<Logits>, ModelError> {
        if images.is_empty() {
            return Ok(Vec::new());
        }
        let flat: Vec<f32> = images.iter().flatten().copied().collect();
        let input = Tensor::<4>::from_data(
            TensorData::new(flat, [images.len(), 1, 28, 28]),
            &self.device,
        );
        let output = self
            .model
            .forward(input)
            .try_into_data()
            .map_err(|e| ModelError::Inference(format!("{e:?}")))?;
        let values = output
            .as_slice::<f32>()
            .map_err(|e| ModelError::Inference(format!("{e:?}")))?;
        if values.len() != images.len() * CLASSES {
            return Err(ModelError::Inference(format!(
                "expected {} outputs, got {}",
                images.len() * CLASSES,
                values.len()
            )));
        }
        Ok(values.as_chunks::<CLASSES>().0.to_vec())
    }

    /// Classifies `images` in one batch.
    pub fn predict(&self, images: &[Input]) -> Result<Vec<Prediction>, ModelError> {
        Ok(self
            .logits(images)?
            .into_iter()
            .map(Prediction::from_logits)
            .collect())
    }
}

/// The model's answer for one image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The most likely digit (argmax of the logits).
    pub digit: u8,
    /// Raw scores as the network outputs them.
    pub logits: Logits,
    /// Softmax of the logits; they sum to 1 but are not calibrated confidences.
    pub probabilities: [f32; CLASSES],
}

impl Prediction {
    /// Derives the argmax and the softmax from raw logits.
    pub fn from_logits(logits: Logits) -> Self {
        Self {
            digit: argmax(&logits),
            logits,
            probabilities: softmax(&logits),
        }
    }

    /// The probability of the predicted digit.
    pub fn confidence(&self) -> f32 {
        self.probabilities[usize::from(self.digit)]
    }
}

/// Index of the largest logit; the first one wins a tie.
pub fn argmax(logits: &Logits) -> u8 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    // CLASSES is 10, so the index always fits.
    best as u8
}

/// Numerically stable softmax (the maximum is subtracted before exponentiating).
pub fn softmax(logits: &Logits) -> [f32; CLASSES] {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out = logits.map(|v| (v - max).exp());
    let sum: f32 = out.iter().sum();
    for v in &mut out {
        *v /= sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let logits = [1.0, 2.0, 3.0, -1.0, 0.0, 0.5, 100.0, -100.0, 2.0, 3.0];
        let p = softmax(&logits);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(argmax(&p), argmax(&logits));
        assert!(p.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        let mut logits = [0.0; CLASSES];
        logits[3] = 5.0;
        logits[7] = 5.0;
        assert_eq!(argmax(&logits), 3);
    }

    #[test]
    fn weights_given_as_bytes_make_the_same_classifier() {
        let embedded = Classifier::load().expect("embedded weights");
        let fetched = Classifier::from_weights(weights().to_vec()).expect("weights as bytes");
        let image: Input = std::array::from_fn(|i| ((i * 13 % 29) as f32 / 14.0) - 1.0);
        assert_eq!(
            embedded.logits(&[image]).expect("logits"),
            fetched.logits(&[image]).expect("logits")
        );
        // Damaged or truncated weights are refused, not half-loaded.
        assert!(Classifier::from_weights(weights()[..weights().len() / 2].to_vec()).is_err());
        assert!(Classifier::from_weights(b"not a burnpack".to_vec()).is_err());
    }

    #[test]
    fn model_version_is_a_sha_prefix() {
        assert_eq!(MODEL_VERSION.len(), 12);
        assert!(MODEL_SHA256.starts_with(MODEL_VERSION));
        assert!(MODEL_VERSION.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
