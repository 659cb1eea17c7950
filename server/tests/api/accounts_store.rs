//! The account store on both databases: unique names without regard to case, and refresh
//! token rotation with stolen-token detection.

use trazo_server::accounts::{
    policy::parse_username,
    store::{self, Role, Rotation, StoreError},
};

use crate::helpers::{Settings, fresh_postgres_database, spawn_app, spawn_app_with};

async fn exercise(db: &sqlx::AnyPool) {
    let now = 1_800_000_000;
    let alice = parse_username("Alice").expect("valid");
    let user = store::create_user(db, &alice, "$argon2id$fake", Role::User, now)
        .await
        .expect("created");
    let taken = store::create_user(
        db,
        &parse_username("ALICE").expect("valid"),
        "h",
        Role::User,
        now,
    )
    .await;
    assert!(matches!(taken, Err(StoreError::UsernameTaken)), "{taken:?}");
    let found = store::find_user_by_name(db, &alice)
        .await
        .expect("query")
        .expect("found");
    assert_eq!(found.id, user.id);
    assert!(!found.disabled);

    let session = store::create_session(db, &user.id, "hash-1", now)
        .await
        .expect("session");
    assert!(
        store::session_is_live(db, &session, now + 60)
            .await
            .expect("query")
    );
    const GRACE: i64 = 30;
    let rotated = Rotation::Rotated {
        session_id: session.clone(),
        user_id: user.id.clone(),
    };
    assert_eq!(
        store::rotate_refresh_token(db, "hash-1", "hash-2", now + 60, GRACE)
            .await
            .expect("rotate"),
        rotated
    );
    // Read without using it, the used token still names its user within the grace window…
    let read = store::refresh_token_user(db, "hash-1", now + 70, GRACE)
        .await
        .expect("query")
        .map(|(user, session)| (user.id, session));
    assert_eq!(read, Some((user.id.clone(), session.clone())));
    // …and the current one does too, while the stale one does not after it.
    assert!(
        store::refresh_token_user(db, "hash-2", now + 200, GRACE)
            .await
            .expect("query")
            .is_some()
    );
    assert!(
        store::refresh_token_user(db, "hash-1", now + 60 + GRACE + 1, GRACE)
            .await
            .expect("query")
            .is_none()
    );
    // A second tab presents the same token moments later, asking for the same successor:
    // the same rotation is answered again, and the session lives on.
    assert_eq!(
        store::rotate_refresh_token(db, "hash-1", "hash-2", now + 65, GRACE)
            .await
            .expect("rotate"),
        rotated
    );
    assert!(
        store::session_is_live(db, &session, now + 66)
            .await
            .expect("query")
    );
    // The old token comes back after the grace window: someone copied it. The whole
    // session ends.
    assert_eq!(
        store::rotate_refresh_token(db, "hash-1", "hash-2", now + 120, GRACE)
            .await
            .expect("rotate"),
        Rotation::ReuseDetected
    );
    assert!(
        !store::session_is_live(db, &session, now + 121)
            .await
            .expect("query")
    );
    assert_eq!(
        store::rotate_refresh_token(db, "hash-2", "hash-4", now + 180, GRACE)
            .await
            .expect("rotate"),
        Rotation::Invalid
    );
    assert_eq!(
        store::rotate_refresh_token(db, "never-issued", "x", now, GRACE)
            .await
            .expect("rotate"),
        Rotation::Invalid
    );

    // Idle sessions expire after a week.
    let idle = store::create_session(db, &user.id, "hash-5", now)
        .await
        .expect("session");
    let week_later = now + store::SESSION_IDLE_SECS + 1;
    assert!(
        !store::session_is_live(db, &idle, week_later)
            .await
            .expect("query")
    );
    store::revoke_user_sessions(db, &user.id, None, now)
        .await
        .expect("revoke");
}

#[tokio::test]
async fn accounts_and_sessions_work_on_sqlite() {
    let app = spawn_app().await;
    exercise(&app.state.db).await;
}

/// Every SQLite connection writes ahead (one fsync per checkpoint, not several per insert).
#[tokio::test]
async fn sqlite_connections_use_write_ahead_logging() {
    let app = spawn_app().await;
    for _ in 0..3 {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&app.state.db)
            .await
            .expect("pragma");
        assert_eq!(mode, "wal");
        // 1 = NORMAL (2 would be FULL).
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&app.state.db)
            .await
            .expect("pragma");
        assert_eq!(synchronous, 1);
    }
}

#[tokio::test]
async fn accounts_and_sessions_work_on_postgresql() {
    let url = fresh_postgres_database().await;
    let app = spawn_app_with(Settings::new().set("DATABASE_URL", url)).await;
    exercise(&app.state.db).await;
}
