-- The admin's figures (/admin/stats). Prediction requests the rate limit refused, per hour
-- (the hour's first Unix millisecond): each instance counts its own in memory and adds them here
-- every few seconds, so a row is the sum over every instance.
CREATE TABLE prediction_refusals (
    hour_ms BIGINT PRIMARY KEY,
    refused BIGINT NOT NULL
);

-- Every user's predictions by time, for the counts per hour and per day.
CREATE INDEX predictions_time ON predictions (created_at_ms);
