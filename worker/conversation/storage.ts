/**
 * The ConversationObject's SQLite tables and the only code that reads or writes them.
 * Callers group writes without an `await` in between so each turn commits atomically.
 */

import type { IoEffect, RunState } from '../../shared/engine/types.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ChatMessage, Choice, RichParts } from '../../shared/protocol.ts';
import type { EffectResult } from '../effects/effect-result.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  choices TEXT,
  input TEXT,
  client_id TEXT,
  at INTEGER NOT NULL,
  -- JSON of a pilot message's image, link buttons, cards and post part; null for plain text.
  rich TEXT
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
-- Effect ledger: intent (pending) and result (done) of every I/O effect, keyed by the engine's
-- per-step idempotency key, committed in the same transaction as the run state.
CREATE TABLE IF NOT EXISTS effects (
  key TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS effects_status ON effects(status, seq);
-- Run/step/conversation events not yet handed to the EVENTS queue.
CREATE TABLE IF NOT EXISTS outgoing (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
`;

/** Bump when SCHEMA or the migrations in the constructor change. */
const SCHEMA_VERSION = '2';
const SCHEMA_KEY = 'schemaVersion';
/** Meta key set once an effect was ever recorded (saves effect-table reads on every start). */
const EFFECTS_KEY = 'hasEffects';

export interface StoredRun {
  state: RunState;
  flow: Flow;
  startedAt: number;
}

export type EffectStatus = 'pending' | 'running' | 'done';
export interface LedgerEntry {
  key: string;
  runId: string;
  effect: IoEffect;
  status: EffectStatus;
  result: EffectResult | null;
}

interface MessageRow {
  seq: number;
  author: string;
  text: string;
  choices: string | null;
  input: string | null;
  client_id: string | null;
  at: number;
  rich: string | null;
  [key: string]: SqlStorageValue;
}

interface RunRow {
  run_id: string;
  state: string;
  definition: string;
  started_at: number;
  [key: string]: SqlStorageValue;
}

function toMessage(row: MessageRow): ChatMessage {
  return {
    seq: row.seq,
    author: row.author as ChatMessage['author'],
    text: row.text,
    at: row.at,
    ...(row.choices ? { choices: JSON.parse(row.choices) as Choice[] } : {}),
    ...(row.input ? { input: row.input } : {}),
    ...(row.client_id ? { clientId: row.client_id } : {}),
    ...(row.rich ? (JSON.parse(row.rich) as RichParts) : {}),
  };
}

/** The image, links, cards, post part and form of a message as one JSON value; null when none. */
function richJson({ image, links, cards, post, form, errors }: RichParts): string | null {
  const rich: RichParts = {
    ...(post ? { post } : {}),
    ...(image ? { image } : {}),
    ...(links?.length ? { links } : {}),
    ...(cards?.length ? { cards } : {}),
    ...(form?.length ? { form } : {}),
    ...(errors ? { errors } : {}),
  };
  return Object.keys(rich).length > 0 ? JSON.stringify(rich) : null;
}

export class ConversationStorage {
  /**
   * Write-through copy of the `meta` table. A turn reads a dozen facts (mode, status, pilot,
   * bucket, counters, …); each SQL call costs more than the lookup. Loaded from storage when the
   * object starts, so it is never the source of truth: after eviction it is rebuilt from disk.
   */
  private readonly meta = new Map<string, string>();
  private readonly parsed = new Map<string, unknown>();
  private readonly definitions = new Map<string, Flow>();
  /** Known-empty answers, reset by every write that could change them (memory only). */
  private noActiveRun = false;
  private noPendingEffect = false;
  private noOutgoing = false;
  /**
   * Write-through copy of the newest message (undefined: not read yet). The admin row reads it
   * on every event flush; the `ORDER BY seq DESC` query was the largest cost of a flush.
   */
  private last: ChatMessage | null | undefined;

  constructor(private readonly sql: SqlStorage) {
    // Every conversation start pays for this: objects already at the current schema read one
    // table instead of running a dozen DDL statements (measured: the largest CPU cost of a
    // short conversation).
    if (this.loadMeta() === SCHEMA_VERSION) return;
    sql.exec(SCHEMA);
    // Objects created before rich messages lack the column (SQLite: no ADD COLUMN IF NOT EXISTS).
    const hasRich = sql.exec("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'rich'");
    if (hasRich.toArray().length === 0) sql.exec('ALTER TABLE messages ADD COLUMN rich TEXT');
    this.loadMeta();
    // Objects from before the flag existed may hold effects.
    if (sql.exec('SELECT 1 FROM effects LIMIT 1').toArray().length > 0)
      this.setMeta(EFFECTS_KEY, '1');
    this.setMeta(SCHEMA_KEY, SCHEMA_VERSION);
  }

  /**
   * After a rolled-back transaction: the memory copies may hold writes that never happened, so
   * they are dropped and the meta table is read again (the disk is the source of truth).
   */
  forgetUncommitted(): void {
    this.meta.clear();
    this.parsed.clear();
    this.definitions.clear();
    this.last = undefined;
    this.noActiveRun = false;
    this.noPendingEffect = false;
    this.noOutgoing = false;
    this.loadMeta();
  }

  /** Loads the meta table; returns the stored schema version (null for a new object). */
  private loadMeta(): string | null {
    try {
      for (const row of this.sql.exec<{ key: string; value: string }>(
        'SELECT key, value FROM meta',
      ))
        this.meta.set(row.key, row.value);
    } catch {
      return null; // no tables yet
    }
    return this.meta.get(SCHEMA_KEY) ?? null;
  }

  getMeta(key: string): string | null {
    return this.meta.get(key) ?? null;
  }

  setMeta(key: string, value: string): void {
    if (this.meta.get(key) === value) return;
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
    this.meta.set(key, value);
    this.parsed.delete(key);
  }

  deleteMeta(key: string): void {
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    this.meta.delete(key);
    this.parsed.delete(key);
  }

  /** Parsed once per value; callers treat the result as read-only (setJson replaces it). */
  getJson<T>(key: string): T | null {
    if (this.parsed.has(key)) return this.parsed.get(key) as T;
    const value = this.getMeta(key);
    const parsed = value === null ? null : (JSON.parse(value) as T);
    this.parsed.set(key, parsed);
    return parsed;
  }

  setJson(key: string, value: unknown): void {
    this.setMeta(key, JSON.stringify(value));
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
        'INSERT INTO messages (author, text, choices, input, client_id, at, rich) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq',
        message.author,
        message.text,
        message.choices ? JSON.stringify(message.choices) : null,
        message.input ?? null,
        message.clientId ?? null,
        message.at,
        richJson(message),
      )
      .one();
    const stored = { ...message, seq: row.seq };
    this.last = stored;
    return stored;
  }

  messagesAfter(seq: number, limit = 500): ChatMessage[] {
    return this.sql
      .exec<MessageRow>('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', seq, limit)
      .toArray()
      .map(toMessage);
  }

  message(seq: number): ChatMessage | null {
    const row = this.sql.exec<MessageRow>('SELECT * FROM messages WHERE seq = ?', seq).toArray()[0];
    return row ? toMessage(row) : null;
  }

  lastMessage(): ChatMessage | null {
    if (this.last !== undefined) return this.last;
    const row = this.sql
      .exec<MessageRow>('SELECT * FROM messages ORDER BY seq DESC LIMIT 1')
      .toArray()[0];
    this.last = row ? toMessage(row) : null;
    return this.last;
  }

  lastSeq(): number {
    return this.lastMessage()?.seq ?? 0;
  }

  /** The run that is not finished yet, if any (one active run per conversation). */
  activeRun(): StoredRun | null {
    // Most turns have no run waiting; remember that until a run is saved.
    if (this.noActiveRun) return null;
    const row = this.sql
      .exec<RunRow>(
        "SELECT run_id, state, definition, started_at FROM runs WHERE status = 'waiting' ORDER BY started_at DESC LIMIT 1",
      )
      .toArray()[0];
    if (!row) this.noActiveRun = true;
    return row ? this.toRun(row) : null;
  }

  run(runId: string): StoredRun | null {
    const row = this.sql
      .exec<RunRow>(
        'SELECT run_id, state, definition, started_at FROM runs WHERE run_id = ?',
        runId,
      )
      .toArray()[0];
    return row ? this.toRun(row) : null;
  }

  /**
   * A run's definition never changes (runs are pinned to their version), so it is parsed once
   * per object; the same Flow object also keeps the engine's per-flow caches warm.
   */
  private toRun(row: RunRow): StoredRun {
    let flow = this.definitions.get(row.run_id);
    if (!flow) {
      flow = JSON.parse(row.definition) as Flow;
      this.definitions.set(row.run_id, flow);
    }
    return { state: JSON.parse(row.state) as RunState, flow, startedAt: row.started_at };
  }

  saveRun(state: RunState, flow: Flow, now: number): void {
    this.noActiveRun = false;
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

  /** Records the intent of an effect; a second record of the same step is ignored. */
  recordEffect(runId: string, effect: IoEffect, now: number): void {
    this.noPendingEffect = false;
    this.setMeta(EFFECTS_KEY, '1');
    this.sql.exec(
      `INSERT INTO effects (key, seq, run_id, body, status, updated_at)
       VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM effects), ?, ?, 'pending', ?)
       ON CONFLICT(key) DO NOTHING`,
      effect.idempotencyKey,
      runId,
      JSON.stringify(effect),
      now,
    );
  }

  /** The oldest effect whose intent is recorded but which has not started. */
  nextPendingEffect(): LedgerEntry | null {
    if (this.noPendingEffect || !this.getMeta(EFFECTS_KEY)) return null;
    const row = this.sql
      .exec<{ key: string }>(
        "SELECT key FROM effects WHERE status = 'pending' ORDER BY seq LIMIT 1",
      )
      .toArray()[0];
    if (!row) this.noPendingEffect = true;
    return row ? this.effect(row.key) : null;
  }

  effect(key: string): LedgerEntry | null {
    const row = this.sql
      .exec<{ key: string; run_id: string; body: string; status: string; result: string | null }>(
        'SELECT key, run_id, body, status, result FROM effects WHERE key = ?',
        key,
      )
      .toArray()[0];
    if (!row) return null;
    return {
      key: row.key,
      runId: row.run_id,
      effect: JSON.parse(row.body) as IoEffect,
      status: row.status as EffectStatus,
      result: row.result ? (JSON.parse(row.result) as EffectResult) : null,
    };
  }

  /** Effects that were running when the object died (their outcome is unknown). */
  interruptedEffects(): LedgerEntry[] {
    if (!this.getMeta(EFFECTS_KEY)) return [];
    return this.sql
      .exec<{ key: string }>("SELECT key FROM effects WHERE status = 'running' ORDER BY seq")
      .toArray()
      .flatMap((row) => this.effect(row.key) ?? []);
  }

  setEffectStatus(key: string, status: EffectStatus, now: number, result?: EffectResult): void {
    if (status === 'pending') this.noPendingEffect = false;
    this.sql.exec(
      'UPDATE effects SET status = ?, result = COALESCE(?, result), updated_at = ? WHERE key = ?',
      status,
      result ? JSON.stringify(result) : null,
      now,
      key,
    );
  }

  countEffects(status: EffectStatus): number {
    if (!this.getMeta(EFFECTS_KEY)) return 0;
    return this.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM effects WHERE status = ?', status)
      .one().n;
  }

  enqueueOutgoing(body: unknown): void {
    this.noOutgoing = false;
    this.sql.exec('INSERT INTO outgoing (body) VALUES (?)', JSON.stringify(body));
  }

  outgoing(limit: number): { seq: number; body: string }[] {
    if (this.noOutgoing) return [];
    const rows = this.sql
      .exec<{ seq: number; body: string }>(
        'SELECT seq, body FROM outgoing ORDER BY seq LIMIT ?',
        limit,
      )
      .toArray();
    if (rows.length === 0) this.noOutgoing = true;
    return rows;
  }

  deleteOutgoingThrough(seq: number): void {
    this.sql.exec('DELETE FROM outgoing WHERE seq <= ?', seq);
  }

  /** Monotonic per-conversation counter (event ids, ordering of run updates). */
  nextCounter(name: string): number {
    const next = Number(this.getMeta(`counter:${name}`) ?? '0') + 1;
    this.setMeta(`counter:${name}`, String(next));
    return next;
  }
}
