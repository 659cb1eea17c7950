//! Request body limits: a body over its route's limit is refused with 413, however it is sent
//! (`Content-Length` or chunked), before a handler can buffer it.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{StatusCode, header::CONTENT_LENGTH, header::CONTENT_TYPE},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures_util::StreamExt as _;

/// Largest request body the account endpoints accept.
pub const API_BODY_LIMIT: usize = 64 * 1024;

/// The largest body a route accepts, and which error shape its 413 takes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub bytes: usize,
    /// `/api/predict` answers upload errors as `{"error": ...}` (the original contract).
    pub upload: bool,
}

impl BodyLimit {
    fn refuse(self) -> Response {
        let size = human_size(self.bytes);
        let body = if self.upload {
            serde_json::json!({
                "error": format!("The file is too large. Please send an image under {size}.")
            })
        } else {
            serde_json::json!({ "msg": format!("The request is too large ({size} at most).") })
        };
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// "1 MiB", "64 KiB", "1000 bytes".
fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    match bytes {
        b if b >= KIB * KIB && b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// Refuses bodies over the limit with 413, however they are sent: at once when
/// `Content-Length` says so, and otherwise (chunked) as soon as the bytes read pass it — the
/// handler then sees its body end in an error, and whatever it answered is replaced by the 413.
pub async fn limit_body(State(limit): State<BodyLimit>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.bytes as u64) {
        return limit.refuse();
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let (parts, body) = request.into_parts();
    let flag = exceeded.clone();
    let mut seen = 0usize;
    let counted = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit.bytes {
            flag.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other("the request body is over the limit"));
        }
        Ok(chunk)
    });
    let response = next
        .run(Request::from_parts(parts, Body::from_stream(counted)))
        .await;
    if exceeded.load(Ordering::Relaxed) {
        return limit.refuse();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_would_say_them() {
        assert_eq!(human_size(1024 * 1024), "1 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
