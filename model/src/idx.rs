//! The gzip-compressed IDX files MNIST ships in: read for evaluation, tests and benches, and
//! written for the datasets people make of their own labelled digits (the same layout, so any
//! program that reads MNIST reads them unchanged).

use std::{
    env,
    fs::{self, File},
    io::{self, BufReader, Read},
    path::{Path, PathBuf},
};

use flate2::{Compression, read::GzDecoder, write::GzEncoder};

/// Side length of an MNIST image.
pub const SIDE: usize = 28;

/// The standard MNIST test-set file names.
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte.gz";
/// The standard MNIST test-set label file name.
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte.gz";
/// The standard MNIST training-set image file name.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte.gz";
/// The standard MNIST training-set label file name.
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte.gz";

/// One MNIST image: 28 x 28 bytes, row-major, white (255) ink on black (0).
pub type Digit = [u8; SIDE * SIDE];

/// Errors reading IDX files.
#[derive(Debug, thiserror::Error)]
pub enum IdxError {
    /// The file could not be opened or read (or was not gzip).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The content is not the expected IDX layout.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// The MNIST directory: `$MNIST_DIR`, default `../shared/mnist`; a relative path is taken
/// relative to the repository root (as `training/` does), not to the working directory.
///
/// The root is looked up when this runs: the nearest folder at or above the working directory
/// whose `Cargo.toml` is a workspace (outside a checkout, the working directory itself). It is
/// never baked in at compile time: every checkout builds into one shared target directory, so a
/// test or `eval` binary built in one checkout may run in another, and must read that one's MNIST.
pub fn mnist_dir() -> PathBuf {
    let dir = env::var_os("MNIST_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from("../shared/mnist"), PathBuf::from);
    let cwd = env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // `join` keeps an absolute `dir` as it is.
    repository_root(&cwd).join(dir)
}

/// The repository root seen from `start`: the nearest of `start` and its ancestors whose
/// `Cargo.toml` has a `[workspace]` section (cargo runs tests and benches in the package's own
/// folder, `make` in the root), or `start` itself when there is none.
fn repository_root(start: &Path) -> PathBuf {
    let is_workspace = |dir: &Path| {
        fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|toml| toml.lines().any(|line| line.trim() == "[workspace]"))
    };
    start
        .ancestors()
        .find(|dir| is_workspace(dir))
        .unwrap_or(start)
        .to_path_buf()
}

/// Reads the 10,000 test images and labels from `dir`.
pub fn load_test_set(dir: &Path) -> Result<(Vec<Digit>, Vec<u8>), IdxError> {
    let images = read_images(&dir.join(TEST_IMAGES))?;
    let labels = read_labels(&dir.join(TEST_LABELS))?;
    if images.len() != labels.len() {
        return Err(IdxError::Format {
            path: dir.join(TEST_LABELS),
            reason: format!("{} labels for {} images", labels.len(), images.len()),
        });
    }
    Ok((images, labels))
}

/// Reads an `idx3-ubyte.gz` file of 28 x 28 images.
pub fn read_images(path: &Path) -> Result<Vec<Digit>, IdxError> {
    let data = read_gz(path)?;
    let dims = parse_header(path, &data, 0x0803, 3)?;
    if dims[1..] != [SIDE, SIDE] {
        return Err(format_error(
            path,
            format!("images are {dims:?}, expected 28x28"),
        ));
    }
    let body = &data[16..];
    if body.len() != dims[0] * SIDE * SIDE {
        return Err(format_error(
            path,
            "pixel data length does not match the header",
        ));
    }
    Ok(body.as_chunks::<{ SIDE * SIDE }>().0.to_vec())
}

/// Reads an `idx1-ubyte.gz` label file.
pub fn read_labels(path: &Path) -> Result<Vec<u8>, IdxError> {
    let data = read_gz(path)?;
    let dims = parse_header(path, &data, 0x0801, 1)?;
    let body = &data[8..];
    if body.len() != dims[0] {
        return Err(format_error(path, "label count does not match the header"));
    }
    if body.iter().any(|&l| l > 9) {
        return Err(format_error(path, "label outside 0-9"));
    }
    Ok(body.to_vec())
}

fn read_gz(path: &Path) -> Result<Vec<u8>, IdxError> {
    let io_error = |source| IdxError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut data = Vec::new();
    GzDecoder::new(BufReader::new(file))
        .read_to_end(&mut data)
        .map_err(io_error)?;
    Ok(data)
}

/// Checks the magic number and returns the dimensions (big-endian u32 each).
fn parse_header(path: &Path, data: &[u8], magic: u32, rank: usize) -> Result<Vec<usize>, IdxError> {
    let header_len = 4 + 4 * rank;
    if data.len() < header_len {
        return Err(format_error(path, "shorter than the IDX header"));
    }
    let word = |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    if word(0) != magic {
        return Err(format_error(
            path,
            format!("magic {:#010x}, expected {magic:#010x}", word(0)),
        ));
    }
    Ok((0..rank).map(|d| word(4 + 4 * d) as usize).collect())
}

fn format_error(path: &Path, reason: impl Into<String>) -> IdxError {
    IdxError::Format {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// `digits` as an `idx3-ubyte.gz` file (magic 0x0803, dimensions count × 28 × 28).
pub fn write_images(digits: &[Digit]) -> Vec<u8> {
    let mut raw = idx_header(0x0803, &[digits.len(), SIDE, SIDE]);
    raw.reserve(digits.len() * SIDE * SIDE);
    for digit in digits {
        raw.extend_from_slice(digit);
    }
    gzip(&raw)
}

/// `labels` as an `idx1-ubyte.gz` file (magic 0x0801, dimension count).
pub fn write_labels(labels: &[u8]) -> Vec<u8> {
    let mut raw = idx_header(0x0801, &[labels.len()]);
    raw.extend_from_slice(labels);
    gzip(&raw)
}

/// The magic number and the big-endian dimensions. Counts past `u32::MAX` cannot be written in
/// IDX; callers hold far fewer than that.
fn idx_header(magic: u32, dims: &[usize]) -> Vec<u8> {
    let mut header = magic.to_be_bytes().to_vec();
    for &dim in dims {
        let dim = u32::try_from(dim).expect("an IDX dimension fits in 32 bits");
        header.extend_from_slice(&dim.to_be_bytes());
    }
    header
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(raw.len() / 4 + 64),
        Compression::default(),
    );
    // Writing into a Vec cannot fail.
    io::Write::write_all(&mut encoder, raw).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

/// The first `per_class` images of each digit, in file order: a fixed, stratified subset.
pub fn stratified_indices(labels: &[u8], per_class: usize) -> Vec<usize> {
    let mut taken = [0usize; 10];
    labels
        .iter()
        .enumerate()
        .filter_map(|(i, &label)| {
            let slot = taken.get_mut(usize::from(label))?;
            (*slot < per_class).then(|| {
                *slot += 1;
                i
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_takes_first_of_each_class_in_order() {
        let labels = [0, 1, 0, 2, 1, 0, 9, 9, 9];
        assert_eq!(stratified_indices(&labels, 2), vec![0, 1, 2, 3, 4, 6, 7]);
    }

    #[test]
    fn header_rejects_wrong_magic() {
        let data = [0, 0, 8, 1, 0, 0, 0, 1, 5];
        assert!(parse_header(Path::new("x"), &data, 0x0803, 3).is_err());
        assert_eq!(
            parse_header(Path::new("x"), &data, 0x0801, 1).expect("valid header"),
            vec![1]
        );
    }

    /// A fresh folder under the system's temporary directory, removed when dropped.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new(name: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = env::temp_dir().join(format!("trazo-{name}-{}-{nanos}", std::process::id()));
            fs::create_dir_all(&dir).expect("scratch dir");
            Self(dir)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn written_files_read_back_unchanged() {
        let scratch = ScratchDir::new("idx-round-trip");
        let mut digits = vec![[0u8; SIDE * SIDE]; 3];
        for (n, digit) in digits.iter_mut().enumerate() {
            for (i, pixel) in digit.iter_mut().enumerate() {
                *pixel = ((i * 7 + n * 31) % 256) as u8;
            }
        }
        let labels = [7, 0, 9];
        let images_path = scratch.0.join("images-idx3-ubyte.gz");
        let labels_path = scratch.0.join("labels-idx1-ubyte.gz");
        fs::write(&images_path, write_images(&digits)).expect("images");
        fs::write(&labels_path, write_labels(&labels)).expect("labels");
        assert_eq!(read_images(&images_path).expect("read images"), digits);
        assert_eq!(read_labels(&labels_path).expect("read labels"), labels);

        // The header is MNIST's, byte for byte.
        let mut raw = Vec::new();
        GzDecoder::new(&write_images(&digits)[..])
            .read_to_end(&mut raw)
            .expect("gunzip");
        assert_eq!(
            raw[..16],
            [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]
        );
        assert_eq!(raw.len(), 16 + 3 * 784);

        // No digits: a valid, empty pair.
        fs::write(&images_path, write_images(&[])).expect("images");
        fs::write(&labels_path, write_labels(&[])).expect("labels");
        assert!(read_images(&images_path).expect("empty images").is_empty());
        assert!(read_labels(&labels_path).expect("empty labels").is_empty());
    }

    #[test]
    fn repository_root_is_the_nearest_workspace_above_the_start() {
        let scratch = ScratchDir::new("repository-root");
        let root = scratch.0.join("checkout");
        let package = root.join("model");
        fs::create_dir_all(package.join("src")).expect("layout");
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"model\"]\n",
        )
        .expect("root");
        fs::write(package.join("Cargo.toml"), "[package]\nname = \"m\"\n").expect("package");

        // From the root (`make`), the package folder (`cargo test`) and deeper.
        for start in [&root, &package, &package.join("src")] {
            assert_eq!(repository_root(start), root, "from {}", start.display());
        }
        // A package manifest alone is no root; with no workspace above, the start is the root.
        let outside = scratch.0.join("elsewhere");
        fs::create_dir_all(&outside).expect("outside");
        fs::write(outside.join("Cargo.toml"), "[package]\nname = \"o\"\n").expect("manifest");
        assert_eq!(repository_root(&outside), outside);
    }
}
