-- +goose Up
-- Equality monitoring: a learner's optional, self-declared answers about
-- themselves. Special-category data: kept in its own table that only the
-- monitoring module's aggregate report queries read (plus the learner's own
-- form), never joined into any per-person page or API. One row per
-- learner; removing their answers deletes the row. Every question allows
-- 'prefer_not_to_say'; the codes match modules/monitoring/model.go.
-- Age is not asked: reports derive an age band from users.date_of_birth.

CREATE TABLE equality_answers (
    user_id              uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sex                  text NOT NULL CHECK (sex IN ('female', 'male', 'prefer_not_to_say')),
    gender_same_as_birth text NOT NULL CHECK (gender_same_as_birth IN ('yes', 'no', 'prefer_not_to_say')),
    ethnicity            text NOT NULL CHECK (ethnicity IN (
        'asian_bangladeshi', 'asian_chinese', 'asian_indian', 'asian_pakistani', 'asian_other',
        'black_african', 'black_caribbean', 'black_other',
        'mixed_white_asian', 'mixed_white_black_african', 'mixed_white_black_caribbean', 'mixed_other',
        'white_english_welsh_scottish_ni_british', 'white_irish', 'white_gypsy_irish_traveller', 'white_roma', 'white_other',
        'other_arab', 'other_any',
        'prefer_not_to_say')),
    disability           text NOT NULL CHECK (disability IN ('yes', 'no', 'prefer_not_to_say')),
    care_experience      text NOT NULL CHECK (care_experience IN ('yes', 'no', 'prefer_not_to_say')),
    benefits             text NOT NULL CHECK (benefits IN ('yes', 'no', 'prefer_not_to_say')),
    neet                 text NOT NULL CHECK (neet IN ('yes', 'no', 'prefer_not_to_say')),
    answered_at          timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (updated_at >= answered_at)
);

-- +goose Down
DROP TABLE equality_answers;
