//! Generates the Burn model from `trazo-mnist.onnx` (weights embedded) and the model version.

use std::{env, fs, path::Path};

use burn_onnx::{LoadStrategy, ModelGen};
use sha2::{Digest, Sha256};

const ONNX: &str = "trazo-mnist.onnx";

fn main() {
    println!("cargo:rerun-if-changed={ONNX}");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let onnx_path = Path::new(&manifest_dir).join(ONNX);
    let onnx =
        fs::read(&onnx_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", onnx_path.display()));

    // The version is derived from the file itself so that a retrained model can never be
    // served under a stale cache key.
    let sha256: String = Sha256::digest(&onnx)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=TRAZO_MODEL_SHA256={sha256}");
    println!("cargo:rustc-env=TRAZO_MODEL_VERSION={}", &sha256[..12]);

    let onnx_str = onnx_path
        .to_str()
        .expect("the crate path must be valid UTF-8 for burn-onnx");
    // Embedded: the weights are compiled into the binary, so a release build needs no files.
    ModelGen::new()
        .input(onnx_str)
        .out_dir("model/")
        .development(false)
        .load_strategy(LoadStrategy::Embedded)
        .run_from_script();
}
