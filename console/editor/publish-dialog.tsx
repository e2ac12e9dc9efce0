/**
 * Publish: a note, what changed since the live version, and what happens to conversations
 * already running (they finish on the version they started on). Refused while there are errors.
 */
import { useState } from 'preact/hooks';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ChangesList } from './changes-list.tsx';
import type { FlowDiff } from './model/diff.ts';
import type { Problem } from './model/problems.ts';

export function PublishDialog(props: {
  open: boolean;
  liveVersion: number | null;
  diff: FlowDiff | null;
  errors: readonly Problem[];
  busy: boolean;
  onPublish: (note: string) => void;
  onPickProblem: (p: Problem) => void;
  onClose: () => void;
}) {
  const [note, setNote] = useState('');
  const blocked = props.errors.length > 0;
  return (
    <Dialog
      open={props.open}
      title={blocked ? 'Cannot publish yet' : 'Publish this flow'}
      onClose={props.onClose}
      onSubmit={() => !blocked && props.onPublish(note)}
      actions={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          {!blocked && (
            <Button type="submit" variant="primary" disabled={props.busy}>
              Publish now
            </Button>
          )}
        </>
      }
    >
      {blocked ? (
        <>
          <p role="alert">Fix these errors first:</p>
          <ul class="problems">
            {props.errors.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  class="problem problem-error"
                  onClick={() => props.onPickProblem(p)}
                >
                  {p.target ?? 'flow'}
                  {p.field ? ` · ${p.field}` : ''}: {p.message}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <div class="field">
            <label for="publish-note">Note for this version</label>
            <input
              id="publish-note"
              value={note}
              maxLength={1000}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </div>
          <h3>
            {props.liveVersion
              ? `Changes since the live version ${props.liveVersion}`
              : 'First version'}
          </h3>
          {props.diff ? (
            <ChangesList diff={props.diff} />
          ) : (
            <p>This will be the first live version.</p>
          )}
          <p class="field-hint">
            Conversations already running stay on the version they started on; new runs use the new
            version.
          </p>
        </>
      )}
    </Dialog>
  );
}
