-- Every accepted prediction, for the user's history. Times are Unix milliseconds so that
-- predictions made in the same second keep their order.

CREATE TABLE predictions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    digit         BIGINT NOT NULL,
    probability   DOUBLE PRECISION NOT NULL,
    -- 0 or 1: whether the answer came from the cache.
    cached        BIGINT NOT NULL,
    model_version TEXT NOT NULL,
    -- The 28x28 image the model saw, as a PNG data URL (a few hundred bytes).
    image         TEXT NOT NULL
);

CREATE INDEX predictions_user_time ON predictions (user_id, created_at_ms);
