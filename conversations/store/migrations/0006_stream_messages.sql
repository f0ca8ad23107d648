-- The report messages a stream has put into the chat during a case's current attempt. When a restart cuts
-- the attempt off, the next attempt deletes them first, so the chat never shows the report twice.
CREATE TABLE stream_messages (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    message_ids TEXT NOT NULL
);
