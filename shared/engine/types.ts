/** Types of the pure flow engine: state in, event in -> state out, effects out, step log out. */
import type { AgentInfo } from '../expr/agents.ts';
import type { OfficeHours } from '../expr/office-hours.ts';
import type { Flow } from '../flow/schema.ts';
import type { Choice, FormSpec, PostPart } from '../protocol.ts';

export type RunStatus = 'waiting' | 'completed' | 'failed' | 'cancelled';

/** Everything a run needs between events. Plain JSON: stored as-is by the ConversationObject. */
export interface RunState {
  runId: string;
  flowId: string;
  version: number;
  status: RunStatus;
  /** The node the run waits on (status "waiting"), else null. Null before the first event. */
  nodeId: string | null;
  /**
   * What the waiting run needs next: the visitor's answer to `nodeId` (`input`) or the result
   * of the effect `nodeId` emitted (`effect`). Absent before the first event.
   */
  waitingFor?: 'input' | 'effect';
  /** Invalid answers given to the waiting question so far. */
  attempts?: number;
  /** When the run started waiting (epoch ms), for step durations. */
  waitingSince?: number;
  /** Nodes executed over the whole run; also makes effect idempotency keys unique. */
  steps?: number;
  /** Flow-local variables (`variable.*`). */
  variables: Record<string, unknown>;
  /** Why the run failed (`step_limit`, `unknown_node`, …) or was cancelled. */
  error?: string;
}

/** What happens to a run. */
export type EngineEvent =
  /** The trigger fired: run from the flow's start node. */
  | { type: 'start' }
  /** The visitor answered (typed `text`, or picked a choice whose value is `value`). */
  | {
      type: 'input';
      text: string;
      value?: string;
      /** A capture form's values by field name (`capture_contact` / `capture_company`). */
      form?: Record<string, string>;
    }
  /**
   * The result of an effect the run waits on (`awaitResult: true`). `ok` picks `next` vs the
   * error/unavailable port; `data` is per effect type (see `EffectResultData`).
   */
  | { type: 'effect_result'; nodeId: string; ok: boolean; data?: unknown; error?: string }
  /** Unpublish, agent takeover, unenroll: the run ends with status `cancelled`. */
  | { type: 'cancel'; reason?: string };

// The context names agents in the base layer's terms (flows' settings check them too).
export type { AgentInfo };

/** The world as the engine may see it. The engine never reads a clock or does I/O itself. */
export interface EngineContext {
  flow: Flow;
  /** Epoch ms, supplied by the caller. */
  now: number;
  /**
   * Read-only template/condition data by namespace: contact, conversation, visitor, pilot,
   * system, event, intent, entity (and optionally time, agents, which are otherwise derived
   * from the fields below). `variable` comes from the run.
   */
  data: Readonly<Record<string, unknown>>;
  /** Seeds `split` so a conversation always takes the same path. Default: the run id. */
  conversationId?: string;
  /** The pilot's IANA timezone (default UTC) and office hours, for `time.*`. */
  timezone?: string;
  officeHours?: OfficeHours;
  /** Agents and their availability, for `agents.*`, `check_availability`, `assign`. */
  agents?: AgentInfo[];
  /** The visitor's locale, for `system.locale` when `data.system` does not give it. */
  locale?: string;
}

/** Fields every non-`say` effect carries. */
interface EffectBase {
  nodeId: string;
  /** Unique per run step: use it to run webhooks/emails at most once (SPEC 3.6 rule 9). */
  idempotencyKey: string;
  /** The run waits for an `effect_result` for this node before it continues. */
  awaitResult: boolean;
}

/** Something the caller must do for the run. */
export type Effect =
  /** Show a pilot message (the DO renders it as text). */
  | {
      type: 'say';
      nodeId: string;
      text: string;
      choices?: Choice[];
      input?: string;
      image?: { url: string; alt: string };
      links?: { label: string; url: string; newTab?: boolean }[];
      cards?: { title: string; text?: string; imageUrl?: string; url?: string }[];
      placeholder?: string;
      /** A post node: its size, a large post's title, a snippet's preview (see protocol.ts). */
      post?: PostPart;
      /** A capture node's form: the messenger shows these fields in one step. */
      form?: FormSpec[];
      /** Per-field errors of the values the visitor sent (the form is shown again). */
      errors?: Record<string, string>;
    }
  | (EffectBase & {
      type: 'http_request';
      method: string;
      url: string;
      headers: Record<string, string>;
      /** JSON text (templates JSON-encoded) or plain text; undefined for no body. */
      body?: string;
      contentType?: string;
      timeoutMs: number;
    })
  | (EffectBase & { type: 'send_email'; to: string; subject: string; body: string })
  | (EffectBase & {
      type: 'create_record';
      kind: 'deal' | 'task' | 'note';
      fields: Record<string, string>;
    })
  | (EffectBase & { type: 'update_contact'; fields: Record<string, string> })
  /** Create or link the conversation's contact (or its company) and save the form's values. */
  | (EffectBase & { type: 'capture_contact'; fields: Record<string, string> })
  | (EffectBase & { type: 'capture_company'; fields: Record<string, string> })
  /** Write fields of the contact's company (`null` clears one). */
  | (EffectBase & { type: 'update_company'; fields: Record<string, string | number | null> })
  /**
   * Email the transcript. `to.address` is the rendered address (visitor: `contact.email`);
   * user and team addresses are looked up by the worker.
   */
  | (EffectBase & {
      type: 'email_conversation';
      to:
        | { kind: 'address'; address: string }
        | { kind: 'user'; userId: string }
        | { kind: 'team'; teamId: string };
      subject: string;
      /** Set by the runtime when it records the step: the last message the transcript holds. */
      upToSeq?: number;
    })
  | (EffectBase & { type: 'add_tag' | 'remove_tag'; tags: string[] })
  | (EffectBase & {
      type: 'assign';
      to: { kind: 'user'; userId: string } | { kind: 'team'; teamId: string };
    })
  /** Hand the conversation to a human; the engine says the node's message on success. */
  | (EffectBase & { type: 'handover'; teamId?: string; note?: string })
  | (EffectBase & { type: 'ai_answer'; question: string })
  | (EffectBase & { type: 'redirect'; url: string; newTab: boolean })
  | (EffectBase & {
      type: 'show_banner';
      text: string;
      url?: string;
      style: 'info' | 'success' | 'warning';
    })
  /** The run has completed; start `flowId` in this conversation. */
  | (EffectBase & { type: 'go_to_flow'; flowId: string })
  /** The run has completed; close the conversation (the engine already said the node's message). */
  | (EffectBase & { type: 'close_conversation' });

export type EffectType = Effect['type'];
export type IoEffect = Exclude<Effect, { type: 'say' }>;

/**
 * `data` of an `effect_result`, per effect type:
 * - http_request: `{ status: number, body?: unknown }` (ok = 2xx; `saveResponse` reads `body`)
 * - ai_answer: `{ outcome: 'answered' | 'no_answer' | 'handover_requested', text?: string }`
 *   (the engine says `text` when answered)
 * - assign: `{ userId?: string }`; handover: `{}` (ok=false -> `unavailable`)
 * - send_email / create_record / update_contact: `{ id?: string }`
 */
export type EffectResultData =
  | { status: number; body?: unknown }
  | { outcome: 'answered' | 'no_answer' | 'handover_requested'; text?: string }
  | Record<string, unknown>;

export type StepStatus = 'completed' | 'waiting' | 'failed' | 'cancelled';

/** One executed node, for enrollment logs, insights and replay. */
export interface StepLog {
  nodeId: string;
  nodeType: string;
  at: number;
  version: number;
  status: StepStatus;
  /** Time the node took, in ms of the caller's clock (waits for input/effects included). */
  durationMs?: number;
  /** The port taken (`next`, `else`, `branches[1].next`, `onError`, …). */
  port?: string;
  /** The option value picked at an `ask_question` (insights' per-choice counts). */
  choice?: string;
  /** The score of a rating question (stars 1..5, thumbs 1/0): insights average it. */
  rating?: number;
  error?: string;
}

export interface StepResult {
  state: RunState;
  effects: Effect[];
  log: StepLog[];
}

/** At most this many nodes execute per incoming event (SPEC 3.6 rule 7). */
export const MAX_STEPS_PER_EVENT = 200;

/** Reasons a run fails, in `RunState.error` and `StepLog.error`. */
export const RunError = {
  stepLimit: 'step_limit',
  unknownNode: 'unknown_node',
  unexpectedResult: 'unexpected_effect_result',
  /** A value or rendered template would pass MAX_VALUE_CHARS / MAX_RENDERED_CHARS (limits.ts, expr/size.ts). */
  valueTooLarge: 'value_too_large',
  /** The run's variables together would pass MAX_SCOPE_CHARS. */
  scopeTooLarge: 'scope_too_large',
  /** One event's messages and effects would pass MAX_EVENT_OUTPUT_CHARS. */
  outputTooLarge: 'output_too_large',
  /** An unexpected exception inside the engine (a bug): caught, never thrown to the caller. */
  engineError: 'engine_error',
} as const;

/**
 * Failures that mean the engine cut the event short to protect the service, not an outcome the
 * flow chose: the ConversationObject tells the visitor (an error frame and the fallback).
 */
const ABORTS: ReadonlySet<string> = new Set([
  RunError.stepLimit,
  RunError.valueTooLarge,
  RunError.scopeTooLarge,
  RunError.outputTooLarge,
  RunError.engineError,
]);

export function isAbort(error: string | undefined): boolean {
  return error !== undefined && ABORTS.has(error);
}
