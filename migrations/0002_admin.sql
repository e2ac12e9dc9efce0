-- Admin API resources (issue 5). Times are epoch milliseconds; `data` columns hold
-- zod-validated JSON documents. Every table carries workspace_id: queries always filter by it,
-- so one workspace never sees another's rows.

-- The bootstrap key (ADMIN_API_KEY / dev-admin-key) owns this workspace.
INSERT OR IGNORE INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default workspace', 0);

-- First characters of a key, shown in lists so admins can tell keys apart.
ALTER TABLE api_keys ADD COLUMN key_prefix TEXT NOT NULL DEFAULT '';
CREATE INDEX api_keys_workspace ON api_keys(workspace_id, created_at, id);

CREATE INDEX pilots_workspace_created ON pilots(workspace_id, created_at, id);
CREATE INDEX flows_workspace_created ON flows(workspace_id, created_at, id);

-- Pilot knowledge: intents, entities, global pilot variables, knowledge articles. `name` is
-- unique per pilot (409 on a duplicate); articles use their title as name.
CREATE TABLE pilot_items (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  pilot_id TEXT NOT NULL REFERENCES pilots(id),
  kind TEXT NOT NULL CHECK (kind IN ('intent', 'entity', 'variable', 'knowledge')),
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX pilot_items_name ON pilot_items(pilot_id, kind, name) WHERE kind != 'knowledge';
CREATE INDEX pilot_items_list ON pilot_items(workspace_id, pilot_id, kind, created_at, id);

-- Contacts: identified visitors and people admins add. external_id is the site's userId.
CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  external_id TEXT,
  email TEXT,
  name TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_external ON contacts(workspace_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_email ON contacts(workspace_id, email) WHERE email IS NOT NULL;
CREATE INDEX contacts_list ON contacts(workspace_id, created_at, id);

-- Human agents and their teams.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  email TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users(workspace_id, email);
CREATE INDEX users_list ON users(workspace_id, created_at, id);

CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams(workspace_id, name);
CREATE INDEX teams_list ON teams(workspace_id, created_at, id);

-- What flows created: deals, tasks, notes (create_record) and emails (send_email). Written by
-- the runtime's effect executor, read by `GET /records` and `GET /outbox`.
CREATE TABLE records (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  pilot_id TEXT,
  conversation_id TEXT,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX records_list ON records(workspace_id, kind, created_at, id);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  pilot_id TEXT,
  conversation_id TEXT,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX outbox_list ON outbox(workspace_id, created_at, id);
