-- +goose Up
-- Mentoring: mentor profiles and vetting, learners' preferences and
-- declared conflicts, six-month mentorships with goals and close surveys,
-- and a record of every prompt sent so the periodic sweep sends each once.

-- A mentor's public profile. capacity 0 pauses new matches but keeps the
-- mentees they have.
CREATE TABLE mentor_profiles (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    job_role         text NOT NULL CHECK (length(btrim(job_role)) BETWEEN 1 AND 120),
    career_family    text NOT NULL CHECK (career_family IN ('nursing_midwifery', 'allied_health', 'healthcare_science',
                         'estates_facilities', 'administration', 'social_care', 'ambulance', 'medicine_dentistry', 'other')),
    employer         text NOT NULL DEFAULT '' CHECK (length(employer) <= 200),
    region           text NOT NULL CHECK (length(btrim(region)) BETWEEN 1 AND 80),
    languages        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(languages) <= 10),
    interests        text[] NOT NULL DEFAULT '{}' CHECK (interests <@ ARRAY['nursing_midwifery', 'allied_health',
                         'healthcare_science', 'estates_facilities', 'administration', 'social_care', 'ambulance',
                         'medicine_dentistry', 'other']),
    availability     text[] NOT NULL DEFAULT '{}' CHECK (availability <@ ARRAY['weekday_daytime', 'weekday_evening', 'weekend']),
    capacity         int NOT NULL CHECK (capacity BETWEEN 0 AND 5),
    lived_experience text NOT NULL DEFAULT '' CHECK (length(lived_experience) <= 2000),
    bio              text NOT NULL DEFAULT '' CHECK (length(bio) <= 2000),
    gender           text NOT NULL DEFAULT '' CHECK (length(gender) <= 40),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- The checks a mentor must pass before any match: an enhanced DBS check
-- with the children's barred list (its certificate date, or a live Update
-- Service subscription), references and safeguarding training. Whether
-- they are eligible today is worked out from these (mentoring.Eligible),
-- never stored.
CREATE TABLE mentor_vetting (
    user_id                  uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    dbs_enhanced_barred      boolean NOT NULL,
    dbs_certificate_on       date,
    dbs_update_service       boolean NOT NULL DEFAULT false,
    safeguarding_training_on date,
    references_ok            boolean NOT NULL DEFAULT false,
    approved_under_18        boolean NOT NULL DEFAULT false,
    recorded_by              uuid NOT NULL REFERENCES users (id),
    recorded_at              timestamptz NOT NULL,
    CHECK (NOT dbs_enhanced_barred OR dbs_certificate_on IS NOT NULL)
);

-- What a learner would like in a mentor; every field optional.
CREATE TABLE mentoring_preferences (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    interests     text[] NOT NULL DEFAULT '{}' CHECK (interests <@ ARRAY['nursing_midwifery', 'allied_health',
                      'healthcare_science', 'estates_facilities', 'administration', 'social_care', 'ambulance',
                      'medicine_dentistry', 'other']),
    region        text NOT NULL DEFAULT '' CHECK (length(region) <= 80),
    languages     text[] NOT NULL DEFAULT '{}' CHECK (cardinality(languages) <= 10),
    availability  text[] NOT NULL DEFAULT '{}' CHECK (availability <@ ARRAY['weekday_daytime', 'weekday_evening', 'weekend']),
    mentor_gender text NOT NULL DEFAULT '' CHECK (length(mentor_gender) <= 40),
    updated_at    timestamptz NOT NULL
);

-- A reason a learner and mentor must never be matched (same family, line
-- manager, they know each other), declared by a manager of the learner's
-- organisation, a safeguarding lead or an admin.
CREATE TABLE mentoring_conflicts (
    learner_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mentor_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL DEFAULT 'other' CHECK (kind IN ('same_family', 'line_manager', 'knows_them', 'other')),
    reason      text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    declared_by uuid NOT NULL REFERENCES users (id),
    declared_at timestamptz NOT NULL,
    PRIMARY KEY (learner_id, mentor_id)
);

-- A learner and a mentor: proposed by the matcher, approved by a manager
-- of the learner's organisation (then active for six months) or rejected,
-- and ended at six months or early.
CREATE TABLE mentorships (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    learner_id      uuid NOT NULL REFERENCES users (id),
    mentor_id       uuid NOT NULL REFERENCES users (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    status          text NOT NULL CHECK (status IN ('proposed', 'active', 'ended', 'rejected')),
    score           numeric(20, 6) NOT NULL DEFAULT 0,
    reasons         text NOT NULL DEFAULT '',
    proposed_at     timestamptz NOT NULL,
    proposed_by     uuid REFERENCES users (id),
    approved_by     uuid REFERENCES users (id),
    approved_at     timestamptz,
    starts_on       date,
    ends_on         date,
    ended_at        timestamptz,
    ended_by        uuid REFERENCES users (id),
    end_reason      text NOT NULL DEFAULT '' CHECK (length(end_reason) <= 1000),
    rejected_at     timestamptz,
    rejected_by     uuid REFERENCES users (id),
    rejected_reason text NOT NULL DEFAULT '' CHECK (length(rejected_reason) <= 1000),
    CHECK (learner_id <> mentor_id),
    CHECK ((status IN ('active', 'ended')) = (approved_at IS NOT NULL)),
    CHECK ((starts_on IS NULL) = (approved_at IS NULL)),
    CHECK (ends_on = (starts_on + interval '6 months')::date),
    CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
    CHECK ((status = 'rejected') = (rejected_at IS NOT NULL))
);
-- One open mentorship per learner: never two active ones, never two
-- proposals, never a proposal beside an active one.
CREATE UNIQUE INDEX mentorships_one_open_key ON mentorships (learner_id) WHERE status IN ('proposed', 'active');
CREATE INDEX mentorships_mentor_idx ON mentorships (mentor_id, status);
CREATE INDEX mentorships_organisation_idx ON mentorships (organisation_id, status);

-- Goals the two people set together.
CREATE TABLE mentorship_goals (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    mentorship_id uuid NOT NULL REFERENCES mentorships (id),
    title         text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    target_on     date,
    done_at       timestamptz,
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL
);
CREATE INDEX mentorship_goals_mentorship_idx ON mentorship_goals (mentorship_id);

-- Each side's answers once a mentorship has ended.
CREATE TABLE mentorship_surveys (
    mentorship_id uuid NOT NULL REFERENCES mentorships (id),
    side          text NOT NULL CHECK (side IN ('learner', 'mentor')),
    respondent_id uuid NOT NULL REFERENCES users (id),
    useful        int NOT NULL CHECK (useful BETWEEN 1 AND 5),
    helped_work   text NOT NULL CHECK (helped_work IN ('yes', 'no', 'not_yet')),
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    submitted_at  timestamptz NOT NULL,
    PRIMARY KEY (mentorship_id, side)
);

-- Prompts the sweep has sent about a mentorship; the key makes each once.
CREATE TABLE mentorship_prompts (
    mentorship_id uuid NOT NULL REFERENCES mentorships (id),
    kind          text NOT NULL,
    sent_at       timestamptz NOT NULL,
    PRIMARY KEY (mentorship_id, kind)
);

-- Prompts the sweep has sent about a mentor (checks falling due).
CREATE TABLE mentor_prompts (
    mentor_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    sent_at   timestamptz NOT NULL,
    PRIMARY KEY (mentor_id, kind)
);

-- A learner or mentor asking for a different match.
CREATE TABLE mentorship_rematch_requests (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    mentorship_id uuid NOT NULL REFERENCES mentorships (id),
    requested_by  uuid NOT NULL REFERENCES users (id),
    reason        text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
    created_at    timestamptz NOT NULL
);
CREATE INDEX mentorship_rematch_requests_mentorship_idx ON mentorship_rematch_requests (mentorship_id);

-- A programme for mentors (their induction) rather than learners: only
-- mentors see it, and finishing it records their safeguarding training.
ALTER TABLE programmes ADD COLUMN for_mentors boolean NOT NULL DEFAULT false;

-- The matcher's weights, editable by admins: one row for every programme
-- (programme 'default') and one for each programme given its own. With no
-- row the built-in weights apply (match.DefaultWeights). Bounds as
-- match.Model.Validate.
CREATE TABLE mentoring_weights (
    programme       text PRIMARY KEY CHECK (length(btrim(programme)) BETWEEN 1 AND 80),
    career_family   numeric(12, 6) NOT NULL CHECK (career_family BETWEEN -10000 AND 10000),
    shared_interest numeric(12, 6) NOT NULL CHECK (shared_interest BETWEEN -10000 AND 10000),
    same_region     numeric(12, 6) NOT NULL CHECK (same_region BETWEEN -10000 AND 10000),
    shared_language numeric(12, 6) NOT NULL CHECK (shared_language BETWEEN -10000 AND 10000),
    first_language  numeric(12, 6) NOT NULL CHECK (first_language BETWEEN -10000 AND 10000),
    availability    numeric(12, 6) NOT NULL CHECK (availability BETWEEN -10000 AND 10000),
    load_spread     numeric(12, 6) NOT NULL CHECK (load_spread BETWEEN -10000 AND 10000),
    updated_by      uuid NOT NULL REFERENCES users (id),
    updated_at      timestamptz NOT NULL
);

-- A safeguarding lead's suspension of a mentor, at once: while it stands
-- the mentor is not eligible (never proposed, never approved). A mentor
-- with no vetting record gets one that records only the suspension.
ALTER TABLE mentor_vetting
    ADD COLUMN suspended_at     timestamptz,
    ADD COLUMN suspended_by     uuid REFERENCES users (id),
    ADD COLUMN suspended_reason text NOT NULL DEFAULT '' CHECK (length(suspended_reason) <= 1000),
    ADD CHECK ((suspended_at IS NULL) = (suspended_by IS NULL)),
    ADD CHECK ((suspended_at IS NULL) = (suspended_reason = ''));

-- +goose Down
ALTER TABLE mentor_vetting DROP COLUMN suspended_reason, DROP COLUMN suspended_by, DROP COLUMN suspended_at;
DROP TABLE mentoring_weights;
ALTER TABLE programmes DROP COLUMN for_mentors;
DROP TABLE mentorship_rematch_requests;
DROP TABLE mentor_prompts;
DROP TABLE mentorship_prompts;
DROP TABLE mentorship_surveys;
DROP TABLE mentorship_goals;
DROP TABLE mentorships;
DROP TABLE mentoring_conflicts;
DROP TABLE mentoring_preferences;
DROP TABLE mentor_vetting;
DROP TABLE mentor_profiles;
