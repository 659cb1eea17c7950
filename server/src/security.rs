//! Security headers on every response. Pages set their own Content-Security-Policy (with the
//! response's nonce, see `app::content_security_policy`); everything else gets a policy that
//! allows nothing, since JSON and assets never need to run code.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// For responses that are not pages: nothing may load, nothing may frame them.
const LOCKED_DOWN_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// One year, as preload lists expect.
const HSTS: &str = "max-age=31536000; includeSubDomains";

#[derive(Clone, Copy)]
pub struct SecurityHeaders {
    /// Send `Strict-Transport-Security`: only when the public origin is HTTPS.
    pub hsts: bool,
}

impl SecurityHeaders {
    pub fn apply(self, headers: &mut HeaderMap) {
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
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}

pub async fn add_headers(
    State(policy): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    policy.apply(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_without_a_policy_get_the_locked_down_one() {
        let mut headers = HeaderMap::new();
        SecurityHeaders { hsts: false }.apply(&mut headers);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], LOCKED_DOWN_CSP);
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    }

    #[test]
    fn a_page_policy_is_kept_and_hsts_follows_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'"),
        );
        SecurityHeaders { hsts: true }.apply(&mut headers);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'"
        );
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
    }
}
