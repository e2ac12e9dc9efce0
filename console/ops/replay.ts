/**
 * Replaying a recorded run against the current draft (issue 14). The engine is deterministic:
 * the same inputs give the same path. A run's inputs are rebuilt from what the API recorded —
 * the page the conversation started on, the visitor's messages and button choices in the
 * transcript, and the port each I/O step left by (which says whether a webhook failed, what
 * the AI answer did, whether agents were available) — into a simulate request. What was not
 * recorded (detected intents and entities, response bodies, custom events) is listed, so the
 * page can say honestly how much of the run it replayed. Pure: no I/O, no DOM.
 */
import type {
  SimulateEvent,
  SimulateRequest,
  StubResult,
} from '../../shared/engine/simulate-schema.ts';

export interface RecordedStep {
  seq: number;
  nodeId: string;
  nodeType: string;
  status: string;
  port: string | null;
  choice: string | null;
  error: string | null;
  at: number;
}

export interface RecordedMessage {
  author: 'visitor' | 'pilot' | 'agent' | 'system';
  text: string;
  at: number;
  choices?: { label: string; value: string }[];
}

export interface RecordedRun {
  triggeredAt: number;
  endedAt: number | null;
  steps: readonly RecordedStep[];
}

export interface ReplayInputs {
  request: SimulateRequest;
  /** Inputs the run had (page view, visitor messages and choices, I/O results). */
  total: number;
  /** Of those, how many the request carries. */
  replayed: number;
  /** What the API did not record, in words, for the page to show. */
  missing: string[];
}

/** simulate takes at most 200 events and 50 stubbed results per step. */
export const MAX_REPLAY_EVENTS = 200;
export const MAX_STUBS_PER_STEP = 50;
/** The widest transcript and step list read (the API pages them far below this). */
const MAX_READ = 5000;

const EFFECT_TYPES = new Set([
  'http_request',
  'send_email',
  'create_record',
  'update_contact',
  'update_company',
  'email_conversation',
  'capture_contact',
  'capture_company',
  'ai_answer',
  'assign',
]);
const AVAILABILITY_TYPES = new Set(['handover', 'check_availability', 'assign']);

/**
 * The path as simulate reports it, from recorded steps: a step that resumes the node the run
 * waited on (an answer, a retry) is the same visit, and cancelled steps are not visits.
 */
export function recordedPath(steps: readonly RecordedStep[]): string[] {
  const path: string[] = [];
  let previous: RecordedStep | undefined;
  for (const step of [...steps].sort((a, b) => a.seq - b.seq).slice(0, MAX_READ)) {
    const resumed = previous?.status === 'waiting' && previous.nodeId === step.nodeId;
    if (!resumed && step.status !== 'cancelled') path.push(step.nodeId);
    previous = step;
  }
  return path;
}

/** What an I/O step's recorded port says about its result (success gets simulate's default). */
function stubOf(step: RecordedStep): StubResult | null {
  if (!EFFECT_TYPES.has(step.nodeType)) return null;
  const error = step.error ? { error: step.error.slice(0, 500) } : {};
  if (step.nodeType === 'ai_answer') {
    if (step.port === 'noAnswer') return { outcome: 'no_answer' };
    if (step.port === 'handoverRequested') return { outcome: 'handover_requested' };
    return step.status === 'failed' ? { ok: false, ...error } : { outcome: 'answered' };
  }
  if (step.port === 'onError' || step.status === 'failed') return { ok: false, ...error };
  if (step.nodeType === 'assign' && step.port === 'unavailable') return { ok: false };
  return { ok: true };
}

/** The visitor's turns in the run's window: a button label answering a question is a choice. */
function visitorEvents(run: RecordedRun, messages: readonly RecordedMessage[]): SimulateEvent[] {
  const events: SimulateEvent[] = [];
  let offered: { label: string; value: string }[] = [];
  const end = run.endedAt ?? Number.POSITIVE_INFINITY;
  for (const m of [...messages].sort((a, b) => a.at - b.at).slice(0, MAX_READ)) {
    if (m.at < run.triggeredAt || m.at > end) continue;
    if (m.author === 'pilot') {
      offered = m.choices ?? [];
      continue;
    }
    if (m.author !== 'visitor' || !m.text.trim()) continue;
    const picked = offered.find((c) => c.label === m.text || c.value === m.text);
    events.push(
      picked
        ? { type: 'choice', value: picked.value }
        : { type: 'message', text: m.text.slice(0, 4000) },
    );
    offered = [];
  }
  return events;
}

export function replayInputs(
  run: RecordedRun,
  messages: readonly RecordedMessage[],
  pageUrl: string | null,
): ReplayInputs {
  const missing: string[] = [];
  const steps = [...run.steps].sort((a, b) => a.seq - b.seq).slice(0, MAX_READ);
  let total = 1;
  let replayed = 0;
  const events: SimulateEvent[] = [];
  if (pageUrl) {
    events.push({ type: 'page_view', url: pageUrl.slice(0, 2048) });
    replayed++;
  } else missing.push('the page the visitor was on (not recorded on the conversation)');

  const turns = visitorEvents(run, messages);
  total += turns.length;
  const room = MAX_REPLAY_EVENTS - events.length;
  events.push(...turns.slice(0, room));
  replayed += Math.min(turns.length, room);
  if (turns.length > room)
    missing.push(
      `${turns.length - room} later visitor turns (simulate takes ${MAX_REPLAY_EVENTS})`,
    );
  // A choice the engine recorded but no visitor message matches (a transcript cut short).
  const chosen = steps.filter((s) => s.choice !== null).length;
  const replayedChoices = turns.filter((e) => e.type === 'choice').length;
  if (chosen > replayedChoices) {
    total += chosen - replayedChoices;
    missing.push(`${chosen - replayedChoices} button choices missing from the transcript`);
  }

  const effectResults: Record<string, StubResult[]> = {};
  for (const step of steps) {
    if (step.status === 'waiting' || step.status === 'cancelled') continue;
    const stub = stubOf(step);
    if (!stub) continue;
    total++;
    const list = effectResults[step.nodeId] ?? [];
    effectResults[step.nodeId] = list;
    if (list.length >= MAX_STUBS_PER_STEP) continue;
    list.push(stub);
    replayed++;
  }
  const stubbed = Object.values(effectResults).some((l) => l.length);
  if (stubbed) missing.push('response bodies of I/O steps (only success or failure is recorded)');
  if (turns.some((e) => e.type === 'message'))
    missing.push('detected intents and entities of messages (replayed as plain text)');

  const availability = steps.find(
    (s) => AVAILABILITY_TYPES.has(s.nodeType) && s.status !== 'waiting' && s.port,
  );
  const context: NonNullable<SimulateRequest['context']> = {
    ...(stubbed ? { effectResults } : {}),
    ...(availability ? { agentsAvailable: availability.port !== 'unavailable' } : {}),
    ...(Number.isFinite(run.triggeredAt) ? { now: new Date(run.triggeredAt).toISOString() } : {}),
  };
  return { request: { events, context }, total, replayed, missing };
}

export interface PathDiff {
  /** Index of the first step where the paths part (null: they are the same). */
  firstDivergence: number | null;
  /** The recorded and replayed step at that index (null where one path had ended). */
  recordedAt: string | null;
  replayedAt: string | null;
  onlyRecorded: string[];
  onlyReplayed: string[];
}

export function comparePaths(recorded: readonly string[], replayed: readonly string[]): PathDiff {
  let first: number | null = null;
  const longest = Math.max(recorded.length, replayed.length);
  for (let i = 0; i < longest; i++)
    if (recorded[i] !== replayed[i]) {
      first = i;
      break;
    }
  const inRecorded = new Set(recorded);
  const inReplayed = new Set(replayed);
  return {
    firstDivergence: first,
    recordedAt: first === null ? null : (recorded[first] ?? null),
    replayedAt: first === null ? null : (replayed[first] ?? null),
    onlyRecorded: [...inRecorded].filter((n) => !inReplayed.has(n)),
    onlyReplayed: [...inReplayed].filter((n) => !inRecorded.has(n)),
  };
}
