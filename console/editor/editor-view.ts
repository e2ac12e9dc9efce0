/**
 * What the editor shows: the draft being edited, a read-only published version, or a
 * comparison. Its own module because the server actions (use-server-actions.ts) switch it and
 * the editor renders it, and neither should import the other for a type.
 */
import type { Flow } from '../../shared/flow/schema.ts';
import type { Mark } from './canvas-types.ts';
import type { FlowDiff } from './model/diff.ts';

export type View =
  | { kind: 'edit' }
  | { kind: 'version'; version: number; flow: Flow }
  | {
      kind: 'compare';
      title: string;
      flow: Flow;
      marks: Map<string, Mark>;
      diff: FlowDiff;
    };
