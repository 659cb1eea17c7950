use crate::helpers::spawn_app;

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
