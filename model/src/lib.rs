//! trazo's digit recogniser: bytes in, digit out.
//!
//! - [`preprocess`] turns an uploaded PNG, JPEG or GIF into the 28x28 MNIST-style input;
//! - [`model`] is the CNN, generated from `trazo-mnist.onnx` by burn-onnx (`make model`);
//! - `gemm` runs the same CNN with its convolutions as matrix products (what [`Classifier`]
//!   uses; the generated `forward` stays as the reference);
//! - [`engine`] runs it on worker threads behind a bounded queue for the async server;
//! - [`idx`] reads the MNIST files for evaluation, tests and benchmarks, and writes people's
//!   labelled digits in the same format.

pub mod engine;
mod gemm;
pub mod idx;
pub mod model;
pub mod preprocess;
mod shapes;

pub use engine::{Engine, EngineError, Pending};
pub use model::{Classifier, MODEL_VERSION, ModelError, Prediction, weights};
pub use preprocess::{PREPROCESS_VERSION, PreprocessError, Preprocessed, preprocess};
