//! Checks that the committed Burn code in `src/generated/` was generated from the committed
//! `trazo-mnist.onnx` (`make model` writes it, with burn-onnx, which no build compiles), derives the
//! GEMM path's layer list from it, and sets the model version from the ONNX file's SHA-256.

use std::{env, fs, path::Path};

use sha2::{Digest, Sha256};

const ONNX: &str = "trazo-mnist.onnx";
const GENERATED: &str = "src/generated/trazo-mnist.rs";
const WEIGHTS: &str = "src/generated/trazo-mnist.bpk";
/// How the generated code's header records the SHA-256 of the ONNX file it came from.
const HASH_PREFIX: &str = "// onnx-sha256: ";

fn main() {
    for path in [ONNX, GENERATED, WEIGHTS, "build.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let manifest_dir = Path::new(&manifest_dir);
    let onnx_path = manifest_dir.join(ONNX);
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

    let generated_path = manifest_dir.join(GENERATED);
    let source = fs::read_to_string(&generated_path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; `make model` generates it from {ONNX}",
            generated_path.display()
        )
    });
    let recorded = source
        .lines()
        .find_map(|line| line.strip_prefix(HASH_PREFIX))
        .unwrap_or("none");
    assert!(
        recorded == sha256,
        "{ONNX} (SHA-256 {sha256}) is not the file {GENERATED} was generated from \
         (SHA-256 {recorded}): run `make model` to generate the model code again"
    );

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(
        Path::new(&out_dir).join("layers.rs"),
        layers_source(&source),
    )
    .expect("write layers.rs");
}

/// `fn layers(&Model)` for the GEMM path (`src/gemm.rs`): the generated `forward`'s layers in
/// order, read from the generated source. A `forward` that is not a chain of known layers gives
/// a `layers` that returns the reason instead, so the model is refused at load, not at build.
fn layers_source(source: &str) -> String {
    let body = match forward_ops(source) {
        Ok(ops) => format!("Ok(vec![{}])", ops.join(", ")),
        Err(why) => format!("Err({:?}.to_owned())", why),
    };
    format!(
        "/// The layers `forward` runs, in order (written by build.rs from the generated source).\n\
         pub(super) fn layers(model: &Model) -> Result<Vec<super::Op<'_>>, String> {{\n    {body}\n}}\n"
    )
}

/// The `forward` of the generated source as `Op` expressions, if it is a plain chain of
/// layers: every statement takes the previous one's output.
fn forward_ops(source: &str) -> Result<Vec<String>, String> {
    let fields = struct_fields(source).ok_or("no `pub struct Model` in the generated source")?;
    let start = source
        .find("pub fn forward(")
        .ok_or("no `forward` in the generated source")?;
    let mut lines = source[start..].lines().skip(1);
    let mut ops = Vec::new();
    let mut previous = "input".to_owned();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line == "}" {
            return Err("`forward` ends without returning its last layer's output".to_owned());
        }
        let Some(statement) = line.strip_prefix("let ") else {
            // The last line returns the last output.
            return if line == previous {
                Ok(ops)
            } else {
                Err(format!(
                    "`forward` returns `{line}`, not its last layer's output"
                ))
            };
        };
        let (output, expression) = statement
            .split_once(" = ")
            .ok_or_else(|| format!("unexpected statement in `forward`: {line}"))?;
        let (op, input) = if expression == "{" {
            flatten_block(&mut lines)?
        } else {
            call(expression, &fields)?
        };
        if input != previous {
            return Err(format!(
                "`{output}` takes `{input}`, not `{previous}`: not a chain"
            ));
        }
        ops.push(op);
        previous = output.to_owned();
    }
    Err("`forward` has no end".to_owned())
}

/// The fields of `pub struct Model` and their types.
fn struct_fields(source: &str) -> Option<Vec<(String, String)>> {
    let start = source.find("pub struct Model {")?;
    let body = &source[start..][..source[start..].find("\n}")?];
    Some(
        body.lines()
            .skip(1)
            .filter_map(|line| line.trim().trim_end_matches(',').split_once(": "))
            .map(|(name, ty)| (name.to_owned(), ty.to_owned()))
            .collect(),
    )
}

/// `self.field.forward(input);` or `burn::tensor::activation::relu(input);` as an `Op` and its
/// input.
fn call(expression: &str, fields: &[(String, String)]) -> Result<(String, String), String> {
    let unknown = || format!("`forward` runs something the GEMM path does not know: {expression}");
    let argument = |rest: &str| {
        rest.strip_suffix(");")
            .map(str::to_owned)
            .ok_or_else(unknown)
    };
    if let Some(rest) = expression.strip_prefix("burn::tensor::activation::relu(") {
        return Ok(("super::Op::Relu".to_owned(), argument(rest)?));
    }
    let (field, rest) = expression
        .strip_prefix("self.")
        .and_then(|rest| rest.split_once(".forward("))
        .ok_or_else(unknown)?;
    let ty = fields
        .iter()
        .find(|(name, _)| name == field)
        .map(|(_, ty)| ty.as_str())
        .ok_or_else(unknown)?;
    let variant = match ty {
        "Conv2d" => "Conv",
        "MaxPool2d" => "MaxPool",
        "AdaptiveAvgPool2d" => "AdaptiveAvgPool",
        "Linear" => "Linear",
        _ => {
            return Err(format!(
                "layer `{field}` is a {ty}, which the GEMM path cannot run"
            ));
        }
    };
    Ok((
        format!("super::Op::{variant}(&model.{field})"),
        argument(rest)?,
    ))
}

/// The block burn-onnx writes for ONNX `Flatten` with axis 1 (the batch dimension kept, the
/// rest flattened into one) as an `Op` and its input; any other block is refused.
fn flatten_block<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
) -> Result<(String, String), String> {
    let block: Vec<&str> = lines.map(str::trim).take_while(|l| *l != "};").collect();
    let input = block
        .first()
        .and_then(|line| line.strip_prefix("let leading_dim = "))
        .unwrap_or_default();
    let flatten = [
        format!("let leading_dim = {input}"),
        ".shape()[..1]".to_owned(),
        ".iter()".to_owned(),
        ".product::<usize>() as i32;".to_owned(),
        format!("{input}.reshape::<2, _>([leading_dim, -1])"),
    ];
    if input.is_empty() || block != flatten {
        return Err(format!(
            "a block in `forward` that is not a flatten: {block:?}"
        ));
    }
    Ok(("super::Op::Flatten".to_owned(), input.to_owned()))
}
