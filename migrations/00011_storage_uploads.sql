-- +goose Up
-- Uploads to the media store that have begun and not finished: a row is
-- written before an upload starts and removed once it has ended cleanly.
-- A row left behind (the store went down mid-upload, or the process
-- died) names a key whose partial upload the storage sweep aborts; S3
-- servers such as MinIO cannot always list those bucket-wide.
CREATE TABLE storage_uploads (
    key        text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 1024),
    started_at timestamptz NOT NULL
);
CREATE INDEX storage_uploads_started_at ON storage_uploads (started_at);

-- +goose Down
DROP TABLE storage_uploads;
