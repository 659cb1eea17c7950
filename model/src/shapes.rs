//! What goes into the network and what comes out: the image and class sizes, the input and
//! logit types, the errors, and the CPU device the network runs on. Shared by the generated
//! model's wrapper (`model`) and the GEMM path (`gemm`).

use burn::tensor::Device;

/// Number of input pixels per image (28 x 28).
pub const PIXELS: usize = 28 * 28;
/// Number of classes (digits 0-9).
pub const CLASSES: usize = 10;

/// One normalised image as the model takes it: row-major 28 x 28, see [`crate::preprocess::normalise`].
pub type Input = [f32; PIXELS];
/// Raw (uncalibrated) scores for the digits 0-9.
pub type Logits = [f32; CLASSES];

// NdArray (feature `ndarray`, the default) is the backend the project specifies. Flex (feature
// `flex`) is Burn 0.22's newer CPU backend, selectable for comparison; if both features are
// enabled (`--features flex` without `--no-default-features`), Flex is used.
#[cfg(feature = "flex")]
pub(crate) fn cpu_device() -> Device {
    Device::flex()
}

#[cfg(all(feature = "ndarray", not(feature = "flex")))]
pub(crate) fn cpu_device() -> Device {
    // Burn 0.22 marks burn-ndarray deprecated in favour of Flex; it is still the specified backend.
    #[allow(deprecated)]
    Device::ndarray()
}

#[cfg(not(any(feature = "flex", feature = "ndarray")))]
compile_error!("enable the `ndarray` (default) or `flex` feature of trazo-model");

/// Errors from loading or running the model.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelError {
    /// The embedded weights did not load into the generated model.
    #[error("cannot load the model weights: {0}")]
    Load(String),
    /// The backend failed to produce the output.
    #[error("inference failed: {0}")]
    Inference(String),
}
