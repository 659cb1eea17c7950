-- Accounts and their sessions. Written in the SQL that SQLite and PostgreSQL share: ids are
-- UUIDs made by the application (no AUTOINCREMENT/SERIAL split), times are Unix seconds.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    -- Stored lowercased, so uniqueness ignores case.
    username      TEXT NOT NULL UNIQUE,
    -- Argon2id PHC string; never leaves the server.
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    -- 0 or 1: an integer rather than BOOLEAN so both databases decode it the same way.
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- One row per log-in: the family that its rotating refresh tokens belong to.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    -- Set when the session is logged out or revoked; its access tokens stop working at once.
    revoked_at   BIGINT
);

CREATE INDEX sessions_user_id ON sessions (user_id);

-- Every refresh token a session has issued, by SHA-256 (the token itself is never stored).
-- A token already used (used_at set) that comes back means it was stolen: the family is revoked.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
