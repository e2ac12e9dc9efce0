/**
 * The EVENTS queue consumer: validates each message, upserts its events into D1 in batches
 * (by event id, newer-wins by sequence, so at-least-once redelivery changes nothing), then
 * hands conversation changes to each pilot's live view.
 */
import type { AppEnv } from '../env.ts';
import { type LiveConversation, liveRow } from '../live/live-store.ts';
import { dropErased } from '../privacy/tombstones.ts';
import {
  type ConversationEvent,
  eventsMessageSchema,
  type RunEvent,
  type RuntimeEvent,
  type StepEvent,
  type UnansweredEvent,
} from './events.ts';

/** D1 allows 100 bound parameters per statement; batches stay well under the size limits. */
const STATEMENTS_PER_BATCH = 50;

function runStatement(db: D1Database, e: RunEvent): D1PreparedStatement {
  const ended = e.status === 'waiting' ? null : e.at;
  return db
    .prepare(
      `INSERT INTO enrollments (id, workspace_id, pilot_id, flow_id, version, conversation_id, subject,
         status, node_id, error, handed_over, triggered_at, started_at, ended_at, updated_at, event_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, node_id = excluded.node_id,
         error = excluded.error, handed_over = MAX(enrollments.handed_over, excluded.handed_over),
         started_at = COALESCE(enrollments.started_at, excluded.started_at),
         ended_at = excluded.ended_at, updated_at = excluded.updated_at, event_seq = excluded.event_seq
       WHERE excluded.event_seq > enrollments.event_seq`,
    )
    .bind(
      e.runId,
      e.workspaceId,
      e.pilotId,
      e.flowId,
      e.version,
      e.conversationId,
      e.subject,
      e.status,
      e.nodeId,
      e.error,
      e.handedOver ? 1 : 0,
      e.triggeredAt,
      e.startedAt,
      ended,
      e.at,
      e.seq,
    );
}

function stepStatement(db: D1Database, e: StepEvent): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO enrollment_steps (id, enrollment_id, flow_id, seq, node_id, node_type, version,
         status, port, choice, error, duration_ms, at, rating)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
    )
    .bind(
      e.id,
      e.runId,
      e.flowId,
      e.seq,
      e.nodeId,
      e.nodeType,
      e.version,
      e.status,
      e.port,
      e.choice,
      e.error,
      Math.round(e.durationMs),
      e.at,
      e.rating ?? null,
    );
}

function conversationStatement(db: D1Database, e: ConversationEvent): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO conversations (id, workspace_id, pilot_id, visitor_id, user_id, status, mode, assignee,
         page_url, last_message, last_message_at, created_at, updated_at, event_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, status = excluded.status,
         mode = excluded.mode, assignee = excluded.assignee, page_url = excluded.page_url,
         last_message = excluded.last_message, last_message_at = excluded.last_message_at,
         updated_at = excluded.updated_at, event_seq = excluded.event_seq
       WHERE excluded.event_seq > conversations.event_seq`,
    )
    .bind(
      e.conversationId,
      e.workspaceId,
      e.pilotId,
      e.visitorId,
      e.userId,
      e.status,
      e.mode,
      e.assignee,
      e.pageUrl,
      e.lastMessage,
      e.lastMessageAt,
      e.createdAt,
      e.at,
      e.seq,
    );
}

/**
 * The list kept under `key`, made on first use. Appended in place: a batch can carry tens of
 * thousands of one pilot's events (100 messages of up to MESSAGE_BYTES each), and copying the
 * list on every append made grouping them quadratic.
 */
function listUnder<T>(lists: Map<string, T[]>, key: string): T[] {
  let list = lists.get(key);
  if (!list) {
    list = [];
    lists.set(key, list);
  }
  return list;
}

/** Writes events to D1; returns the live rows per pilot. */
export async function writeEvents(
  env: AppEnv,
  events: RuntimeEvent[],
): Promise<Map<string, LiveConversation[]>> {
  const statements: D1PreparedStatement[] = [];
  const live = new Map<string, LiveConversation[]>();
  for (const event of events) {
    if (event.kind === 'run') statements.push(runStatement(env.DB, event));
    else if (event.kind === 'step') statements.push(stepStatement(env.DB, event));
    else if (event.kind === 'unanswered')
      continue; // not D1: see consumeEvents
    else {
      statements.push(conversationStatement(env.DB, event));
      listUnder(live, event.pilotId).push(liveRow(event));
    }
  }
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH)
    await env.DB.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
  return live;
}

/**
 * Only the newest run and conversation event of each run/conversation in a batch is written
 * (upserts are newer-wins anyway); steps are all kept. A conversation that sent ten turns in a
 * second costs two statements, not twenty.
 */
export function latestPerSubject(events: RuntimeEvent[]): RuntimeEvent[] {
  const newest = new Map<string, RuntimeEvent>();
  const steps: RuntimeEvent[] = [];
  for (const event of events) {
    if (event.kind === 'step' || event.kind === 'unanswered') {
      steps.push(event);
      continue;
    }
    const key =
      event.kind === 'run' ? `run:${event.runId}` : `conversation:${event.conversationId}`;
    const seen = newest.get(key);
    if (!seen || seen.seq < event.seq) newest.set(key, event);
  }
  return [...newest.values(), ...steps];
}

export async function consumeEvents(batch: MessageBatch<unknown>, env: AppEnv): Promise<void> {
  const events: RuntimeEvent[] = [];
  for (const message of batch.messages) {
    const parsed = eventsMessageSchema.safeParse(message.body);
    // A malformed message can never succeed: log and drop it instead of retrying forever.
    if (!parsed.success) console.error('dropping malformed event message', message.id);
    else for (const event of parsed.data.events) events.push(event);
  }
  // Steps reference their run: write runs first within the batch.
  const order = { run: 0, step: 1, conversation: 2, unanswered: 3 } as const;
  const latest = latestPerSubject(await dropErased(env.DB, events));
  latest.sort((a, b) => order[a.kind] - order[b.kind]);
  const live = await writeEvents(env, latest);
  for (const [pilotId, rows] of live) {
    const stub = env.PILOT.get(env.PILOT.idFromName(pilotId));
    await stub.applyLive(rows);
  }
  // Unanswered questions: one call per pilot per batch.
  const unanswered = new Map<string, UnansweredEvent[]>();
  for (const event of latest)
    if (event.kind === 'unanswered') listUnder(unanswered, event.pilotId).push(event);
  for (const [pilotId, items] of unanswered) {
    const stub = env.PILOT.get(env.PILOT.idFromName(pilotId));
    await stub.noteUnansweredMany(
      items.map((e) => ({
        id: e.id,
        question: e.question,
        at: e.at,
        conversationId: e.conversationId,
      })),
    );
  }
  batch.ackAll();
}
