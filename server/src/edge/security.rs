//! Security headers on every response. This layer is the one writer of the
//! Content-Security-Policy: pages get the page policy naming the nonce it chose for the request
//! (see `app::content_security_policy`); everything else gets a policy that allows nothing,
//! since JSON and assets never need to run code. Nothing dynamic is cached:
//! pages, API answers and refusals are `no-store` (they are per person, and pages carry a
//! one-time nonce); only static assets may be kept, and are revalidated.

use std::any::Any;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// For responses that are not pages: nothing may load, nothing may frame them.
const LOCKED_DOWN_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// One year, as preload lists expect.
const HSTS: &str = "max-age=31536000; includeSubDomains";

#[derive(Clone)]
pub struct SecurityHeaders {
    /// Send `Strict-Transport-Security`: only when the public origin is HTTPS.
    pub hsts: bool,
    /// The development auto-reload socket's origin, which page policies must let connect.
    pub reload: Option<String>,
}

/// The nonce chosen for a request before it reaches the pages: the page's scripts carry it
/// (see `api::provide_page_context`), and this layer's policy for the page names it.
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);

impl PageNonce {
    fn new() -> Self {
        use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()))
    }
}

impl SecurityHeaders {
    pub fn apply(&self, headers: &mut HeaderMap) {
        let fixed: [(HeaderName, &'static str); 5] = [
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ),
            (
                HeaderName::from_static("permissions-policy"),
                "camera=(), microphone=(), geolocation=(), payment=()",
            ),
        ];
        for (name, value) in fixed {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(LOCKED_DOWN_CSP),
            );
        }
        // Authenticated answers, 429s and pages must never be stored by a browser or a proxy;
        // static assets say otherwise before they get here (see `static_cache_control`).
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}

/// Static assets (the WASM bundle, the stylesheet, icons) may be cached but are revalidated
/// each time, as their names do not change between builds. HTML from the same fallback (the
/// 404 page) is left to the `no-store` default.
pub async fn static_cache_control(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !is_html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// A handler that panicked answers 500 with the API's error shape; the process and every
/// other request go on. The panic itself is logged, its message is not sent.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request handler panicked");
    let body = serde_json::json!({ "msg": "Something went wrong on our side. Please try again." });
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub async fn add_headers(
    State(policy): State<SecurityHeaders>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = PageNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    // Every HTML response is a page rendered with this nonce (see `api::provide_page_context`):
    // its inline scripts carry it, so its policy names it.
    if is_page
        && let Ok(value) = HeaderValue::from_str(&app::content_security_policy(
            &nonce.0,
            policy.reload.as_deref(),
        ))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    policy.apply(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_without_a_policy_get_the_locked_down_one() {
        let mut headers = HeaderMap::new();
        SecurityHeaders {
            hsts: false,
            reload: None,
        }
        .apply(&mut headers);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], LOCKED_DOWN_CSP);
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn a_page_policy_is_kept_and_hsts_follows_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'"),
        );
        SecurityHeaders {
            hsts: true,
            reload: None,
        }
        .apply(&mut headers);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'"
        );
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
    }

    /// An HTML response gets the page policy with the nonce chosen for that request, not the
    /// locked-down one under which a page can never hydrate. JSON still gets that.
    #[tokio::test]
    async fn html_responses_get_the_page_policy() {
        use axum::{Router, body::Body, middleware, response::Html, routing::get};
        use tower::ServiceExt as _;

        let router = Router::new()
            .route(
                "/page",
                get(|| async { Html("<!DOCTYPE html><p>bare</p>") }),
            )
            .route("/json", get(|| async { axum::Json(1) }))
            .layer(middleware::from_fn_with_state(
                SecurityHeaders {
                    hsts: false,
                    reload: None,
                },
                add_headers,
            ));
        let csp = |path: &'static str| {
            let router = router.clone();
            async move {
                let request = axum::http::Request::get(path)
                    .body(Body::empty())
                    .expect("request");
                let response = router.oneshot(request).await.expect("response");
                response.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .expect("ascii")
                    .to_owned()
            }
        };
        let page = csp("/page").await;
        assert!(page.contains("script-src 'self' 'nonce-"), "{page}");
        assert!(page.contains("frame-ancestors 'none'"), "{page}");
        assert_eq!(csp("/json").await, LOCKED_DOWN_CSP);
    }
}
