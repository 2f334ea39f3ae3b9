-- Idempotency-Key on POST (the IETF httpapi idempotency-key draft): per caller and key, the
-- request's fingerprint and, once answered, the response to replay; kept 24 hours. The row is
-- written in the same transaction as the write it guards, so it exists exactly when the
-- write committed — on every instance sharing the database.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status INTEGER,
    headers TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subject, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
