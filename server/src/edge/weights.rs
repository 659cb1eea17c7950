//! `GET /api/model/{version}.bpk`: the model's weights for the live guess in the browser, which
//! runs the same model crate compiled to WebAssembly but does not carry the weights in its
//! bundle (data is not split into lazily loaded chunks). Public, as visitors draw too; the file
//! is the one compiled into this binary, named by its version, so it is cached for good, and a
//! page built for another version gets 404 and says to reload.

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use trazo_model::MODEL_VERSION;

use crate::failure::json_error;

/// The file name this server answers to.
pub fn file_name() -> String {
    format!("{MODEL_VERSION}.bpk")
}

pub async fn download(Path(file): Path<String>) -> Response {
    if file != file_name() {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("This server runs model {MODEL_VERSION}: reload the page for its live guess."),
        );
    }
    let mut response = trazo_model::weights().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
