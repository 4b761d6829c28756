-- +goose Up
-- Managing: what programme managers need to run cohorts: learners'
-- details for enrolment, withdrawals and transfers, spreadsheet imports
-- previewed before anyone is enrolled, and invite codes for self-enrolment.

ALTER TABLE users
    ADD COLUMN date_of_birth date CHECK (date_of_birth > '1900-01-01'),
    ADD COLUMN phone text NOT NULL DEFAULT '' CHECK (length(phone) <= 40);

ALTER TABLE enrolments
    ADD COLUMN withdrawn_at timestamptz,
    ADD COLUMN withdrawal_reason text NOT NULL DEFAULT '' CHECK (length(withdrawal_reason) <= 500),
    ADD COLUMN transferred_from uuid REFERENCES cohorts (id),
    ADD CONSTRAINT enrolments_withdrawn_check CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL));
CREATE INDEX enrolments_cohort_status_idx ON enrolments (cohort_id, status);
CREATE INDEX cohorts_organisation_idx ON cohorts (organisation_id, starts_on);

-- An uploaded spreadsheet of learners, checked row by row. Nobody is
-- enrolled until a manager confirms; the file's hash makes a second
-- upload of the same file recognisable.
CREATE TABLE enrolment_imports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_id    uuid NOT NULL REFERENCES cohorts (id),
    uploaded_by  uuid NOT NULL REFERENCES users (id),
    filename     text NOT NULL DEFAULT '',
    file_sha256  text NOT NULL,
    status       text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'confirmed')),
    valid_rows   int NOT NULL DEFAULT 0,
    error_rows   int NOT NULL DEFAULT 0,
    enrolled     int NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
CREATE INDEX enrolment_imports_cohort_idx ON enrolment_imports (cohort_id, created_at);

CREATE TABLE enrolment_import_rows (
    import_id     uuid NOT NULL REFERENCES enrolment_imports (id) ON DELETE CASCADE,
    row_number    int NOT NULL CHECK (row_number > 0),
    name          text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    date_of_birth date,
    phone         text NOT NULL DEFAULT '',
    errors        jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (import_id, row_number)
);

-- Codes a learner types (or a link they follow) to join a cohort.
CREATE TABLE invite_codes (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{8}$'),
    cohort_id  uuid NOT NULL REFERENCES cohorts (id),
    created_by uuid NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    max_uses   int NOT NULL DEFAULT 30 CHECK (max_uses > 0),
    uses       int NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invite_codes_cohort_idx ON invite_codes (cohort_id);

-- +goose Down
DROP TABLE invite_codes;
DROP TABLE enrolment_import_rows;
DROP TABLE enrolment_imports;
DROP INDEX cohorts_organisation_idx;
DROP INDEX enrolments_cohort_status_idx;
ALTER TABLE enrolments DROP CONSTRAINT enrolments_withdrawn_check,
    DROP COLUMN transferred_from, DROP COLUMN withdrawal_reason, DROP COLUMN withdrawn_at;
ALTER TABLE users DROP COLUMN phone, DROP COLUMN date_of_birth;
