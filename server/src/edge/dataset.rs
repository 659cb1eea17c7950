//! `GET /api/dataset/{file}`: the caller's labelled digits (the predictions they confirmed or
//! corrected, `POST /api/label`) as a dataset of their own, in MNIST's own format — an IDX pair,
//! `images-idx3-ubyte.gz` and `labels-idx1-ubyte.gz`, which any program that reads MNIST reads
//! unchanged — or as `digits.csv` (`label,pixel0,…,pixel783`, the layout of Kaggle's MNIST
//! CSV). The image is the 28×28 input the model saw; the label is what the person said.
//!
//! The two IDX files come from two requests: `?until=` (Unix milliseconds, which the history
//! page puts in both links) leaves out labels given after that moment, so a label given between
//! the two downloads cannot pair an image with another digit's label.
//!
//! Building a file decodes every labelled image of its user (a PNG each, tens of microseconds)
//! and encodes the file: a year of labelling is tens of thousands of images and seconds of CPU.
//! So it runs on a blocking thread, never on the threads that answer requests, behind a bound
//! ([`crate::admission::Exports`]) checked after the cheap checks (the file name, the session): one download is
//! built at a time, two more wait briefly, and the rest are refused at once with a 503 and
//! `Retry-After`, so a flood of downloads holds one core at most.

use std::io::Cursor;

use axum::{
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde::Deserialize;
use trazo_model::idx::{self, Digit, SIDE};

use crate::{
    accounts::sessions::Fallback,
    failure::{database, failure_response, internal, json_error},
    state::AppState,
};

/// The files, by the name in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetFile {
    Images,
    Labels,
    Csv,
}

impl DatasetFile {
    pub const ALL: [Self; 3] = [Self::Images, Self::Labels, Self::Csv];

    pub fn name(self) -> &'static str {
        match self {
            Self::Images => "images-idx3-ubyte.gz",
            Self::Labels => "labels-idx1-ubyte.gz",
            Self::Csv => "digits.csv",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Images | Self::Labels => "application/gzip",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Snapshot {
    until: Option<i64>,
}

/// `GET /api/dataset/{file}` (a session: the access cookie or `Authorization: Bearer`).
pub async fn download(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(snapshot): Query<Snapshot>,
    request: Request,
) -> Response {
    let Some(file) = DatasetFile::ALL.into_iter().find(|f| f.name() == name) else {
        return json_error(
            StatusCode::NOT_FOUND,
            "No such file: the dataset is images-idx3-ubyte.gz, labels-idx1-ubyte.gz or digits.csv",
        );
    };
    let (parts, _body) = request.into_parts();
    let caller = match state.sessions.authenticate(&parts, Fallback::None).await {
        Ok(caller) => caller,
        Err(failure) => return failure_response(&failure),
    };
    let _turn = match state.dataset_exports.enter().await {
        Ok(turn) => turn,
        Err(failure) => return failure_response(&failure),
    };
    let rows = match state
        .predictions_port
        .history
        .labelled(&caller.user.id, snapshot.until)
        .await
    {
        Ok(rows) => rows,
        Err(error) => return failure_response(&database(&error, "reading a dataset")),
    };
    let built = tokio::task::spawn_blocking(move || {
        let examples: Vec<(Digit, u8)> = rows
            .iter()
            .filter_map(|row| Some((pixels(&row.image)?, row.label?)))
            .collect();
        build(file, &examples)
    })
    .await;
    let body = match built {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "building a dataset download failed");
            return failure_response(&internal());
        }
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type()),
    );
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"trazo-{}\"", file.name()))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    // Someone's own data: never kept by a cache on the way.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The bytes of `file` for these examples.
fn build(file: DatasetFile, examples: &[(Digit, u8)]) -> Vec<u8> {
    match file {
        DatasetFile::Images => {
            idx::write_images(&examples.iter().map(|(digit, _)| *digit).collect::<Vec<_>>())
        }
        DatasetFile::Labels => {
            idx::write_labels(&examples.iter().map(|(_, label)| *label).collect::<Vec<_>>())
        }
        DatasetFile::Csv => csv(examples).into_bytes(),
    }
}

/// The 28×28 pixels of a stored `data:image/png;base64,…` image; `None` if it is not one (never
/// the case for what trazo stored; such a row is left out of every file alike).
pub fn pixels(data_url: &str) -> Option<Digit> {
    let encoded = data_url.strip_prefix("data:image/png;base64,")?;
    let png = STANDARD.decode(encoded).ok()?;
    let image = image::ImageReader::with_format(Cursor::new(png), image::ImageFormat::Png)
        .decode()
        .ok()?
        .to_luma8();
    if image.dimensions() != (SIDE as u32, SIDE as u32) {
        return None;
    }
    image.into_raw().try_into().ok()
}

/// `label,pixel0,…,pixel783`, then one row per example.
pub fn csv(examples: &[(Digit, u8)]) -> String {
    let mut out = String::from("label");
    for i in 0..SIDE * SIDE {
        out.push_str(&format!(",pixel{i}"));
    }
    out.push('\n');
    for (digit, label) in examples {
        out.push_str(&label.to_string());
        for pixel in digit {
            out.push(',');
            out.push_str(&pixel.to_string());
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_url(pixels: &Digit) -> String {
        let image = image::GrayImage::from_raw(28, 28, pixels.to_vec()).expect("28x28");
        let mut png = Cursor::new(Vec::new());
        image
            .write_to(&mut png, image::ImageFormat::Png)
            .expect("png");
        format!(
            "data:image/png;base64,{}",
            STANDARD.encode(png.into_inner())
        )
    }

    #[test]
    fn stored_images_decode_to_their_pixels() {
        let mut digit = [0u8; SIDE * SIDE];
        digit[28 * 14 + 14] = 255;
        digit[3] = 17;
        assert_eq!(pixels(&data_url(&digit)), Some(digit));
        assert_eq!(pixels("data:image/png;base64,!!!"), None);
        assert_eq!(pixels("https://example.com/x.png"), None);
    }

    #[test]
    fn csv_has_mnist_csv_columns() {
        let mut digit = [0u8; SIDE * SIDE];
        digit[783] = 200;
        let text = csv(&[(digit, 4)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("label,pixel0,pixel1,"));
        assert!(lines[0].ends_with(",pixel783"));
        assert_eq!(lines[1].split(',').count(), 785);
        assert!(lines[1].starts_with("4,0,"));
        assert!(lines[1].ends_with(",200"));
    }
}
