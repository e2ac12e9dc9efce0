/**
 * Applies engine results to the conversation's storage inside a turn: the run state, the
 * pilot's messages, the intents of I/O effects and the run/step events, all without an
 * `await` so they commit together. Collects what the turn must send afterwards.
 */
import { isAbort, type RunState, type StepResult } from '../../shared/engine/types.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { RunEvent, RuntimeEvent, StepEvent } from '../queue/events.ts';
import { storedPilot } from './conversation-facts.ts';
import { failedNode } from './retry-run.ts';
import type { ConversationStorage } from './storage.ts';

/** What a turn sends after its commit. */
export class TurnOutput {
  readonly messages: ChatMessage[] = [];
  readonly frames: ServerFrame[] = [];
  readonly events: RuntimeEvent[] = [];
  /** Whether conversation-level facts changed (admin list, live view). */
  touched = false;
  /** Why a run of this turn was cut short (an abort code): the visitor gets an error frame. */
  failure: string | null = null;
}

/** Said when a run fails before the pilot's settings were ever synced (not expected). */
const DEFAULT_FALLBACK = 'Sorry, something went wrong. Please try again.';

export interface RunIdentity {
  workspaceId: string;
  pilotId: string;
  conversationId: string;
  subject: string;
}

export class RunLedger {
  constructor(private readonly store: ConversationStorage) {}

  /** Saves a run after `step` and records everything it produced. */
  commit(flow: Flow, result: StepResult, now: number, who: RunIdentity, out: TurnOutput): void {
    const { state } = result;
    this.store.saveRun(state, flow, now);
    if (state.status === 'failed') {
      const node = failedNode(result.log);
      if (node) this.store.setMeta(`failedAt:${state.runId}`, node);
    }
    for (const effect of result.effects) {
      if (effect.type === 'say') {
        out.messages.push(
          this.store.appendMessage({
            author: 'pilot',
            text: effect.text,
            at: now,
            ...(effect.choices ? { choices: effect.choices } : {}),
            ...(effect.input ? { input: effect.input } : {}),
            ...(effect.image ? { image: effect.image } : {}),
            ...(effect.links?.length ? { links: effect.links } : {}),
            ...(effect.cards?.length ? { cards: effect.cards } : {}),
            ...(effect.post ? { post: effect.post } : {}),
            ...(effect.form?.length ? { form: effect.form } : {}),
            ...(effect.errors ? { errors: effect.errors } : {}),
          }),
        );
      } else if (effect.type === 'email_conversation') {
        // The transcript is what the visitor had seen when the run reached the node: the
        // messages said before it in this turn are stored already, the ones after are not.
        this.store.recordEffect(state.runId, { ...effect, upToSeq: this.store.lastSeq() }, now);
      } else {
        this.store.recordEffect(state.runId, effect, now);
      }
    }
    for (const entry of result.log) {
      const seq = this.store.nextCounter('event');
      const step: StepEvent = {
        kind: 'step',
        id: `${state.runId}:${seq}`,
        seq,
        at: entry.at,
        runId: state.runId,
        flowId: state.flowId,
        nodeId: entry.nodeId,
        nodeType: entry.nodeType,
        version: entry.version,
        status: entry.status,
        port: entry.port ?? null,
        choice: entry.choice ?? null,
        ...(entry.rating !== undefined ? { rating: entry.rating } : {}),
        error: entry.error ?? null,
        durationMs: entry.durationMs ?? 0,
      };
      out.events.push(step);
    }
    out.events.push(this.runEvent(state, now, who));
    out.touched = true;
    if (state.status === 'failed' && isAbort(state.error)) this.aborted(state, now, out);
  }

  /**
   * A run the engine cut short (a size limit, the step limit, an engine bug) or a turn that
   * threw: logged, and the visitor is answered with the pilot's fallback message so the
   * conversation never goes silent. The failed run itself is in the turn's run event.
   */
  aborted(run: Partial<RunState>, now: number, out: TurnOutput): void {
    const error = run.error ?? 'failed';
    console.warn(
      JSON.stringify({ event: 'run_failed', runId: run.runId, flowId: run.flowId, error }),
    );
    out.failure = error;
    const text = storedPilot(this.store)?.fallbackMessage ?? DEFAULT_FALLBACK;
    out.messages.push(this.store.appendMessage({ author: 'pilot', text, at: now }));
  }

  /** Marks the run as started by the visitor (proactive flows: triggered first, started later). */
  markStarted(runId: string, now: number): boolean {
    if (this.store.getMeta(`started:${runId}`)) return false;
    this.store.setMeta(`started:${runId}`, String(now));
    return true;
  }

  markHandedOver(runId: string): void {
    this.store.setMeta(`handover:${runId}`, '1');
  }

  runEvent(state: RunState, now: number, who: RunIdentity): RunEvent {
    const seq = this.store.nextCounter('event');
    const stored = this.store.run(state.runId);
    const started = this.store.getMeta(`started:${state.runId}`);
    return {
      kind: 'run',
      id: `${state.runId}:${seq}`,
      seq,
      at: now,
      workspaceId: who.workspaceId,
      pilotId: who.pilotId,
      conversationId: who.conversationId,
      runId: state.runId,
      flowId: state.flowId,
      version: state.version,
      subject: who.subject,
      status: state.status,
      nodeId: state.nodeId,
      error: state.error ?? null,
      handedOver: this.store.getMeta(`handover:${state.runId}`) === '1',
      triggeredAt: stored?.startedAt ?? now,
      startedAt: started ? Number(started) : null,
    };
  }
}
