-- Runtime (issue 4): presence, conversations index, enrollment logs. Times are epoch ms.
-- Every row written from queue events is an upsert keyed by the event's id, so redelivery
-- (queues are at-least-once) changes nothing.

-- Agent presence (PUT /v1/admin/users/:userId/presence); availability settings read it.
CREATE TABLE presence (
  workspace_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);

-- One row per conversation, for GET /v1/admin/conversations (the transcript lives in its DO).
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  pilot_id TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  user_id TEXT,
  status TEXT NOT NULL,
  mode TEXT NOT NULL,
  assignee TEXT,
  page_url TEXT,
  last_message TEXT,
  last_message_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Orders updates: an older event never overwrites a newer one.
  event_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_list ON conversations(workspace_id, updated_at, id);

-- One row per run (enrollment).
CREATE TABLE enrollments (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  pilot_id TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  conversation_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL,
  node_id TEXT,
  error TEXT,
  handed_over INTEGER NOT NULL DEFAULT 0,
  triggered_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  event_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrollments_flow ON enrollments(workspace_id, flow_id, triggered_at, id);
CREATE INDEX enrollments_waiting ON enrollments(flow_id, status);

-- Every executed node of a run.
CREATE TABLE enrollment_steps (
  id TEXT PRIMARY KEY,
  enrollment_id TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  node_type TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  port TEXT,
  choice TEXT,
  error TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  at INTEGER NOT NULL
);
CREATE INDEX enrollment_steps_run ON enrollment_steps(enrollment_id, seq);
CREATE INDEX enrollment_steps_flow ON enrollment_steps(flow_id, at);
