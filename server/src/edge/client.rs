//! The client's address: the peer's, or — only when the peer is a trusted reverse proxy — the
//! last address in `X-Forwarded-For` that is not itself a trusted proxy. The per-address limits
//! on sign-ups, log-ins and password checks key on it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap, request::Parts};

/// The address `request` came from (`None` when the server was not told its peer, as in
/// in-process tests).
pub fn client_ip(request: &Parts, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    client_ip_of(&request.extensions, &request.headers, trusted_proxies)
}

/// [`client_ip`] from a request's extensions and headers.
pub fn client_ip_of(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())?;
    Some(behind_proxies(peer, headers, trusted_proxies))
}

fn behind_proxies(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !trusted_proxies.contains(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn forwarded_for_is_only_believed_from_trusted_proxies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 1.2.3.4, 10.0.0.2"),
        );
        assert_eq!(behind_proxies(ip("9.9.9.9"), &headers, &[]), ip("9.9.9.9"));
        assert_eq!(
            behind_proxies(ip("10.0.0.2"), &headers, &[ip("10.0.0.2")]),
            ip("1.2.3.4"),
            "the client-supplied first hop is not believed"
        );
        assert_eq!(
            behind_proxies(ip("10.0.0.2"), &HeaderMap::new(), &[ip("10.0.0.2")]),
            ip("10.0.0.2")
        );
    }
}
