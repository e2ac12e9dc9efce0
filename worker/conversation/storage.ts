/**
 * The ConversationObject's SQLite tables and the only code that reads or writes them.
 * Callers group writes without an `await` in between so each turn commits atomically.
 */

import type { RunState } from '../../shared/engine/types.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ChatMessage, Choice } from '../../shared/protocol.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  choices TEXT,
  input TEXT,
  client_id TEXT,
  at INTEGER NOT NULL
);
-- Client frame ids already handled: a duplicate frame is acknowledged and ignored.
CREATE TABLE IF NOT EXISTS client_frames (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  flow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  state TEXT NOT NULL,
  -- The flow version the run started on, so publishing never changes a running conversation.
  definition TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
`;

export interface StoredRun {
  state: RunState;
  flow: Flow;
}

export class ConversationStorage {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  getMeta(key: string): string | null {
    const row = this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0];
    return row ? row.value : null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }

  hasClientFrame(id: string): boolean {
    return this.sql.exec('SELECT 1 FROM client_frames WHERE id = ?', id).toArray().length > 0;
  }

  markClientFrame(id: string, at: number): void {
    this.sql.exec('INSERT INTO client_frames (id, at) VALUES (?, ?)', id, at);
  }

  appendMessage(message: Omit<ChatMessage, 'seq'>): ChatMessage {
    const row = this.sql
      .exec<{ seq: number }>(
        'INSERT INTO messages (author, text, choices, input, client_id, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq',
        message.author,
        message.text,
        message.choices ? JSON.stringify(message.choices) : null,
        message.input ?? null,
        message.clientId ?? null,
        message.at,
      )
      .one();
    return { ...message, seq: row.seq };
  }

  messagesAfter(seq: number, limit = 500): ChatMessage[] {
    return this.sql
      .exec<{
        seq: number;
        author: string;
        text: string;
        choices: string | null;
        input: string | null;
        client_id: string | null;
        at: number;
      }>('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', seq, limit)
      .toArray()
      .map((row) => ({
        seq: row.seq,
        author: row.author as ChatMessage['author'],
        text: row.text,
        at: row.at,
        ...(row.choices ? { choices: JSON.parse(row.choices) as Choice[] } : {}),
        ...(row.input ? { input: row.input } : {}),
        ...(row.client_id ? { clientId: row.client_id } : {}),
      }));
  }

  message(seq: number): ChatMessage | null {
    return this.messagesAfter(seq - 1, 1).find((m) => m.seq === seq) ?? null;
  }

  lastSeq(): number {
    return this.sql.exec<{ s: number | null }>('SELECT MAX(seq) AS s FROM messages').one().s ?? 0;
  }

  /** The run waiting for the visitor, if any (one active run per conversation). */
  activeRun(): StoredRun | null {
    const row = this.sql
      .exec<{ state: string; definition: string }>(
        "SELECT state, definition FROM runs WHERE status = 'waiting' ORDER BY started_at DESC LIMIT 1",
      )
      .toArray()[0];
    return row
      ? { state: JSON.parse(row.state) as RunState, flow: JSON.parse(row.definition) as Flow }
      : null;
  }

  saveRun(state: RunState, flow: Flow, now: number): void {
    this.sql.exec(
      `INSERT INTO runs (run_id, flow_id, version, status, state, definition, started_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, state = excluded.state, updated_at = excluded.updated_at`,
      state.runId,
      state.flowId,
      state.version,
      state.status,
      JSON.stringify(state),
      JSON.stringify(flow),
      now,
      now,
    );
  }
}
