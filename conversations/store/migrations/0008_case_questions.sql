-- "Ask about this report": a patient's questions about one finished case and the model's answers. They
-- belong to the case: /delete and the retention purge remove them with it (ON DELETE CASCADE), /export
-- includes them, and the clinic sees them in review.
CREATE TABLE case_questions (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT,
    state       TEXT NOT NULL,
    error       TEXT,
    created_at  TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX case_questions_by_case ON case_questions(case_id, created_at);
