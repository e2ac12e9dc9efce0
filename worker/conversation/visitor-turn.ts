/**
 * The commit of a visitor frame (synchronous, one atomic write set): stores what the frame
 * says about the visitor, then decides what the visitor's words do — answer the waiting
 * question, start the flow an intent or trigger chose, or give the pilot's default answer.
 */
import type { EngineEvent } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import { errorFrame, type ServerFrame } from '../../shared/protocol.ts';
import { mergeContact } from './contact-attributes.ts';
import { choiceOf, formOf, pilotIsQuiet } from './conversation-facts.ts';
import type { RunDriver } from './run-driver.ts';
import type { RunLedger, TurnOutput } from './run-ledger.ts';
import type { ConversationStorage } from './storage.ts';
import type { Prepared, VisitorFrame } from './turn-preparation.ts';

export type Reply = (frame: ServerFrame) => void;

export class VisitorTurn {
  constructor(
    private readonly store: ConversationStorage,
    private readonly ledger: RunLedger,
    private readonly runs: RunDriver,
  ) {}

  apply(frame: VisitorFrame, prepared: Prepared, now: number, out: TurnOutput, reply: Reply) {
    if (prepared.snapshot) this.runs.syncPilot(prepared.snapshot, now, out);
    switch (frame.type) {
      case 'identify': {
        const current = this.store.getJson<Record<string, unknown>>('contact') ?? {};
        const merged = mergeContact(current, frame.contact);
        if (!merged.ok) {
          // Refused whole (nothing stored): the attributes already set stay as they were.
          reply(errorFrame(ErrorCode.payloadTooLarge, merged.message, frame.id));
          return;
        }
        this.store.setJson('contact', merged.contact);
        out.touched = true;
        return;
      }
      case 'page_view':
        this.store.setJson('page', frame.page);
        this.store.setMeta('lastPageUrl', frame.page.url);
        this.store.setMeta('visits', String(Number(this.store.getMeta('visits') ?? '0') + 1));
        out.touched = true;
        if (prepared.start) this.runs.start(prepared.start, prepared.agents, now, out);
        return;
      case 'event':
        if (prepared.start) this.runs.start(prepared.start, prepared.agents, now, out);
        return;
      case 'message':
        this.visitorSaid(frame.text, frame.id, now, out);
        this.route({ type: 'input', text: frame.text }, prepared, now, out);
        return;
      case 'choice': {
        const choice = choiceOf(this.store, frame);
        if (!choice) {
          reply(errorFrame(ErrorCode.invalidInput, 'Unknown choice', frame.id));
          return;
        }
        this.visitorSaid(choice.label, frame.id, now, out);
        this.route({ type: 'input', text: choice.label, value: choice.value }, prepared, now, out);
        return;
      }
      case 'form': {
        const form = formOf(this.store, frame);
        if (!form) {
          reply(errorFrame(ErrorCode.invalidInput, 'seq: that message shows no form', frame.id));
          return;
        }
        this.visitorSaid(form.text, frame.id, now, out);
        this.route({ type: 'input', text: form.text, form: form.values }, prepared, now, out);
      }
    }
  }

  private visitorSaid(text: string, clientId: string, now: number, out: TurnOutput): void {
    out.messages.push(this.store.appendMessage({ author: 'visitor', text, at: now, clientId }));
  }

  /** A visitor's words: the waiting question first, else an intent flow, else an answer. */
  private route(event: EngineEvent, prepared: Prepared, now: number, out: TurnOutput): void {
    if (this.store.getMeta('status') === 'closed') this.store.setMeta('status', 'open');
    if (pilotIsQuiet(this.store)) return;
    let active = this.store.activeRun();
    if (active && active.state.runId === prepared.unpublishedRun) {
      // Its flow was unpublished while it waited: it ends here and does not take the answer.
      this.runs.advance(active, { type: 'cancel', reason: 'unpublished' }, undefined, now, out);
      active = this.store.activeRun();
    }
    if (active) {
      if (this.ledger.markStarted(active.state.runId, now)) out.touched = true;
      if (active.state.waitingFor === 'effect') return;
      this.runs.advance(active, event, prepared.agents, now, out);
      return;
    }
    // An email offer is answered by the next message, or lapses with it.
    if (this.store.getMeta('awaitingEmail') !== null) this.store.deleteMeta('awaitingEmail');
    if (prepared.start) {
      this.runs.start(prepared.start, prepared.agents, now, out);
      return;
    }
    if (prepared.handover) {
      // Like a flow's handover node, the conversation goes to a person; the pilot keeps
      // answering until one of them replies (presence can say "online" for nobody at the desk).
      this.store.setMeta('mode', 'agent');
      this.store.setMeta('handoverWaiting', '1');
      out.touched = true;
    }
    if (prepared.offerEmail) this.store.setMeta('awaitingEmail', '1');
    if (prepared.contactEmail) {
      const contact = this.store.getJson<Record<string, unknown>>('contact') ?? {};
      this.store.setJson('contact', { ...contact, email: prepared.contactEmail });
      out.touched = true;
    }
    if (prepared.answer) {
      const links = prepared.answerLinks?.length ? { links: prepared.answerLinks } : {};
      const input = prepared.offerEmail ? { input: 'email_offer' } : {};
      out.messages.push(
        this.store.appendMessage({
          author: 'pilot',
          text: prepared.answer,
          at: now,
          ...links,
          ...input,
        }),
      );
    }
  }
}
