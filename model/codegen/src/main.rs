//! `make model`: writes `model/src/generated/` from `model/trazo-mnist.onnx` with burn-onnx: the
//! Burn code of the network (`trazo-mnist.rs`) and its weights in Burnpack form
//! (`trazo-mnist.bpk`), which that code embeds. Both are committed, so no build runs the code
//! generator; `model/build.rs` refuses to build when the ONNX file no longer has the SHA-256
//! recorded in the generated code's header.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use burn_onnx::{LoadStrategy, ModelGen};
use sha2::{Digest, Sha256};

/// The network's file name without extension: the ONNX input and both outputs share it.
const NAME: &str = "trazo-mnist";
/// How the header records the ONNX file's SHA-256 (read by `model/build.rs`).
const HASH_PREFIX: &str = "// onnx-sha256: ";

fn main() -> ExitCode {
    match run() {
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("model codegen: {why}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Vec<PathBuf>, String> {
    // This crate lives in model/codegen/.
    let model_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the codegen crate has no parent folder")?;
    let onnx = model_dir.join(format!("{NAME}.onnx"));
    let out_dir = model_dir.join("src").join("generated");
    let onnx_bytes = fs::read(&onnx).map_err(|e| format!("cannot read {}: {e}", onnx.display()))?;

    // burn-onnx writes absolute paths into the code (the comment naming its input, the weights'
    // include_bytes! and a panic message): generate into a scratch folder, then write the code
    // with those paths made relative to the committed folder.
    let scratch = env::temp_dir().join(format!("trazo-model-codegen-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let result = generate(&onnx, &onnx_bytes, &scratch, &out_dir);
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn generate(
    onnx: &Path,
    onnx_bytes: &[u8],
    scratch: &Path,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let onnx_str = onnx.to_str().ok_or("the ONNX path must be valid UTF-8")?;
    let scratch_str = scratch
        .to_str()
        .ok_or("the temp path must be valid UTF-8")?;
    ModelGen::new()
        .input(onnx_str)
        .out_dir(scratch_str)
        .development(false)
        .load_strategy(LoadStrategy::Embedded)
        .run_from_cli();

    let code_path = scratch.join(format!("{NAME}.rs"));
    let weights_path = scratch.join(format!("{NAME}.bpk"));
    let code = fs::read_to_string(&code_path)
        .map_err(|e| format!("burn-onnx wrote no {}: {e}", code_path.display()))?;
    let weights = fs::read(&weights_path)
        .map_err(|e| format!("burn-onnx wrote no {}: {e}", weights_path.display()))?;

    let hash: String = Sha256::digest(onnx_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let code = relocate(&code, weights_path.to_str().unwrap_or_default(), &hash)?;

    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let code_out = out_dir.join(format!("{NAME}.rs"));
    let weights_out = out_dir.join(format!("{NAME}.bpk"));
    fs::write(&weights_out, weights)
        .map_err(|e| format!("cannot write {}: {e}", weights_out.display()))?;
    fs::write(&code_out, code).map_err(|e| format!("cannot write {}: {e}", code_out.display()))?;
    Ok(vec![code_out, weights_out])
}

/// The generated code with its first line (burn-onnx's comment naming the absolute input path)
/// replaced by a header that records the ONNX file's SHA-256, and the weights' absolute path
/// replaced by the file name, which `include_bytes!` resolves next to the code.
fn relocate(code: &str, weights_path: &str, hash: &str) -> Result<String, String> {
    let (first, rest) = code
        .split_once('\n')
        .ok_or("burn-onnx wrote an empty file")?;
    if !first.starts_with("// Generated from ONNX") {
        return Err(format!("unexpected first line from burn-onnx: {first}"));
    }
    let quoted = format!("{weights_path:?}");
    if !rest.contains(&quoted) {
        return Err(format!(
            "the generated code does not name its weights {quoted}"
        ));
    }
    let rest = rest.replace(&quoted, &format!("\"{NAME}.bpk\""));
    if rest.contains(weights_path) {
        return Err("the generated code names its scratch folder elsewhere".to_owned());
    }
    Ok(format!(
        "// Generated from model/{NAME}.onnx by burn-onnx 0.22 (`make model`); do not edit.\n\
         {HASH_PREFIX}{hash}\n{rest}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocate_records_the_hash_and_names_the_weights_relatively() {
        let code = "// Generated from ONNX \"/abs/m.onnx\" by burn-onnx\nuse x;\n\
                    include_bytes!(\"/tmp/s/trazo-mnist.bpk\")\npanic!(\"{}\", \"/tmp/s/trazo-mnist.bpk\")\n";
        let out = relocate(code, "/tmp/s/trazo-mnist.bpk", "ab12").expect("relocates");
        assert!(out.starts_with("// Generated from model/trazo-mnist.onnx"));
        assert!(out.contains("\n// onnx-sha256: ab12\n"));
        assert!(out.contains("include_bytes!(\"trazo-mnist.bpk\")"));
        assert!(!out.contains("/tmp/s"));
    }

    #[test]
    fn relocate_refuses_code_it_does_not_recognise() {
        assert!(relocate("fn main() {}\n", "/tmp/s/w.bpk", "ab").is_err());
        assert!(
            relocate(
                "// Generated from ONNX x\nno weights\n",
                "/tmp/s/w.bpk",
                "ab"
            )
            .is_err()
        );
    }
}
