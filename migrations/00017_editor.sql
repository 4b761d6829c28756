-- +goose Up
-- Editors choose whether answers are shuffled: a check's for each
-- attempt, a lesson's questions' for each learner. On unless an editor
-- turns it off, for a question whose answers only make sense in the order
-- written ("All of the above", a scale from least to most).
ALTER TABLE checks ADD COLUMN shuffle boolean NOT NULL DEFAULT true;
ALTER TABLE lessons ADD COLUMN shuffle boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE lessons DROP COLUMN shuffle;
ALTER TABLE checks DROP COLUMN shuffle;
