-- Cases sent to a clinic for review; the first verdict wins.
CREATE TABLE reviews (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL UNIQUE REFERENCES cases(id) ON DELETE CASCADE,
    user_id             INTEGER NOT NULL,
    clinic_chat_id      INTEGER NOT NULL,
    summary_message_id  INTEGER,
    note_prompt_id      INTEGER,
    verdict             TEXT,
    reviewer            TEXT,
    note                TEXT,
    created_at          TEXT NOT NULL,
    answered_at         TEXT,
    reflagged_at        TEXT
);
CREATE INDEX reviews_pending ON reviews(verdict, created_at);
