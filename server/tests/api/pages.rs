use crate::helpers::{KEY, ServerProcess, spawn_app};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("ascii header")
}

#[tokio::test]
async fn home_page_is_rendered_on_the_server_with_hydration_scripts() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/html"));
    let html = response.text().await.expect("html");
    assert!(html.contains("Write a digit. trazo reads it."), "{html}");
    assert!(
        html.contains("/pkg/trazo.js"),
        "hydration script missing: {html}"
    );
    assert!(html.contains("/pkg/trazo.css"));
    assert!(html.contains(r#"data-hydrated="false""#));
}

#[tokio::test]
async fn pages_carry_a_csp_whose_nonce_matches_their_scripts() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let csp = header(&response, "content-security-policy").to_owned();
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&response, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    let html = response.text().await.expect("html");

    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("CSP has a nonce");
    assert!(nonce.len() >= 16, "nonce too short: {nonce}");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "scripts lack the nonce"
    );

    let again = app.get("/").await;
    let other = header(&again, "content-security-policy");
    assert_ne!(other, csp, "the nonce must change per response");
}

#[tokio::test]
async fn api_responses_get_a_policy_that_allows_nothing() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(
        header(&response, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}

#[tokio::test]
async fn unknown_pages_are_404_with_a_way_home() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.expect("html");
    assert!(html.contains("Page not found"));
    assert!(html.contains(r#"href="/""#));
}

/// Regression: the logged-in home page once created a browser-only (thread-bound) signal while
/// rendering on the server. A render finished on another worker thread than it began on
/// panicked while cleaning up, cutting the response off, and pages afterwards could lose their
/// headers (a page without its CSP cannot hydrate). Many concurrent renders by the real binary
/// must all be whole. Run against the real binary, with its own runtime, as in production.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_page_renders_are_all_whole_and_keep_their_policy() {
    let server = ServerProcess::start(&[("SIGNING_KEY", KEY), ("SIGNUPS_PER_HOUR", "1000")]).await;
    let client = reqwest::Client::new();
    let cookie = server.logged_in_cookie("renderer").await;
    let renders = (0..96).map(|i| {
        let path = if i % 2 == 0 {
            "/"
        } else {
            "/login?next=/history"
        };
        let request = client.get(format!("{}{path}", server.base));
        let request = if i % 2 == 0 {
            request.header(reqwest::header::COOKIE, &cookie)
        } else {
            request
        };
        async move {
            let response = request.send().await.expect("response headers");
            let status = response.status();
            let csp = response
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().expect("ascii").to_owned())
                .unwrap_or_default();
            let html = response.text().await.expect("a whole body");
            (path, status, csp, html)
        }
    });
    let rendered = futures::future::join_all(renders).await;
    if let Some((path, status, _, html)) = rendered.iter().find(|(_, status, ..)| *status != 200) {
        let log = server.stop_and_read_log();
        panic!(
            "{path} answered {status}: {}\n--- server log ---\n{log}",
            &html[..html.len().min(2000)]
        );
    }
    for (path, status, csp, html) in rendered {
        assert_eq!(status, 200, "{path}");
        assert!(csp.contains("'nonce-"), "page without its policy: {csp}");
        // The document, then the resolved resources for hydration; the last script closes.
        assert!(html.contains("</html>"), "cut-off page");
        assert!(html.trim_end().ends_with("</script>"), "cut-off page");
    }
    let after = client
        .get(format!("{}/", server.base))
        .send()
        .await
        .expect("still serving")
        .text()
        .await
        .expect("html");
    assert!(after.contains("</html>"), "the server still serves pages");
}

/// Regression: static files were served by Leptos's file handler in a reactive owner that
/// became a child of whatever page render had last started on the same worker thread, so a
/// file fetched while a page awaited its data took that page's headers (its CSP) and the page
/// went out without its own. Static files never carry a page policy, and every page its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_fetched_during_page_renders_never_take_a_page_policy() {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join("pkg/trazo.js"), "export default 1;\n").expect("asset");
    let site_root = site.path().display().to_string();
    let server = ServerProcess::start(&[
        ("SIGNING_KEY", KEY),
        ("SIGNUPS_PER_HOUR", "1000"),
        ("SITE_ROOT", site_root.as_str()),
    ])
    .await;
    let client = reqwest::Client::new();
    let cookie = server.logged_in_cookie("assets").await;
    let requests = (0..160).map(|i| {
        let (client, base, cookie) = (client.clone(), server.base.clone(), cookie.clone());
        async move {
            let (path, request) = if i % 2 == 0 {
                (
                    "/history",
                    client
                        .get(format!("{base}/history"))
                        .header(reqwest::header::COOKIE, cookie),
                )
            } else {
                ("/pkg/trazo.js", client.get(format!("{base}/pkg/trazo.js")))
            };
            let response = request.send().await.expect("response");
            let csp = response
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().expect("ascii").to_owned())
                .unwrap_or_default();
            (path, response.status(), csp)
        }
    });
    for (path, status, csp) in futures::future::join_all(requests).await {
        assert_eq!(status, 200, "{path}");
        if path == "/history" {
            assert!(csp.contains("'nonce-"), "a page without its policy: {csp}");
        } else {
            assert!(!csp.contains("nonce"), "a file took a page's policy: {csp}");
        }
    }
    let log = server.stop_and_read_log();
    assert!(
        !log.contains("without its policy"),
        "the security layer had to fill in a page policy:\n{log}"
    );
}

#[tokio::test]
async fn the_bundle_goes_out_compressed_as_the_browser_asks_and_pages_do_not() {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 7) as u8).collect();
    std::fs::write(site.path().join("pkg/trazo.wasm"), &wasm).expect("wasm");
    let app = crate::helpers::spawn_app_with(
        crate::helpers::settings().set("SITE_ROOT", site.path().display().to_string()),
    )
    .await;
    let fetch = |encoding: &'static str, path: &'static str| {
        app.client
            .get(app.url(path))
            .header(reqwest::header::ACCEPT_ENCODING, encoding)
            .send()
    };
    for encoding in ["br", "gzip"] {
        let response = fetch(encoding, "/pkg/trazo.wasm").await.expect("wasm");
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-encoding"), encoding);
        let body = response.bytes().await.expect("body");
        assert!(
            body.len() < wasm.len() / 10,
            "{encoding}: {} bytes",
            body.len()
        );
    }
    let plain = fetch("identity", "/pkg/trazo.wasm").await.expect("wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.expect("body").len(), wasm.len());
    // Answers that can carry secrets are never compressed.
    let api = fetch("br", "/api/session").await.expect("session");
    assert!(api.headers().get("content-encoding").is_none());
}
