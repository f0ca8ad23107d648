-- A case is done only once its PDF has been delivered; a verdict is final only once its patient was told.
ALTER TABLE cases ADD COLUMN delivered_at TEXT;
-- How often a job was cut off by a crash or a shutdown while it ran; the second time it is failed, not rerun.
ALTER TABLE cases ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;
-- Why the report ended: eos, or length / repetition for a report cut short (said in the chat and the PDF).
ALTER TABLE cases ADD COLUMN report_end TEXT;
UPDATE cases SET delivered_at = updated_at WHERE status = 'done';
ALTER TABLE reviews ADD COLUMN patient_notified INTEGER NOT NULL DEFAULT 0;
UPDATE reviews SET patient_notified = 1 WHERE verdict IS NOT NULL;
