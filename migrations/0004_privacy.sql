-- Privacy operations (issue 18): erasure jobs and conversation tombstones. Times are epoch ms.

-- One row per erasure subject (a contact, an anonymous visitor, one conversation). While
-- `status` is 'running', `pending` lists the conversations still to erase and `targets` what
-- else names the person (email, external id): a retried request resumes from here, so an
-- eviction or a crash midway never leaves a half-erased person behind silently. When done,
-- `pending` and `targets` are emptied; the row stays as the receipt (counts only, no personal
-- data) so a repeated erase answers without doing anything. `subject_id` is the SHA-256 (hex)
-- of the contact, visitor or conversation id: the row never names the person.
CREATE TABLE erasures (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('contact', 'visitor', 'conversation')),
  subject_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done')),
  pending TEXT NOT NULL,
  targets TEXT NOT NULL,
  receipt TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX erasures_subject ON erasures(workspace_id, kind, subject_id);

-- Conversations erased at `erased_at`: the events consumer drops queue events of theirs from
-- before that moment (a queue message in flight during the erase would otherwise bring rows
-- back). Events after it belong to a fresh conversation and are kept. Keyed by the SHA-256
-- (hex) of the conversation id, so the tombstone does not name the erased conversation.
CREATE TABLE erased_conversations (
  conversation_hash TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL
);
