//! The database: one pool over SQLite or PostgreSQL (chosen by the URL) and the migrations both
//! share, run at start-up.

use std::{path::Path, time::Duration};

use sqlx::{AnyPool, Executor, any::AnyPoolOptions};

/// Migrations compiled into the binary, so a deployment needs no SQL files beside it.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not create the folder for the SQLite database {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The file path inside a `sqlite:` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(Path::new(path))
}

/// SQLite's defaults (a rollback journal, `synchronous = FULL`) cost several fsyncs per
/// insert, which held the service to ~200 predictions a second on this machine's disk. With
/// write-ahead logging and `synchronous = NORMAL` a commit is durable when the server process
/// dies; only an operating-system crash or power cut can lose the last commits, never corrupt
/// the file. (PostgreSQL keeps its own, fully durable, settings.)
const SQLITE_PRAGMAS: &[&str] = &["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"];

/// Connects to `url` and brings its schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<AnyPool, DbError> {
    let pool = connect(url).await?;
    MIGRATOR.run(&pool).await.map_err(DbError::Migrate)?;
    Ok(pool)
}

/// Migrations compiled into this binary that `pool`'s database has not applied yet (all of
/// them for a new database).
pub async fn pending_migrations(pool: &AnyPool) -> Result<usize, sqlx::Error> {
    let applied: Vec<i64> =
        match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_all(pool)
            .await
        {
            Ok(applied) => applied,
            // No bookkeeping table yet: nothing has been applied.
            Err(sqlx::Error::Database(_)) => Vec::new(),
            Err(error) => return Err(error),
        };
    Ok(MIGRATOR
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .count())
}

/// Connects to `url` (creating an SQLite file and its folder if needed) without migrating.
pub async fn connect(url: &str) -> Result<AnyPool, DbError> {
    sqlx::any::install_default_drivers();
    if let Some(parent) = sqlite_file(url).and_then(Path::parent)
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let is_sqlite = url.starts_with("sqlite:");
    AnyPoolOptions::new()
        // SQLite allows one writer at a time; a handful of connections is plenty for it.
        .max_connections(if is_sqlite { 8 } else { 20 })
        .acquire_timeout(Duration::from_secs(5))
        // A pooled SQLite connection is a file handle that cannot go stale; pinging it before
        // each use cost a second trip to its worker thread per query. PostgreSQL connections
        // can (a restarted server), so they are still checked.
        .test_before_acquire(!is_sqlite)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if is_sqlite {
                    for pragma in SQLITE_PRAGMAS {
                        connection.execute(*pragma).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(DbError::Connect)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::Path;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/trazo.db?mode=rwc"),
            Some(Path::new("data/trazo.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///srv/t.db"),
            Some(Path::new("/srv/t.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://db/trazo"), None);
    }
}
