//! The Content-Security-Policy the pages need: scripts only from this origin or carrying this
//! response's nonce, WebAssembly allowed to compile, and no framing. The server's security
//! layer sends it with every page (it chose the nonce the render uses).

/// The policy for a page whose inline scripts carry `nonce`. `reload` is the origin of the
/// development auto-reload socket, when `cargo leptos watch` serves the page.
pub fn content_security_policy(nonce: &str, reload: Option<&str>) -> String {
    let connect = match reload {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src 'self' data: blob:; \
         connect-src {connect}; \
         font-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn policy_allows_only_the_nonce_and_wasm_for_scripts() {
        let policy = content_security_policy("abc123", None);
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self';"));
    }

    #[test]
    fn policy_lets_the_dev_reload_socket_connect_when_watching() {
        let policy = content_security_policy("n", Some("ws://127.0.0.1:3001"));
        assert!(policy.contains("connect-src 'self' ws://127.0.0.1:3001;"));
    }
}
