/**
 * Someone else saved the draft since we loaded it (412 on If-Match). Nothing is lost: reload
 * takes theirs as an undoable step (Undo brings ours back), overwrite saves ours over theirs
 * (theirs stays reachable with Undo after a reload, and in the comparison), compare shows both.
 */
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ChangesList } from './changes-list.tsx';
import type { FlowDiff } from './model/diff.ts';

export function ConflictDialog(props: {
  open: boolean;
  diff: FlowDiff | null;
  showDiff: boolean;
  onReload: () => void;
  onOverwrite: () => void;
  onCompare: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={props.open}
      title="Someone else saved this flow"
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={props.onReload}>Reload their version</Button>
          <Button variant="danger" onClick={props.onOverwrite}>
            Overwrite with mine
          </Button>
          <Button onClick={props.onCompare}>Compare</Button>
          <Button variant="ghost" onClick={props.onClose}>
            Keep editing
          </Button>
        </>
      }
    >
      <p role="alert">
        The draft changed on the server after you opened it. Your changes are not saved yet. Reload
        theirs (your version stays one Undo away), overwrite theirs with yours, or compare the two
        first.
      </p>
      {props.showDiff && props.diff && (
        <>
          <h3>From their version to yours</h3>
          <ChangesList diff={props.diff} />
        </>
      )}
    </Dialog>
  );
}
