//! The abuse suite: each attack from "Hold under hostile load", tried against the real `server`
//! binary (debug build, its own process and runtime, as deployed) with a numeric pass line.
//! The thresholds and what they were measured at are in the README's security section.

use std::{
    io::{Read, Write},
    net::{IpAddr, SocketAddr, TcpStream},
    time::{Duration, Instant},
};

use futures::future::join_all;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, ServerProcess, cookie_header, cookies_of};

/// A client whose requests come from `ip` (any address in 127.0.0.0/8 reaches the server).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("ip"))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

async fn register(client: &reqwest::Client, base: &str, name: &str, password: &str) -> StatusCode {
    client
        .post(format!("{base}/api/register"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .expect("register")
        .status()
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/login"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .expect("login")
}

/// Registers `name` and logs in: the access token.
async fn bearer_for(client: &reqwest::Client, base: &str, name: &str) -> String {
    assert_eq!(
        register(client, base, name, PASSWORD).await,
        StatusCode::CREATED
    );
    login(client, base, name, PASSWORD)
        .await
        .json::<Value>()
        .await
        .expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Starts `requests` all at once, each on its own task; the returned future collects what each
/// one returned, in order.
fn spawn_all<T, F>(requests: impl IntoIterator<Item = F>) -> impl Future<Output = Vec<T>>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    async move {
        join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.expect("task"))
            .collect()
    }
}

/// Asserts that every one of `statuses` is one of `allowed`.
#[track_caller]
fn assert_all_in(statuses: &[StatusCode], allowed: &[StatusCode]) {
    for status in statuses {
        assert!(allowed.contains(status), "{statuses:?}");
    }
}

/// A kibibyte figure from `/proc/<pid>/status` (`VmRSS`: resident now; `VmHWM`: the peak).
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// Sends `request` as raw bytes and returns the response's status code (0 if none came). It
/// reads while it writes: a server may answer (and close) before the whole body is sent,
/// which is the point of some tests, and a reset would otherwise lose its answer.
fn raw_status(addr: SocketAddr, request: Vec<u8>) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut writer = stream.try_clone().expect("clone");
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
        if response.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A chunked request: `body` in 16 KiB chunks, never saying its length.
fn chunked_request(path: &str, content_type: &str, body: &[u8], addr: SocketAddr) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(16 * 1024) {
        request.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend(chunk);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    request
}

/// Row 1: with 8 worst-case passwords (128 mixed symbols) being scored and hashed at once,
/// `/healthz` still answers in under 100 ms: the work runs off the async threads, behind a
/// bound.
#[tokio::test]
async fn worst_case_passwords_do_not_freeze_the_server() {
    let server = ServerProcess::start(&[
        ("SIGNUPS_PER_HOUR", "1000"),
        // Every request here comes from one address; let all eight in to test the bound.
        ("AUTH_IN_FLIGHT_PER_ADDRESS", "8"),
    ])
    .await;
    let base = server.base.clone();
    let worst: String = "!a#B$c%D&e(F)g*H+i,J-k.L/m:N;o<P=q>R?s@T[u]V^w_X`y{Z|0}1~2"
        .chars()
        .cycle()
        .take(128)
        .collect();
    let client = reqwest::Client::new();
    let signups = spawn_all((0..8).map(|i| {
        let (client, base, worst) = (client.clone(), base.clone(), worst.clone());
        async move { register(&client, &base, &format!("worst{i}"), &worst).await }
    }));
    let mut slowest = Duration::ZERO;
    let probe = reqwest::Client::new();
    for _ in 0..20 {
        let started = Instant::now();
        let status = probe
            .get(format!("{base}/healthz"))
            .send()
            .await
            .expect("healthz")
            .status();
        assert_eq!(status, StatusCode::OK);
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let statuses = signups.await;
    assert_all_in(
        &statuses,
        &[StatusCode::CREATED, StatusCode::SERVICE_UNAVAILABLE],
    );
    eprintln!("worst-case sign-ups {statuses:?}; slowest /healthz {slowest:?}");
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} with 8 worst-case sign-ups in flight"
    );
}

/// Row 2: 40 concurrent guesses on one account, the right password among them, verify at most
/// the back-off's threshold (5): the attempt is reserved before the password is checked.
#[tokio::test]
async fn concurrent_guesses_verify_no_more_than_the_backoff_allows() {
    let server = ServerProcess::start(&[
        ("SIGNUPS_PER_HOUR", "1000"),
        // Only the per-account back-off is under test here.
        ("AUTH_IN_FLIGHT_PER_ADDRESS", "100"),
        ("LOGIN_FAILURES_PER_ADDRESS", "1000"),
        ("AUTH_QUEUE", "100"),
    ])
    .await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    assert_eq!(
        register(&client, &base, "target", PASSWORD).await,
        StatusCode::CREATED
    );
    let statuses = spawn_all((0..40).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        let password = if i == 37 {
            PASSWORD.to_owned()
        } else {
            format!("wrong guess number {i}")
        };
        async move { login(&client, &base, "target", &password).await.status() }
    }))
    .await;
    let verified = statuses
        .iter()
        .filter(|s| matches!(**s, StatusCode::OK | StatusCode::UNAUTHORIZED))
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    eprintln!("40 concurrent guesses: {verified} verified, {refused} refused");
    assert!(
        verified <= 5,
        "{verified} guesses were verified: {statuses:?}"
    );
    assert_eq!(verified + refused, 40, "{statuses:?}");
}

/// Rows 3 and 4: a flood of failed log-ins with unknown names from one address is refused
/// (per-address failure budget and in-flight cap) while a real person's log-in from another
/// address answers in under a second; 10,000 failed log-ins with 60 KB names keep no state
/// (memory grows by under 50 MiB).
#[tokio::test]
async fn a_login_flood_from_one_address_neither_stops_others_nor_grows_memory() {
    let server = ServerProcess::start(&[("SIGNUPS_PER_HOUR", "1000")]).await;
    let base = server.base.clone();
    let person = client_from("127.0.0.1");
    assert_eq!(
        register(&person, &base, "realperson", PASSWORD).await,
        StatusCode::CREATED
    );

    // 50 workers send failed log-ins with fresh unknown names from another address for 3 s.
    let flooder = client_from("127.0.0.2");
    let flood_until = Instant::now() + Duration::from_secs(3);
    let flood = spawn_all((0..50).map(|worker| {
        let (client, base) = (flooder.clone(), base.clone());
        async move {
            let (mut sent, mut refused) = (0usize, 0usize);
            while Instant::now() < flood_until {
                let name = format!("nobody{worker}x{}", uuid::Uuid::new_v4().simple());
                let status = login(&client, &base, &name[..30], "not the password at all")
                    .await
                    .status();
                sent += 1;
                refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
            }
            (sent, refused)
        }
    }));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let started = Instant::now();
    let response = login(&person, &base, "realperson", PASSWORD).await;
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::OK);
    let (sent, refused) = flood
        .await
        .into_iter()
        .fold((0, 0), |(s, r), (s2, r2)| (s + s2, r + r2));
    assert!(
        took < Duration::from_secs(1),
        "a real log-in took {took:?} during the flood"
    );
    assert!(sent >= 500, "the flood sent only {sent} requests");
    assert!(
        refused * 10 >= sent * 9,
        "only {refused} of {sent} flood requests were refused"
    );
    eprintln!("flood: {sent} sent, {refused} refused; a real log-in took {took:?}");

    // 10,000 failed log-ins with unique 60 KB names, 32 at a time.
    let before = memory_kib(server.pid(), "VmRSS");
    let huge = client_from("127.0.0.3");
    for round in 0..(10_000 / 32 + 1) {
        let batch = spawn_all((0..32).map(|i| {
            let (client, base) = (huge.clone(), base.clone());
            let name = format!("{round}-{i}-{}", "n".repeat(60 * 1024 - 16));
            async move { login(&client, &base, &name, "whatever").await.status() }
        }));
        assert_all_in(&batch.await, &[StatusCode::UNAUTHORIZED]);
    }
    let after = memory_kib(server.pid(), "VmRSS");
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!("10,000 60 KB names: resident {before} kB before, {after} kB after");
    assert!(
        grown_mib < 50,
        "memory grew by {grown_mib} MiB ({before} kB to {after} kB)"
    );
}

/// A PNG of `side` x `side` fully transparent RGBA pixels: a few tens of kB that decode to
/// `side`² x 4 bytes.
fn decompression_bomb(side: u32) -> Vec<u8> {
    use image::{ImageEncoder, codecs::png};
    let pixels = vec![0u8; (side * side * 4) as usize];
    let mut out = Vec::new();
    png::PngEncoder::new_with_quality(
        &mut out,
        png::CompressionType::Best,
        png::FilterType::NoFilter,
    )
    .write_image(&pixels, side, side, image::ExtendedColorType::Rgba8)
    .expect("encode");
    out
}

/// Row 5: 50 concurrent uploads of a small PNG that decodes to 4096 x 4096 RGBA keep the
/// server's peak resident memory under 600 MiB: each decode first reserves the memory its
/// header says it needs from a fixed budget.
#[tokio::test]
async fn decompression_bombs_are_decoded_within_the_memory_budget() {
    let server = ServerProcess::start(&[
        ("SIGNUPS_PER_HOUR", "1000"),
        ("PREDICT_PER_HOUR", "1000"),
        ("PREDICT_PER_DAY", "1000"),
    ])
    .await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let token = bearer_for(&client, &base, "bomber").await;
    let bomb = decompression_bomb(4096);
    assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());
    let statuses = spawn_all((0..50).map(|i| {
        let (client, base, token, bomb) =
            (client.clone(), base.clone(), token.clone(), bomb.clone());
        // Distinct bytes, so no answer comes from the cache.
        let mut bytes = bomb;
        bytes.extend(format!("{i:08}").as_bytes());
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("bomb.png"),
            );
            client
                .post(format!("{base}/api/predict"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .expect("predict")
                .status()
        }
    }))
    .await;
    // Blank pictures: 422 "no digit", or 503 when the budget could not be had in time.
    assert_all_in(
        &statuses,
        &[
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::SERVICE_UNAVAILABLE,
        ],
    );
    let peak_mib = memory_kib(server.pid(), "VmHWM") / 1024;
    eprintln!("50 bombs: {statuses:?}; peak resident {peak_mib} MiB");
    assert!(peak_mib < 600, "peak resident memory {peak_mib} MiB");
}

/// Row 6: 200 connections that send half a request head are all closed within the header
/// timeout (2 s here); past the connection cap, new connections are closed at once; the
/// server keeps answering real requests throughout.
#[tokio::test]
async fn half_sent_headers_are_closed_and_connections_are_capped() {
    let server = ServerProcess::start(&[
        ("HEADER_READ_TIMEOUT_SECS", "2"),
        ("MAX_CONNECTIONS", "150"),
    ])
    .await;
    let addr = server.addr();
    let started = Instant::now();
    // Each connection sends half a head and then waits, reading until the server closes it.
    let half_open = (0..200).map(|_| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: trazo\r\nX-Slow: ")
            .await
            .expect("write");
        let mut sink = Vec::new();
        // EOF or a reset both mean closed; only the deadline means it was held open.
        let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut sink))
            .await
            .is_ok();
        closed.then(|| started.elapsed())
    });
    let closed_at: Vec<Duration> = join_all(half_open).await.into_iter().flatten().collect();
    let last = closed_at.iter().max().copied().unwrap_or_default();
    eprintln!(
        "half-open: {} closed, the last after {last:?}",
        closed_at.len()
    );
    assert_eq!(closed_at.len(), 200);
    assert!(
        last < Duration::from_secs(4),
        "the last half-open connection closed after {last:?}"
    );
    // A connection the server took is closed by the 2 s header timeout, no sooner; one closed
    // before that was refused at the cap. (Not "within 1 s": now and then some of the 200
    // connects arrive a second late, as a retransmitted SYN does, and are refused then.)
    let early = closed_at
        .iter()
        .filter(|t| **t < Duration::from_millis(1900))
        .count();
    assert!(early >= 50, "only {early} were refused at the cap");
    let status = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("healthz")
        .status();
    assert_eq!(status, StatusCode::OK);
}

/// Row 7: two tabs refreshing at once (4 concurrent refreshes with one cookie) all succeed
/// with the same successor, and the session goes on; reuse after the grace window still ends it.
/// Row 8: `GET /api/session` with only the refresh cookie changes nothing.
#[tokio::test]
async fn two_tabs_refreshing_at_once_both_stay_logged_in() {
    let server =
        ServerProcess::start(&[("SIGNUPS_PER_HOUR", "1000"), ("REFRESH_GRACE_SECS", "3")]).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    assert_eq!(
        register(&client, &base, "twotabs", PASSWORD).await,
        StatusCode::CREATED
    );
    let logged_in = login(&client, &base, "twotabs", PASSWORD).await;
    let cookies = cookies_of(&logged_in);
    let refresh_only: String = cookies
        .iter()
        .filter(|c| c.starts_with("trazo_refresh="))
        .map(|c| cookie_header(std::slice::from_ref(c)))
        .collect();
    assert!(!refresh_only.is_empty(), "{cookies:?}");

    // Row 8: the page's session check with only the refresh cookie answers the user and
    // rotates nothing.
    let session = client
        .get(format!("{base}/api/session"))
        .header(header::COOKIE, &refresh_only)
        .send()
        .await
        .expect("session");
    assert_eq!(session.status(), StatusCode::OK);
    assert!(
        cookies_of(&session).is_empty(),
        "a GET set cookies: {:?}",
        cookies_of(&session)
    );
    assert_eq!(
        session.json::<Value>().await.expect("json")["username"],
        "twotabs"
    );

    let refresh = |cookie: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            client
                .post(format!("{base}/api/refresh"))
                .header(header::ORIGIN, &base)
                .header(header::COOKIE, cookie)
                .send()
                .await
                .expect("refresh")
        }
    };
    let answers = join_all((0..4).map(|_| refresh(refresh_only.clone()))).await;
    let mut successors = Vec::new();
    for answer in answers {
        assert_eq!(answer.status(), StatusCode::OK);
        let set = cookies_of(&answer);
        let token = answer.json::<Value>().await.expect("json")["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        let me = client
            .get(format!("{base}/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("me");
        assert_eq!(me.status(), StatusCode::OK, "every tab stays logged in");
        successors.push(
            set.into_iter()
                .find(|c| c.starts_with("trazo_refresh="))
                .map(|c| cookie_header(&[c]))
                .expect("a new refresh cookie"),
        );
    }
    successors.dedup();
    assert_eq!(successors.len(), 1, "one successor for all: {successors:?}");
    let successor = successors.remove(0);
    assert_eq!(refresh(successor.clone()).await.status(), StatusCode::OK);

    // After the grace window, the first token coming back is theft: the session ends.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        refresh(refresh_only).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(refresh(successor).await.status(), StatusCode::UNAUTHORIZED);
}

/// Row 9: authenticated answers, pages and 429s are `no-store`; static assets are not.
#[tokio::test]
async fn personal_answers_and_refusals_are_never_stored() {
    let site = tempfile::tempdir().expect("site");
    std::fs::write(site.path().join("robots.txt"), "User-agent: *\n").expect("asset");
    let site_root = site.path().display().to_string();
    let server = ServerProcess::start(&[
        ("SIGNUPS_PER_HOUR", "1000"),
        ("SITE_ROOT", site_root.as_str()),
    ])
    .await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    assert_eq!(
        register(&client, &base, "private", PASSWORD).await,
        StatusCode::CREATED
    );
    let logged_in = login(&client, &base, "private", PASSWORD).await;
    let cookie = cookie_header(&cookies_of(&logged_in));
    for path in [
        "/api/me",
        "/api/history",
        "/api/session",
        "/history",
        "/account",
    ] {
        let response = client
            .get(format!("{base}{path}"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-store",
            "{path}"
        );
    }
    let mut throttled = None;
    for _ in 0..8 {
        let response = login(&client, &base, "private", "wrong password here").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
    }
    let throttled = throttled.expect("the back-off answers 429");
    assert_eq!(throttled.headers()[header::CACHE_CONTROL], "no-store");
    let asset = client
        .get(format!("{base}/robots.txt"))
        .send()
        .await
        .expect("asset");
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(asset.headers()[header::CACHE_CONTROL], "no-cache");
}

/// Rows 10 and 12: reserved names are refused at sign-up, and once an address has spent its
/// sign-up quota, taken and free names get the same 429 (no username oracle); a name-taken
/// answer counts against the quota like a new account.
#[tokio::test]
async fn sign_up_reveals_no_names_and_reserves_staff_names() {
    let server = ServerProcess::start(&[("SIGNUPS_PER_HOUR", "3")]).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    for name in ["admin", "root", "administrator", "support"] {
        assert_eq!(
            register(&client, &base, name, PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
    }
    assert_eq!(
        register(&client, &base, "taken", PASSWORD).await,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&client, &base, "taken", PASSWORD).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        register(&client, &base, "second", PASSWORD).await,
        StatusCode::CREATED
    );
    // Three counted (two accounts and one taken name): the quota is spent.
    for name in ["taken", "second", "free-name", "another-free"] {
        assert_eq!(
            register(&client, &base, name, PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{name}"
        );
    }
}

/// Row 11: an upload over the limit is 413 however it is sent; so is any other API body.
#[tokio::test]
async fn oversized_bodies_are_413_even_when_chunked() {
    let server = ServerProcess::start(&[("SIGNUPS_PER_HOUR", "1000")]).await;
    let base = server.base.clone();
    let addr = server.addr();
    let client = reqwest::Client::new();
    let token = bearer_for(&client, &base, "uploader").await;
    let boundary = "trazo-boundary-1234";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(b"\x89PNG\r\n\x1a\n");
    body.extend(vec![0u8; 2 * 1024 * 1024]);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = chunked_request(
        "/api/predict",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
        addr,
    );
    let auth = format!("Authorization: Bearer {token}\r\n");
    let split = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("head");
    request.splice(split + 2..split + 2, auth.into_bytes());
    let status = tokio::task::spawn_blocking(move || raw_status(addr, request))
        .await
        .expect("task");
    assert_eq!(status, 413);

    let big_json = format!(
        r#"{{"username":"x","password":"{}"}}"#,
        "p".repeat(100 * 1024)
    );
    let request = chunked_request("/api/login", "application/json", big_json.as_bytes(), addr);
    let status = tokio::task::spawn_blocking(move || raw_status(addr, request))
        .await
        .expect("task");
    assert_eq!(status, 413);
}

/// A panic in a handler becomes a 500 for that request only; the server goes on. (In process:
/// the panicking route is added behind every layer of the real router.)
#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
    let app = crate::helpers::spawn_router_with(
        crate::helpers::Settings::new(),
        axum::Router::new().route(
            "/test/panic",
            axum::routing::get(|| async {
                let broken: Option<u8> = None;
                broken.map_or_else(|| panic!("a handler bug"), |v| v.to_string())
            }),
        ),
    )
    .await;
    let response = app.get("/test/panic").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["msg"],
        "Something went wrong on our side. Please try again."
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
