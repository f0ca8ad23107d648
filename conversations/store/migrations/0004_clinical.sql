-- Several photos a case: a JSON list of {"image", "kind"}, the close-up first (`image` stays the close-up).
-- A case made before has its one photo.
ALTER TABLE cases ADD COLUMN photos TEXT;
UPDATE cases SET photos = '[{"image": "' || image || '", "kind": "close_up"}]';
-- Where on the body the lesion is (optional), and the earlier case of the same spot a follow-up links to.
ALTER TABLE cases ADD COLUMN body_site TEXT;
ALTER TABLE cases ADD COLUMN follow_up_of TEXT REFERENCES cases(id) ON DELETE SET NULL;
CREATE INDEX cases_by_follow_up ON cases(follow_up_of);
-- Clinics that review cases (SKINBOT_REVIEW_CHAT_ID seeds them), the links they hand out, and the clinic a
-- patient came through.
CREATE TABLE clinics (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE clinic_links (
    token       TEXT PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
ALTER TABLE users ADD COLUMN clinic_id INTEGER REFERENCES clinics(id) ON DELETE SET NULL;
-- "Remind me to re-check this spot": at most one per case; kept after it was sent, so the retention purge can
-- keep the case for the follow-up it reminded about.
CREATE TABLE reminders (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    due_at      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX reminders_due ON reminders(sent_at, due_at);
