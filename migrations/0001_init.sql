-- Admin data. Times are epoch milliseconds; JSON columns hold zod-validated documents.
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  -- SHA-256 of the key, hex. The key itself is shown once and never stored.
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE pilots (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  public_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- Everything else a pilot has (persona, timezone, office hours, trusted domains, ...).
  settings TEXT NOT NULL,
  identity_secret TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX pilots_workspace ON pilots(workspace_id, id);

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  pilot_id TEXT NOT NULL REFERENCES pilots(id),
  draft TEXT NOT NULL,
  -- Bumped on every draft write; the ETag of the draft.
  revision INTEGER NOT NULL DEFAULT 1,
  published_version INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX flows_pilot ON flows(workspace_id, pilot_id, id);

CREATE TABLE flow_versions (
  flow_id TEXT NOT NULL REFERENCES flows(id),
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  published_at INTEGER NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY (flow_id, version)
);
