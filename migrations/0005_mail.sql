-- Email addresses, the links mailed to confirm them and to reset a password, and the outbox
-- the mail worker delivers from. The same SQL for SQLite and PostgreSQL, as before.

-- The address as normalised (trimmed, lowercased), or NULL. Confirmed when email_confirmed_at
-- is set; an address is unique among confirmed addresses only, so nobody can block another
-- person's address by typing it first.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_confirmed_at BIGINT;
CREATE UNIQUE INDEX users_confirmed_email ON users (email) WHERE email_confirmed_at IS NOT NULL;

-- Single-use links, by SHA-256 of their token (the token itself is never stored). `email` is
-- the address a confirmation link confirms: a link for an address since replaced confirms nothing.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE INDEX email_tokens_user_id ON email_tokens (user_id);

-- Mail waiting to be sent, written in the same transaction as the change that caused it. The
-- body is rendered when it is sent, from `kind` and `params` (JSON); a link's token is derived
-- from `params`' token id and the server's signing key, so the table alone opens no link.
-- Instances take a row by setting `claimed_until` (a lease) and mark it `sent_at` once the
-- mail server accepted it.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    params          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT,
    claimed_by      TEXT,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT
);

CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);
