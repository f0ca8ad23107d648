-- Which clinics a patient who did not come through a clinic's link may send cases to (SKINBOT_CLINIC_ACCESS:
-- by default only clinics marked open), and clinics whose verdicts only their registered staff may give.
ALTER TABLE clinics ADD COLUMN is_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clinics ADD COLUMN verdicts_by_staff INTEGER NOT NULL DEFAULT 0;
-- The Telegram account a staff member presses the verdict buttons in the clinic's chat from.
ALTER TABLE staff ADD COLUMN telegram_id INTEGER;
CREATE INDEX staff_by_telegram ON staff(telegram_id);
-- A clinic link's token is a secret like the others: only its SHA-256 is kept from now on. Links already
-- handed out keep working, since a token is looked up by its hash (skinbot_sha256 is the store's
-- secret_hash, registered on the connection).
CREATE TABLE clinic_links_hashed (
    token_hash  TEXT PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
INSERT INTO clinic_links_hashed(token_hash, clinic_id, created_at, revoked_at)
    SELECT skinbot_sha256(token), clinic_id, created_at, revoked_at FROM clinic_links;
DROP TABLE clinic_links;
ALTER TABLE clinic_links_hashed RENAME TO clinic_links;
