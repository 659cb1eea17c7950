//! Accuracy and confusion matrix of the model on MNIST or on a directory of labelled images.
//!
//! ```text
//! cargo run --release --bin eval                  # MNIST test set from $MNIST_DIR
//! cargo run --release --bin eval -- --preprocess  # same, each digit encoded as PNG and preprocessed
//! cargo run --release --bin eval -- DIR           # DIR/<digit>/*.png|jpg|jpeg|gif, full path
//! ```

use std::{
    error::Error,
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use image::{DynamicImage, GrayImage, ImageFormat};
use trazo_model::{
    Engine, MODEL_VERSION, PREPROCESS_VERSION, idx,
    model::Input,
    preprocess::{normalise, preprocess},
};

const USAGE: &str = "usage: eval [--preprocess] [DIR]
  no DIR: the 10,000 MNIST test images from $MNIST_DIR (default ../shared/mnist beside the repo),
          fed to the model as they are (--preprocess: encoded as PNG and sent through preprocessing)
  DIR:    labelled images DIR/<digit>/<any name>.png|.jpg|.jpeg|.gif, through the full
          bytes -> preprocess -> model path; files preprocessing refuses count as errors";

/// Images per `predict_batch` call.
const CHUNK: usize = 256;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("eval: {e}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut through_preprocess = false;
    let mut dir = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--preprocess" => through_preprocess = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if dir.is_none() && !arg.starts_with('-') => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}").into()),
        }
    }

    let started = Instant::now();
    let engine = Engine::new(1, 4)?;
    let mut eval = Evaluation::default();
    match dir {
        None => {
            let mnist = idx::mnist_dir();
            let (images, labels) = idx::load_test_set(&mnist)?;
            println!(
                "MNIST test set from {} ({} images)",
                mnist.display(),
                images.len()
            );
            for (image, &label) in images.iter().zip(&labels) {
                if through_preprocess {
                    let gray = GrayImage::from_raw(28, 28, image.to_vec()).ok_or("bad digit")?;
                    let mut png = std::io::Cursor::new(Vec::new());
                    DynamicImage::ImageLuma8(gray).write_to(&mut png, ImageFormat::Png)?;
                    eval.add_bytes(&png.into_inner(), label, "");
                } else {
                    eval.add(normalise(image), label);
                }
            }
        }
        Some(dir) => {
            println!("labelled images under {}", dir.display());
            for (path, label) in labelled_files(&dir)? {
                let bytes = fs::read(&path)?;
                eval.add_bytes(&bytes, label, &path.display().to_string());
            }
        }
    }
    eval.finish(&engine)?;
    eval.report();
    println!(
        "model {MODEL_VERSION}, preprocessing v{PREPROCESS_VERSION}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `DIR/<digit>/<file>` for digit directories 0-9 and image file extensions, sorted.
fn labelled_files(dir: &Path) -> Result<Vec<(PathBuf, u8)>, Box<dyn Error>> {
    let mut files = Vec::new();
    for label in 0..=9u8 {
        let class_dir = dir.join(label.to_string());
        if !class_dir.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&class_dir)? {
            let path = entry?.path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "gif")) {
                files.push((path, label));
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("no images found in {}/<0-9>/", dir.display()).into());
    }
    Ok(files)
}

#[derive(Default)]
struct Evaluation {
    inputs: Vec<Input>,
    labels: Vec<u8>,
    /// Files preprocessing refused, with the reason; counted as wrong.
    refused: Vec<(String, u8, String)>,
    /// confusion[true][predicted]
    confusion: [[usize; 10]; 10],
}

impl Evaluation {
    fn add(&mut self, input: Input, label: u8) {
        self.inputs.push(input);
        self.labels.push(label);
    }

    fn add_bytes(&mut self, bytes: &[u8], label: u8, name: &str) {
        match preprocess(bytes) {
            Ok(p) => self.add(p.input, label),
            Err(e) => self.refused.push((name.to_owned(), label, e.to_string())),
        }
    }

    fn finish(&mut self, engine: &Engine) -> Result<(), Box<dyn Error>> {
        for (inputs, labels) in self.inputs.chunks(CHUNK).zip(self.labels.chunks(CHUNK)) {
            for (prediction, &label) in engine.predict_batch(inputs)?.iter().zip(labels) {
                self.confusion[usize::from(label)][usize::from(prediction.digit)] += 1;
            }
        }
        Ok(())
    }

    fn report(&self) {
        let classified = self.labels.len();
        let total = classified + self.refused.len();
        let correct: usize = (0..10).map(|d| self.confusion[d][d]).sum();
        println!(
            "\naccuracy: {:.2} % ({correct}/{total}){}",
            100.0 * correct as f64 / total.max(1) as f64,
            if self.refused.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} refused by preprocessing (counted wrong), {:.2} % of the rest",
                    self.refused.len(),
                    100.0 * correct as f64 / classified.max(1) as f64
                )
            }
        );
        println!("\nconfusion matrix (rows: true digit, columns: predicted)");
        print!("true\\pred");
        for d in 0..10 {
            print!("{d:>6}");
        }
        println!("{:>8}", "recall");
        for (d, row) in self.confusion.iter().enumerate() {
            print!("{d:>9}");
            for n in row {
                print!("{n:>6}");
            }
            let sum: usize = row.iter().sum();
            println!("{:>7.2}%", 100.0 * row[d] as f64 / sum.max(1) as f64);
        }
        for (name, label, reason) in self.refused.iter().take(20) {
            println!("refused ({label}) {name}: {reason}");
        }
        if self.refused.len() > 20 {
            println!("... and {} more refused", self.refused.len() - 20);
        }
    }
}
