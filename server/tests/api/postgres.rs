use serde_json::Value;

use crate::helpers::{Settings, fresh_postgres_database, spawn_app_with};

#[tokio::test]
async fn the_server_migrates_and_serves_on_postgresql() {
    let url = fresh_postgres_database().await;
    let app = spawn_app_with(Settings::new().set("DATABASE_URL", url.clone())).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["database"]["status"], "up");

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::TEXT FROM information_schema.tables \
         WHERE table_schema = 'public' ORDER BY table_name",
    )
    .fetch_all(&app.state.db)
    .await
    .expect("list tables");
    for table in ["refresh_tokens", "sessions", "users"] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing: {tables:?}"
        );
    }
    assert_eq!(app.get("/").await.status(), 200);
    app.stop().await.expect("clean stop");

    // A second start finds the schema up to date.
    let again = spawn_app_with(Settings::new().set("DATABASE_URL", url)).await;
    assert_eq!(again.get("/readyz").await.status(), 200);
}
