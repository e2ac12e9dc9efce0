/**
 * What panel.ts reads and calls on the messenger element. The element implements it; the
 * panel depends on this interface, not on the element's module (which loads the panel lazily:
 * an import back would be a cycle).
 */
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { ConnectionStatus, FrameInput } from '../transport/connection.ts';
import type { StringKey, Strings } from './strings.ts';

export type Banner = Extract<ServerFrame, { type: 'banner' }>;
export interface PendingMessage {
  id: string;
  text: string;
}

export interface PanelHost {
  open: boolean;
  readonly messages: ChatMessage[];
  readonly outbox: PendingMessage[];
  readonly status: ConnectionStatus;
  readonly typing: 'pilot' | 'agent' | null;
  banner: Banner | null;
  invalid: StringKey | null;
  formErrors: Record<string, string> | undefined;
  readonly displayName: string;
  readonly root: ShadowRoot;
  readonly bannerBox: HTMLDivElement;
  readonly panelBox: HTMLDivElement;
  readonly t: Strings;
  readonly question: ChatMessage | undefined;
  hide(): void;
  interact(frame: FrameInput): string;
  composer(): HTMLInputElement | null;
  send(text: string): void;
}
