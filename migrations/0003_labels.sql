-- "Was this right?": the digit the person says an image really is (0-9), NULL while they have
-- not said. Equal to `digit` when they confirmed the answer, different when they corrected it.
ALTER TABLE predictions ADD COLUMN label BIGINT;
ALTER TABLE predictions ADD COLUMN labelled_at_ms BIGINT;

CREATE INDEX predictions_user_label ON predictions (user_id, label);
