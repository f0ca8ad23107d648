-- Users who agreed, their intake in progress, and their cases (one row per confirmed intake).
CREATE TABLE users (
    user_id     INTEGER PRIMARY KEY,
    language    TEXT NOT NULL,
    consent_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE conversations (
    user_id     INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    chat_id         INTEGER NOT NULL,
    patient_name    TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    history         TEXT,
    report_language TEXT NOT NULL,
    ui_language     TEXT NOT NULL,
    image           TEXT NOT NULL,
    status          TEXT NOT NULL,
    queue_seq       INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    classification  TEXT,
    report          TEXT,
    image_seen      INTEGER,
    error           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cases_by_user ON cases(user_id, created_at);
CREATE INDEX cases_by_queue ON cases(status, queue_seq);
