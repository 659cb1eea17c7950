//! `GET /api/model/{version}.bpk`: the weights the browser's live guess loads.

use serde_json::Value;
use trazo_model::{Classifier, MODEL_VERSION};

use crate::helpers::spawn_app;

#[tokio::test]
async fn anyone_gets_the_weights_of_the_running_model_cached_for_good() {
    let app = spawn_app().await;
    // No session: visitors draw too.
    let response = app.get(&format!("/api/model/{MODEL_VERSION}.bpk")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let bytes = response.bytes().await.expect("body");
    assert_eq!(&bytes[..], trazo_model::weights());

    // What the browser builds from them is the server's own model.
    let served = Classifier::from_weights(bytes.to_vec()).expect("the weights load");
    let own = Classifier::load().expect("the embedded model");
    let image = [0.5f32; 28 * 28];
    assert_eq!(
        served.logits(&[image]).expect("logits"),
        own.logits(&[image]).expect("logits")
    );
}

#[tokio::test]
async fn another_version_is_not_found_and_says_to_reload() {
    let app = spawn_app().await;
    for path in [
        "/api/model/000000000000.bpk".to_owned(),
        format!("/api/model/{MODEL_VERSION}"),
        format!("/api/model/{MODEL_VERSION}.bpk.gz"),
        "/api/model/..%2Fserver.bpk".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.expect("json");
        assert!(
            body["msg"].as_str().expect("msg").contains("reload"),
            "{path}: {body}"
        );
    }
}
