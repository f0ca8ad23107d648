-- The web side: API keys and the cases that came in over the API, clinic staff with their one-time login
-- links and sessions, and the review desk's audit log.

-- Only a key's SHA-256 is kept: the key is shown once, when it is made, and cannot be read back.
CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);

-- A request made over the API. Not a Telegram case: no chat, no review, no PDF outbox. A classify or
-- analyze request keeps its row only while it runs; a diagnose request keeps its report and PDF for
-- SKINBOT_RETENTION_DAYS, readable only with the key that made it.
CREATE TABLE api_cases (
    id              TEXT PRIMARY KEY,
    key_id          INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    patient_name    TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    history         TEXT,
    language        TEXT NOT NULL,
    image           TEXT NOT NULL,
    status          TEXT NOT NULL,
    classification  TEXT,
    report          TEXT,
    image_seen      INTEGER,
    report_end      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX api_cases_by_key ON api_cases(key_id, created_at);

-- Clinic staff: each belongs to one clinic (a chat id of SKINBOT_REVIEW_CHAT_ID) and sees only its cases.
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    clinic_chat_id  INTEGER NOT NULL,
    name            TEXT NOT NULL,
    language        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    removed_at      TEXT
);
-- One-time login links and cookie sessions; only the SHA-256 of each token is kept.
CREATE TABLE staff_links (
    token_hash  TEXT PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE TABLE staff_sessions (
    token_hash  TEXT PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Who viewed which case and who decided what, from the desk or from a clinic's Telegram chat. It names
-- staff and case ids, never patients; it is shown to the clinic's staff and never sent to a patient.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    clinic_chat_id  INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    staff_id        INTEGER,
    source          TEXT NOT NULL,
    action          TEXT NOT NULL,
    review_id       TEXT,
    case_id         TEXT,
    detail          TEXT
);
CREATE INDEX audit_by_clinic ON audit_log(clinic_chat_id, at);
CREATE INDEX audit_by_review ON audit_log(review_id);
