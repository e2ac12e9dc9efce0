/**
 * The ConversationObject's SQLite tables and the only code that reads or writes them. The
 * conversation's own facts (who, mode, status, contact, pilot, …) are one typed state object
 * (`state`), decoded once from the `meta` table when the object starts and kept current by
 * `update`: no other module knows a meta key. Per-run facts are columns of `runs`.
 * Callers group writes without an `await` in between so each turn commits atomically.
 */

import type { IoEffect, RunState } from '../../shared/engine/types.ts';
import type { OfficeHours } from '../../shared/expr/office-hours.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ChatMessage, Choice, PageInfo, RichParts } from '../../shared/protocol.ts';
import type { EffectResult } from '../effects/effect-result.ts';
import { MAX_QUESTION_CHARS } from '../knowledge/unanswered-store.ts';
import { WaitingRows } from './waiting-rows.ts';

// Tables keyed by text are WITHOUT ROWID (one b-tree per insert, not a table and its key
// index), and `outgoing` has no AUTOINCREMENT (its seq only orders rows waiting to be sent, so
// reuse after a delete is harmless; no sqlite_sequence write per turn). Nor has `messages`:
// messages are never deleted (an erasure drops every table), so the largest seq plus one is
// what AUTOINCREMENT would give, without its sqlite_sequence write for every message. Objects
// created before keep the tables they have: both forms are read and written alike.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  choices TEXT,
  input TEXT,
  client_id TEXT,
  at INTEGER NOT NULL,
  -- JSON of a pilot message's image, link buttons, cards and post part; null for plain text.
  rich TEXT,
  -- 1: a visitor question the knowledge had no answer for, not yet on its way to the pilot's
  -- unanswered list (the flush sends it, the next commit clears it); null otherwise.
  unanswered INTEGER
);
-- The unsent questions alone: a new instance finds them, and the sweep clears their flags,
-- without reading a long conversation's every message.
CREATE INDEX IF NOT EXISTS messages_unanswered ON messages(seq) WHERE unanswered = 1;
-- Client frame ids already handled: a duplicate frame is acknowledged and ignored.
CREATE TABLE IF NOT EXISTS client_frames (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  flow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  state TEXT NOT NULL,
  -- The flow version the run started on, so publishing never changes a running conversation.
  definition TEXT NOT NULL,
  -- When the run was triggered (its row is written before its first step).
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- RUN_COLUMNS below: added to objects created before them.
  visitor_started_at INTEGER,
  failed_node TEXT,
  handed_over INTEGER NOT NULL DEFAULT 0,
  extra TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_flow ON runs(flow_id, started_at);
-- Run/step/conversation events not yet handed to the EVENTS queue.
CREATE TABLE IF NOT EXISTS outgoing (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
`;

/**
 * Effect ledger: intent (pending) and result (done) of every I/O effect, keyed by the engine's
 * per-step idempotency key, committed in the same transaction as the run state. Made by the
 * first effect a new object records (most conversations never have one: two DDL statements
 * fewer per new conversation); every read of it waits for the `hasEffects` meta flag set then.
 */
const EFFECTS_SCHEMA = `
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
`;

/**
 * The most messages one transcript read returns: the newest ones, so a long conversation's
 * latest turns are never the ones missing (one response stays a few MB at most).
 */
export const MAX_TRANSCRIPT_MESSAGES = 10_000;
/**
 * …and at most this many characters of message text and rich parts: 10,000 messages of 4,000
 * characters were past the 32 MiB an object call may return (the admin's conversation view and
 * the export answered 500). The newest messages that fit are returned; what is cut is the start.
 */
export const MAX_TRANSCRIPT_CHARS = 4_000_000;

/**
 * Messages one conversation stores: past it, the oldest are deleted (every PRUNE_EVERY messages,
 * in the commit that adds one). A visitor may write 5 messages a second of 4,000 characters,
 * about 72 MB an hour, and nothing else bounded what one conversation holds; 20,000 messages is
 * far beyond a real chat (the admin view reads the newest 10,000).
 */
export const MAX_STORED_MESSAGES = 20_000;
const PRUNE_EVERY = 500;

/** Client frame ids an object keeps in memory (ConversationStorage.frames); past it, SQL. */
export const MAX_KNOWN_FRAMES = 1_000;
/**
 * Messages a wake may read to learn the handled frame ids: a conversation with more goes to the
 * indexed per-frame checks at once, so a table a flow filled with its own messages is never
 * scanned (found by a hostile review: 200 messages per page view made every wake a full scan).
 */
export const FRAME_WINDOW_MESSAGES = 2_000;
/**
 * Messages looked through, newest first, for the visitor's last one (the `live` rule of a page
 * view): a visitor whose last words are older than this many messages counts as not having
 * written recently. Bounded for the same reason as FRAME_WINDOW_MESSAGES.
 */
export const VISITOR_LOOKBACK_MESSAGES = 1_000;

/** Bump when SCHEMA or the migrations in the constructor change. */
export const SCHEMA_VERSION = '4';
const SCHEMA_KEY = 'schemaVersion';
/** Meta key set once an effect was ever recorded (saves effect-table reads on every start). */
const EFFECTS_KEY = 'hasEffects';
const EVENT_COUNTER_KEY = 'counter:event';

/**
 * Per-run facts, columns of `runs` since schema 3 (before: `<prefix><runId>` meta keys, moved
 * by the migration): when the visitor started the run (proactive flows are triggered first),
 * the node a failed run failed on (a retry resumes there), whether it was handed to a person,
 * and the trigger data it sees (`event.*`, `intent.*`, `entity.*`; null for a run recorded as
 * failed before it could start, which never counts as "already ran").
 */
const RUN_COLUMNS = [
  ['visitor_started_at', 'INTEGER'],
  ['failed_node', 'TEXT'],
  ['handed_over', 'INTEGER NOT NULL DEFAULT 0'],
  ['extra', 'TEXT'],
] as const;

/** Moves the per-run meta keys of objects from before schema 3 into the run columns. */
const MIGRATE_RUN_FACTS = `
UPDATE runs SET visitor_started_at = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'started:' || run_id)
  WHERE visitor_started_at IS NULL;
UPDATE runs SET failed_node = (SELECT value FROM meta WHERE key = 'failedAt:' || run_id)
  WHERE failed_node IS NULL;
UPDATE runs SET handed_over = 1
  WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'handover:' || run_id AND value = '1');
UPDATE runs SET extra = (SELECT value FROM meta WHERE key = 'extra:' || run_id) WHERE extra IS NULL;
-- Runs from before trigger data was kept: a run the flow's lastRun time covers had started.
UPDATE runs SET extra = '{}' WHERE extra IS NULL
  AND started_at <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'lastRun:' || flow_id);
DELETE FROM meta WHERE key LIKE 'started:%' OR key LIKE 'failedAt:%' OR key LIKE 'handover:%'
  OR key LIKE 'extra:%' OR key LIKE 'lastRun:%';
`;

/** Pilot facts kept in the conversation so answering a waiting run needs no KV read. */
export interface PilotFacts {
  id: string;
  workspaceId: string;
  name: string;
  timezone: string;
  officeHours?: OfficeHours;
  fallbackMessage: string;
  /** Global pilot variables (`pilot.<name>`). */
  variables?: Record<string, unknown>;
}

/** What the conversation knows about itself, decoded from `meta` (see FIELDS for the keys). */
export interface ConversationState {
  /** The pilot's public key (which snapshot to read), set by the first connection. */
  pilotKey: string | null;
  conversationId: string | null;
  visitorId: string | null;
  /** The identified contact (verified `identify`), if any. */
  userId: string | null;
  locale: string | null;
  /** When the first hello opened the conversation (`new_conversation` fired once). */
  openedAt: number | null;
  lastPageUrl: string | null;
  visits: number;
  page: PageInfo | null;
  contact: Record<string, unknown>;
  company: Record<string, unknown>;
  /** The pilot facts last synced from a snapshot (null before the first sync). */
  pilot: PilotFacts | null;
  /** An admin reply or a handover puts the conversation in `agent` mode. */
  mode: 'pilot' | 'agent';
  /** A visitor's "talk to a human" waits for the first agent reply: the pilot still answers. */
  handoverWaiting: boolean;
  /** The pilot offered to take an email (nobody was available): the next message may be one. */
  awaitingEmail: boolean;
  status: 'open' | 'closed';
  /** `user:<id>` or `team:<id>`. */
  assignee: string | null;
  /**
   * When an agent last wrote: kept by `appendMessage` in the same commit as the message, so the
   * page view answer's `live` rule (ConversationRuntime.tail) reads it without a query (null:
   * not since this field exists, or never). The visitor's time is `lastVisitorAt()`.
   */
  lastAgentAt: number | null;
}

/** How one state field is kept in `meta`: its key, and how it reads and writes (null: no row). */
interface Field<T> {
  key: string;
  read(value: string | null): T;
  write(value: T): string | null;
}
const text = (key: string): Field<string | null> => ({ key, read: (v) => v, write: (v) => v });
const flag = (key: string): Field<boolean> => ({
  key,
  read: (v) => v === '1',
  write: (v) => (v ? '1' : null),
});
/**
 * JSON, encoded once per object: a synced pilot's facts and a snapshot's flows are the same
 * (never changed) object for as long as the snapshot lives.
 */
const encoded = new WeakMap<object, string>();
function encodeOnce(value: object): string {
  let known = encoded.get(value);
  if (known === undefined) {
    known = JSON.stringify(value);
    encoded.set(value, known);
  }
  return known;
}
function json<T>(key: string, empty: T): Field<T> {
  return {
    key,
    read: (v) => (v === null ? empty : (JSON.parse(v) as T)),
    write: (v) => {
      if (v === null || typeof v !== 'object') return v === null ? null : JSON.stringify(v);
      return encodeOnce(v);
    },
  };
}
const numberOr = <T extends number | null>(key: string, empty: T): Field<number | T> => ({
  key,
  read: (v) => (v === null ? empty : Number(v)),
  write: (v) => (v === null ? null : String(v)),
});

/** Every state field and its meta key (the keys are those of earlier versions: no migration). */
const FIELDS: { [K in keyof ConversationState]: Field<ConversationState[K]> } = {
  pilotKey: text('pilotKey'),
  conversationId: text('conversationId'),
  visitorId: text('visitorId'),
  userId: text('userId'),
  locale: text('locale'),
  openedAt: numberOr('opened', null),
  lastPageUrl: text('lastPageUrl'),
  visits: numberOr('visits', 0),
  page: json<PageInfo | null>('page', null),
  contact: json<Record<string, unknown>>('contact', {}),
  company: json<Record<string, unknown>>('company', {}),
  pilot: json<PilotFacts | null>('pilot', null),
  // The one place `mode` and `status` are interpreted: anything unknown reads as the default.
  mode: { key: 'mode', read: (v) => (v === 'agent' ? 'agent' : 'pilot'), write: (v) => v },
  handoverWaiting: flag('handoverWaiting'),
  awaitingEmail: flag('awaitingEmail'),
  status: { key: 'status', read: (v) => (v === 'closed' ? 'closed' : 'open'), write: (v) => v },
  assignee: text('assignee'),
  lastAgentAt: numberOr('lastAgentAt', null),
};
const FIELD_NAMES = Object.keys(FIELDS) as (keyof ConversationState)[];

/**
 * The pilot stays quiet once a person has the conversation: in `agent` mode, except while a
 * visitor's "talk to a human" waits for the first agent reply (`handoverWaiting`), so a
 * request nobody picks up is never a dead end.
 */
export function pilotIsQuiet(state: ConversationState): boolean {
  return state.mode === 'agent' && !state.handoverWaiting;
}

/** Who frequency/cooldown claims are counted for: the contact once known, else the visitor. */
export function subjectOf(state: ConversationState): string {
  return state.userId ? `contact:${state.userId}` : `visitor:${state.visitorId ?? ''}`;
}

export interface StoredRun {
  state: RunState;
  flow: Flow;
  /** When the run was triggered. */
  startedAt: number;
  /** When the visitor started it (null: triggered, not started yet). */
  visitorStartedAt: number | null;
  /** The node a failed run failed on (where a retry resumes). */
  failedNode: string | null;
  handedOver: boolean;
  /** The trigger data the run sees (empty for a run recorded as failed before it started). */
  extra: Record<string, unknown>;
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
  /** 1: an unanswered question not sent yet (`unansweredQuestions`); not part of the message. */
  unanswered: number | null;
  [key: string]: SqlStorageValue;
}

interface RunRow {
  run_id: string;
  state: string;
  definition: string;
  started_at: number;
  visitor_started_at: number | null;
  failed_node: string | null;
  handed_over: number;
  extra: string | null;
  [key: string]: SqlStorageValue;
}
const RUN_SELECT =
  'SELECT run_id, state, definition, started_at, visitor_started_at, failed_node, handed_over, extra FROM runs';

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
  // A plain text message (nearly every one) builds nothing.
  if (!post && !image && !links?.length && !cards?.length && !form?.length && !errors) return null;
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

/** A stored turn's events waiting for the queue (`events`: `body` parsed, when still in memory). */
export interface OutgoingRow {
  seq: number;
  body: string;
  events?: readonly unknown[];
}

/** A visitor message flagged as a question the knowledge could not answer. */
export interface QuestionRow {
  seq: number;
  text: string;
  at: number;
}

export class ConversationStorage {
  /**
   * Write-through copy of the `meta` table. A turn reads a dozen facts (mode, status, pilot,
   * bucket, counters, …); each SQL call costs more than the lookup. Loaded from storage when the
   * object starts, so it is never the source of truth: after eviction it is rebuilt from disk.
   */
  private readonly meta = new Map<string, string>();
  /** `meta` decoded; replaced (never mutated) by every update, so callers may keep a copy. */
  private current!: ConversationState;
  private readonly definitions = new Map<string, Flow>();
  private readonly extras = new Map<string, Record<string, unknown>>();
  /** Whether the object had tables when it started (else it is new: nothing to migrate). */
  private metaTable = false;
  /**
   * The waiting run's row as last read (null: none waits; undefined: not known, read it). A turn
   * with a run waiting reads it 3-4 times (prepare, routing, its event, the admin row); every
   * write to `runs` and every rollback drops it, so the next read goes to the table. Each read
   * still parses the row into fresh objects: callers may change what they get.
   */
  private activeRow: RunRow | null | undefined;
  /** Known-empty answer, reset by every write that could change it (memory only). */
  private noPendingEffect = false;
  /** The `outgoing` event rows not sent yet (read lazily: `this.sql` is set by then). */
  private readonly unsent = new WaitingRows<OutgoingRow>((after, limit) =>
    this.sql
      .exec<{ seq: number; body: string }>(
        'SELECT seq, body FROM outgoing WHERE seq > ? ORDER BY seq LIMIT ?',
        after,
        limit,
      )
      .toArray(),
  );
  /**
   * The visitor questions flagged `unanswered` not sent yet, each cut to MAX_QUESTION_CHARS (what
   * the event carries), read through the flag's partial index.
   */
  private readonly questions = new WaitingRows<QuestionRow>((after, limit) =>
    this.sql
      .exec<{ seq: number; text: string; at: number }>(
        'SELECT seq, substr(text, 1, ?) AS text, at FROM messages WHERE seq > ? AND unanswered = 1 ORDER BY seq LIMIT ?',
        MAX_QUESTION_CHARS,
        after,
        limit,
      )
      .toArray(),
  );
  /**
   * Every client frame id this object has handled, while all of them are known: its tables were
   * created by this instance, so an id missing here is missing on disk too and the duplicate
   * check of a turn needs no `SELECT` (null: ids of an earlier instance may exist, the table
   * answers). Dropped past MAX_KNOWN_FRAMES ids and after a rollback (it may hold an id the
   * disk does not).
   */
  private frames: Set<string> | null = null;
  /**
   * More ids than MAX_KNOWN_FRAMES were found: the check asks the tables for every frame (and
   * `messages` has its client id index) instead of reading them all again.
   */
  private manyFrames = false;
  /**
   * The client id of the newest visitor message this instance stored: `markClientFrame` writes no
   * `client_frames` row for the frame whose message row already holds its id (same commit).
   */
  private messageFrame: string | null = null;
  /**
   * Write-through copy of the newest message (undefined: not read yet). The admin row reads it
   * on every event flush; the `ORDER BY seq DESC` query was the largest cost of a flush.
   */
  private last: ChatMessage | null | undefined;
  /**
   * When the visitor last wrote (undefined: not read yet). Not a meta row: it was one more
   * write in every visitor turn's commit, for a fact the messages table already holds; kept here
   * by `appendMessage`, read from the table once per object when the page view rule asks.
   */
  private visitorAt: number | null | undefined;

  /**
   * `empty`: the caller knows the object has no tables yet (it just looked, or erased them), so
   * the meta read, which would fail, is skipped.
   */
  constructor(
    private readonly sql: SqlStorage,
    empty = false,
  ) {
    // Every conversation start pays for this: objects already at the current schema read one
    // table instead of running a dozen DDL statements (measured: the largest CPU cost of a
    // short conversation).
    if (this.loadMeta(!empty) === SCHEMA_VERSION) return;
    if (!this.metaTable) {
      // A new (or erased) object: the tables as they are now, nothing to migrate.
      sql.exec(SCHEMA);
      this.unsent.startEmpty();
      this.questions.startEmpty();
      this.frames = new Set();
      // Tables made just now are empty, so these reads need no SQL: on a new object each
      // statement's first run costs more than the rest of a short conversation's reads
      // (the replay's last seq, the first hello's active run).
      this.last = null;
      this.visitorAt = null;
      this.activeRow = null;
    } else {
      // Objects created before a column lack it (SQLite: no ADD COLUMN IF NOT EXISTS); the
      // tables are created first so the indexes on the new columns find them.
      sql.exec(
        SCHEMA.replace(/CREATE INDEX IF NOT EXISTS (runs_flow|messages_unanswered)[^;]*;/g, ''),
      );
      this.addColumn('messages', 'rich', 'TEXT');
      this.addColumn('messages', 'unanswered', 'INTEGER');
      for (const [name, type] of RUN_COLUMNS) this.addColumn('runs', name, type);
      sql.exec(SCHEMA);
      sql.exec(EFFECTS_SCHEMA);
      sql.exec(MIGRATE_RUN_FACTS);
      this.meta.clear();
      this.loadMeta();
      // Objects from before the flag existed may hold effects.
      if (sql.exec('SELECT 1 FROM effects LIMIT 1').toArray().length > 0)
        this.setMeta(EFFECTS_KEY, '1');
    }
    this.setMeta(SCHEMA_KEY, SCHEMA_VERSION);
  }

  /**
   * After a rolled-back transaction: the memory copies may hold writes that never happened, so
   * they are dropped and the meta table is read again (the disk is the source of truth).
   */
  forgetUncommitted(): void {
    this.meta.clear();
    this.definitions.clear();
    this.extras.clear();
    this.last = undefined;
    this.visitorAt = undefined;
    this.activeRow = undefined;
    this.noPendingEffect = false;
    this.unsent.forget();
    this.questions.forget();
    this.frames = null;
    this.manyFrames = false;
    this.messageFrame = null;
    this.loadMeta();
  }

  /**
   * Loads (unless `read` is false: no tables) and decodes the meta table; returns the stored
   * schema version (null: new object).
   */
  private loadMeta(read = true): string | null {
    let version: string | null = null;
    if (read) {
      try {
        for (const row of this.sql.exec<{ key: string; value: string }>(
          'SELECT key, value FROM meta',
        ))
          this.meta.set(row.key, row.value);
        version = this.meta.get(SCHEMA_KEY) ?? null;
        this.metaTable = true;
      } catch (error) {
        // Only a missing table means a new object; anything else (a busy or broken database)
        // must not pass for emptiness, or the object would start with empty caches over data.
        if (!isNoSuchTable(error)) throw error;
      }
    }
    const state: Record<string, unknown> = {};
    for (const name of FIELD_NAMES)
      state[name] = FIELDS[name].read(this.meta.get(FIELDS[name].key) ?? null);
    this.current = state as unknown as ConversationState;
    return version;
  }

  private addColumn(table: string, column: string, type: string): void {
    const has = this.sql.exec(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`, column);
    if (has.toArray().length === 0)
      this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }

  /** The conversation's facts (read-only: `update` replaces the object). */
  get state(): ConversationState {
    return this.current;
  }

  /** Writes the changed fields through to `meta` (a field set to what it is writes nothing). */
  update(patch: Partial<ConversationState>): void {
    for (const name of Object.keys(patch) as (keyof ConversationState)[]) {
      const field = FIELDS[name] as Field<unknown>;
      const value = field.write(patch[name]);
      if (value === null) this.deleteMeta(field.key);
      else this.setMeta(field.key, value);
    }
    this.current = { ...this.current, ...patch };
  }

  private setMeta(key: string, value: string): void {
    if (this.meta.get(key) === value) return;
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
    this.meta.set(key, value);
  }

  private deleteMeta(key: string): void {
    if (!this.meta.has(key)) return;
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    this.meta.delete(key);
  }

  /**
   * Whether a frame with this id was handled: its id is in `client_frames`, or, for a visitor's
   * words, in the `client_id` of the message it stored (no row of its own: one write fewer per
   * turn). Answered from memory while all ids are known (see `frames`).
   */
  hasClientFrame(id: string): boolean {
    const known = this.knownFrames();
    if (known) return known.has(id);
    return (
      this.sql.exec('SELECT 1 FROM client_frames WHERE id = ?', id).toArray().length > 0 ||
      this.sql.exec('SELECT 1 FROM messages WHERE client_id = ? LIMIT 1', id).toArray().length > 0
    );
  }

  /**
   * The handled ids in memory; read from both tables once per instance (at most
   * MAX_KNOWN_FRAMES + 1 ids, from at most FRAME_WINDOW_MESSAGES messages). Past either, null:
   * each check asks the tables, and the messages' client ids get an index (made once, only for
   * such long conversations, so a short one pays no index write per message).
   */
  private knownFrames(): Set<string> | null {
    if (this.frames || this.manyFrames) return this.frames;
    // Only the newest FRAME_WINDOW_MESSAGES messages are read (a wake must not scan a table a
    // flow filled with its own messages); a longer conversation goes to the indexed checks.
    const longer =
      this.sql
        .exec('SELECT 1 FROM messages ORDER BY seq DESC LIMIT 1 OFFSET ?', FRAME_WINDOW_MESSAGES)
        .toArray().length > 0;
    const rows = longer
      ? []
      : this.sql
          .exec<{ id: string }>(
            'SELECT id FROM client_frames UNION ALL SELECT client_id FROM messages WHERE client_id IS NOT NULL LIMIT ?',
            MAX_KNOWN_FRAMES + 1,
          )
          .toArray();
    if (!longer && rows.length <= MAX_KNOWN_FRAMES)
      this.frames = new Set(rows.map((row) => row.id));
    else this.tooManyFrames();
    return this.frames;
  }

  private tooManyFrames(): void {
    this.frames = null;
    if (this.manyFrames) return;
    this.manyFrames = true;
    this.sql.exec(
      'CREATE INDEX IF NOT EXISTS messages_client ON messages(client_id) WHERE client_id IS NOT NULL',
    );
  }

  /**
   * Records a handled frame id, after the turn's writes: a visitor message of this commit that
   * carries the id (its `client_id`) already is the record.
   */
  markClientFrame(id: string, at: number): void {
    if (this.messageFrame !== id)
      this.sql.exec('INSERT INTO client_frames (id, at) VALUES (?, ?)', id, at);
    if (this.frames && this.frames.size >= MAX_KNOWN_FRAMES) this.tooManyFrames();
    this.frames?.add(id);
  }

  /**
   * `unanswered`: a visitor question the knowledge had no answer for; the flag on its row is what
   * sends it to the pilot's unanswered list (see `unansweredQuestions`), so the turn's commit
   * writes no event row for it.
   */
  appendMessage(message: Omit<ChatMessage, 'seq'>, unanswered = false): ChatMessage {
    const row = this.sql
      .exec<{ seq: number }>(
        'INSERT INTO messages (author, text, choices, input, client_id, at, rich, unanswered) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq',
        message.author,
        message.text,
        message.choices ? JSON.stringify(message.choices) : null,
        message.input ?? null,
        message.clientId ?? null,
        message.at,
        richJson(message),
        unanswered ? 1 : null,
      )
      .one();
    const stored = { ...message, seq: row.seq };
    // As much as the event carries: 200 waiting questions are not 200 whole messages.
    if (unanswered)
      this.questions.add({
        seq: row.seq,
        text: message.text.slice(0, MAX_QUESTION_CHARS),
        at: message.at,
      });
    // A question not sent yet stays until it is (its flag is its only record).
    if (row.seq > MAX_STORED_MESSAGES && row.seq % PRUNE_EVERY === 0)
      this.sql.exec(
        'DELETE FROM messages WHERE seq <= ? AND unanswered IS NULL',
        row.seq - MAX_STORED_MESSAGES,
      );
    this.last = stored;
    if (message.author === 'visitor' && message.clientId) this.messageFrame = message.clientId;
    // Same transaction as the insert (the caller's commit): a rollback undoes both.
    if (message.author === 'visitor') this.visitorAt = message.at;
    else if (message.author === 'agent') this.update({ lastAgentAt: message.at });
    return stored;
  }

  messagesAfter(seq: number, limit = 500): ChatMessage[] {
    // Nothing after the newest message (known in memory once read): a new conversation's first
    // hello and history read no table (each was a statement's first run on a fresh object).
    if (limit <= 0 || seq >= this.lastSeq()) return [];
    return this.sql
      .exec<MessageRow>('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', seq, limit)
      .toArray()
      .map(toMessage);
  }

  /**
   * The newest `limit` messages after `after` of at most `chars` characters in all (text and
   * rich parts), oldest first: a transcript past either cap loses its start. Read newest first
   * and stopped at the budget, so a huge conversation is not read whole.
   */
  newestMessages(limit: number, chars = MAX_TRANSCRIPT_CHARS, after = 0): ChatMessage[] {
    const rows: MessageRow[] = [];
    let size = 0;
    if (after >= this.lastSeq()) return [];
    for (const row of this.sql.exec<MessageRow>(
      'SELECT * FROM messages WHERE seq > ? ORDER BY seq DESC LIMIT ?',
      after,
      limit,
    )) {
      size += row.text.length + (row.rich?.length ?? 0) + (row.choices?.length ?? 0);
      if (size > chars) break;
      rows.push(row);
    }
    return rows.reverse().map(toMessage);
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

  /**
   * When the visitor last wrote (null: never). The newest visitor message, found from the end of
   * the table (the rows after it are the pilot's and agents' since; an erasure is the only delete).
   */
  lastVisitorAt(): number | null {
    if (this.visitorAt === undefined)
      this.visitorAt =
        this.sql
          .exec<{ at: number }>(
            // A range of the primary key (seq has no gaps), newest first: the order is the query's.
            "SELECT at FROM messages WHERE author = 'visitor' AND seq > (SELECT max(seq) FROM messages) - ? ORDER BY seq DESC LIMIT 1",
            VISITOR_LOOKBACK_MESSAGES,
          )
          .toArray()[0]?.at ?? null;
    return this.visitorAt;
  }

  lastSeq(): number {
    return this.lastMessage()?.seq ?? 0;
  }

  /** The latest messages, oldest first (`system.last_*`, `conversation_history`). */
  history(): ChatMessage[] {
    return this.messagesAfter(Math.max(0, this.lastSeq() - 20));
  }

  /** The run that is not finished yet, if any (one active run per conversation). */
  activeRun(): StoredRun | null {
    if (this.activeRow === undefined)
      this.activeRow =
        this.sql
          .exec<RunRow>(`${RUN_SELECT} WHERE status = 'waiting' ORDER BY started_at DESC LIMIT 1`)
          .toArray()[0] ?? null;
    return this.activeRow ? this.toRun(this.activeRow) : null;
  }

  run(runId: string): StoredRun | null {
    const row = this.sql.exec<RunRow>(`${RUN_SELECT} WHERE run_id = ?`, runId).toArray()[0];
    return row ? this.toRun(row) : null;
  }

  /** The run's facts without its state and definition (for its run event). */
  runFacts(
    runId: string,
  ): { startedAt: number; visitorStartedAt: number | null; handedOver: boolean } | null {
    const row = this.sql
      .exec<{ started_at: number; visitor_started_at: number | null; handed_over: number }>(
        'SELECT started_at, visitor_started_at, handed_over FROM runs WHERE run_id = ?',
        runId,
      )
      .toArray()[0];
    return row
      ? {
          startedAt: row.started_at,
          visitorStartedAt: row.visitor_started_at,
          handedOver: row.handed_over === 1,
        }
      : null;
  }

  /** When a run of `flowId` was last started in this conversation (frequency and cooldown). */
  lastRunOf(flowId: string): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        'SELECT MAX(started_at) AS at FROM runs WHERE flow_id = ? AND extra IS NOT NULL',
        flowId,
      )
      .one().at;
  }

  /** Marks the run as started by the visitor; false when it already was. */
  markRunStarted(runId: string, now: number): boolean {
    this.activeRow = undefined;
    return (
      this.sql
        .exec(
          'UPDATE runs SET visitor_started_at = ? WHERE run_id = ? AND visitor_started_at IS NULL RETURNING run_id',
          now,
          runId,
        )
        .toArray().length > 0
    );
  }

  markRunHandedOver(runId: string): void {
    this.activeRow = undefined;
    this.sql.exec('UPDATE runs SET handed_over = 1 WHERE run_id = ?', runId);
  }

  /** The node a failed run failed on (null: a retry resumes nowhere, it starts afresh). */
  setFailedNode(runId: string, node: string | null): void {
    this.activeRow = undefined;
    this.sql.exec('UPDATE runs SET failed_node = ? WHERE run_id = ?', node, runId);
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
    let extra = this.extras.get(row.run_id);
    if (!extra) {
      extra = row.extra ? (JSON.parse(row.extra) as Record<string, unknown>) : {};
      this.extras.set(row.run_id, extra);
    }
    return {
      state: JSON.parse(row.state) as RunState,
      flow,
      startedAt: row.started_at,
      visitorStartedAt: row.visitor_started_at,
      failedNode: row.failed_node,
      handedOver: row.handed_over === 1,
      extra,
    };
  }

  /**
   * Saves a run's state; the first save writes its row (with `extra`, the trigger data of a
   * run that starts; none for a run recorded as failed before it could).
   */
  saveRun(state: RunState, flow: Flow, now: number, extra?: Record<string, unknown>): void {
    this.activeRow = undefined;
    this.sql.exec(
      `INSERT INTO runs (run_id, flow_id, version, status, state, definition, started_at, updated_at, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, state = excluded.state, updated_at = excluded.updated_at`,
      state.runId,
      state.flowId,
      state.version,
      state.status,
      JSON.stringify(state),
      // Kept only by the first save (the update leaves the definition): encoded once per flow.
      encodeOnce(flow),
      now,
      now,
      extra ? JSON.stringify(extra) : null,
    );
  }

  /** Records the intent of an effect; a second record of the same step is ignored. */
  recordEffect(runId: string, effect: IoEffect, now: number): void {
    this.noPendingEffect = false;
    // The ledger's table comes with the flag, in the same commit (a rollback drops both).
    if (!this.meta.has(EFFECTS_KEY)) this.sql.exec(EFFECTS_SCHEMA);
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
    if (this.noPendingEffect || !this.meta.has(EFFECTS_KEY)) return null;
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
    if (!this.meta.has(EFFECTS_KEY)) return [];
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
    if (!this.meta.has(EFFECTS_KEY)) return 0;
    return this.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM effects WHERE status = ?', status)
      .one().n;
  }

  enqueueOutgoing(body: { v: 1; events: readonly unknown[] }): void {
    const text = JSON.stringify(body);
    const { seq } = this.sql
      .exec<{ seq: number }>('INSERT INTO outgoing (body) VALUES (?) RETURNING seq', text)
      .one();
    // The memory copy keeps the events as given: the flush sends them without parsing `text`.
    this.unsent.add({ seq, body: text, events: body.events });
  }

  /** The oldest `limit` event rows not sent yet (a new array the caller owns). */
  outgoing(limit: number): OutgoingRow[] {
    return this.unsent.list(limit);
  }

  deleteOutgoingThrough(seq: number): void {
    this.sql.exec('DELETE FROM outgoing WHERE seq <= ?', seq);
    this.unsent.drop(seq);
  }

  /** The event rows through `seq` reached the queue: `sweepSent` deletes them. */
  markSent(seq: number): void {
    this.unsent.markSent(seq);
  }

  /** The oldest `limit` unanswered questions not sent yet (a new array the caller owns). */
  unansweredQuestions(limit: number): QuestionRow[] {
    return this.questions.list(limit);
  }

  /** The questions through `seq` reached the queue: `sweepSent` clears their flags. */
  markQuestionsSent(seq: number): void {
    this.questions.markSent(seq);
  }

  /** Sent rows (and sent questions' flags) wait on disk for `sweepSent`. */
  hasSentRows(): boolean {
    return this.unsent.hasSent() || this.questions.hasSent();
  }

  /**
   * Deletes the rows already sent and clears the sent questions' flags; called inside a turn's
   * transaction (or by the outbox's sweep when no turn came), so both share that commit. One
   * statement each, however many rows. If the transaction rolls back they are sent once more
   * (the same event ids), never lost (`WaitingRows.takeSent`).
   */
  sweepSent(): void {
    const rows = this.unsent.takeSent();
    if (rows > 0) this.sql.exec('DELETE FROM outgoing WHERE seq <= ?', rows);
    const questions = this.questions.takeSent();
    if (questions > 0)
      this.sql.exec(
        'UPDATE messages SET unanswered = NULL WHERE seq <= ? AND unanswered = 1',
        questions,
      );
  }

  /** Monotonic per-conversation counter of run/step events (their ids and order). */
  nextEventSeq(): number {
    const next = Number(this.meta.get(EVENT_COUNTER_KEY) ?? '0') + 1;
    this.setMeta(EVENT_COUNTER_KEY, String(next));
    return next;
  }
}

/**
 * How many rows each table of a conversation object holds: what an erasure receipt reports
 * before `deleteAll()` and what tests scan afterwards. Reads every user table (the runtime's
 * internal `_cf_*` and SQLite's own tables excluded), so a table added later is counted too.
 */
/** At most this many tables are counted (the schema has a handful). */
const MAX_TABLES = 100;

export function storageCensus(sql: SqlStorage): Record<string, number> {
  const tables = sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name LIMIT ?`,
      MAX_TABLES,
    )
    .toArray();
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    // Names come from sqlite_master, never from a request; quoted as identifiers anyway.
    const row = sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`)
      .one();
    counts[name] = row.n;
  }
  return counts;
}

/** SQLite's "no such table" (the object has no tables yet): the one error `loadMeta` expects. */
function isNoSuchTable(error: unknown): boolean {
  return /no such table/i.test(String(error));
}
